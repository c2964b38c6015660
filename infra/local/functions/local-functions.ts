/**
 * The app's Lambda functions, run locally as Lambda runs them: each function's deployed bundle
 * (infra/bundling) in an execution environment of its own (a worker thread, started on the first
 * invocation and kept warm), with exactly its environment from the function registry plus what
 * Lambda's runtime provides (region, credentials; locally also the endpoints of the local services).
 * A variable a function's registry entry lacks is missing here as it would be on AWS.
 *
 * Errors come back as Lambda reports them: the thrown error's `name` (Step Functions' error), its
 * message and stack. A function that runs past its timeout is stopped (`Sandbox.Timedout`) and its
 * environment replaced, as Lambda does.
 */
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { FunctionBundle } from '../../bundling/bundle.js';
import {
  type EnvironmentValues,
  FUNCTION_NAMES,
  FUNCTIONS,
  type FunctionName,
  type FunctionSpec,
  resolveEnvironment,
} from '../../functions.js';
import { localArn } from '../aws-server/arn.js';

const WORKER_FILE = fileURLToPath(new URL('./lambda-worker.mjs', import.meta.url));

/** One AWS call a function made, as its SDK client saw it (recorded for the IAM conformance test). */
export interface AwsCall {
  function: FunctionName;
  /** SDK client name, e.g. `MediaLiveClient`, `DynamoDBDocumentClient`. */
  client: string;
  /** SDK command name, e.g. `CreateChannelCommand`. */
  command: string;
  input: unknown;
  /** The response (for created resources' ids), when the call succeeded. */
  output?: unknown;
  /** The error's name, when it failed. */
  error?: string;
}

export interface LocalFunctionsOptions {
  bundles: Readonly<Record<FunctionName, FunctionBundle>>;
  /** The deployment's values of the registry's environment variables. */
  values: EnvironmentValues;
  /**
   * What Lambda's runtime gives every function (AWS_REGION, credentials), and locally the
   * `AWS_ENDPOINT_URL_<SERVICE>` of the local services and local-only settings.
   */
  runtimeEnvironment: Readonly<Record<string, string>>;
  region: string;
  account: string;
  /** Every AWS call of every function. */
  onAwsCall?: (call: AwsCall) => void;
  /**
   * Invocations wait for it: the runtime environment is complete (every local endpoint known) only
   * once the stack is up, and a function must never start with an endpoint missing (it would
   * reach AWS's own).
   */
  ready?: Promise<void>;
}

export interface LocalFunctions {
  arn(name: FunctionName): string;
  /** The function an ARN names, if it is one of the app's. */
  nameOf(arn: string): FunctionName | undefined;
  invoke(name: FunctionName, payload: unknown, requestId?: string): Promise<unknown>;
  /** Tests: moves every function's clock (`Date.now`) this far ahead of the real one. */
  setClockOffset(offsetMs: number): void;
  close(): Promise<void>;
}

/** An invocation waiting for its answer. */
type Pending = { resolve: (value: unknown) => void; reject: (error: Error) => void; timer: NodeJS.Timeout };

/** A Lambda error as the invoker sees it: `name` is the function's errorType. */
export function lambdaError(error: { name: string; message: string; stack?: string | undefined }): Error {
  const thrown = new Error(error.message);
  thrown.name = error.name;
  if (error.stack) thrown.stack = error.stack;
  return thrown;
}

export function createLocalFunctions(options: LocalFunctionsOptions): LocalFunctions {
  const environments = new Map<FunctionName, ReturnType<typeof start>>();
  let nextId = 0;
  let closed = false;
  let clockOffsetMs = 0;
  const arn = (name: FunctionName) => localArn('lambda', options.region, options.account, `function:${name}`);
  const environmentOf = (name: FunctionName) => ({
    ...options.runtimeEnvironment,
    AWS_LAMBDA_FUNCTION_NAME: name,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(memoryOf(name)),
    ...resolveEnvironment(FUNCTIONS[name], options.values),
  });

  /** A new execution environment of the function, kept for its next invocations. */
  function start(name: FunctionName) {
    const worker = new Worker(WORKER_FILE, {
      workerData: {
        file: options.bundles[name].file,
        name,
        arn: arn(name),
        memorySize: memoryOf(name),
        clockOffsetMs,
      },
      env: environmentOf(name),
      // The function's own process.argv, as in Lambda; nothing of this process's.
      argv: [],
      execArgv: [],
    });
    const pending = new Map<number, Pending>();
    const ready = new Promise<void>((resolve, reject) => {
      worker.on('message', (message: WorkerMessage) => {
        switch (message.type) {
          case 'ready':
            return resolve();
          case 'init-error':
            return reject(lambdaError(message.error));
          case 'aws-call':
            return options.onAwsCall?.({ function: name, ...message.call });
          case 'result':
          case 'error': {
            const call = pending.get(message.id);
            if (!call) return;
            pending.delete(message.id);
            clearTimeout(call.timer);
            if (message.type === 'result') call.resolve(message.result);
            else call.reject(lambdaError(message.error));
            return;
          }
        }
      });
      worker.once('error', (error) => {
        reject(error);
        fail(name, pending, lambdaError({ name: 'Runtime.ExitError', message: String(error) }));
      });
      worker.once('exit', (code) => {
        reject(new Error(`the environment of ${name} exited (${code}) while starting`));
        fail(name, pending, lambdaError({ name: 'Runtime.ExitError', message: `exited with code ${code}` }));
      });
    });
    // An unobserved init failure is reported to each invocation instead.
    ready.catch(() => undefined);
    worker.unref();
    const environment = { worker, ready, pending };
    environments.set(name, environment);
    return environment;
  }

  function fail(name: FunctionName, pending: Map<number, Pending>, error: Error): void {
    if (environments.get(name)?.pending === pending) environments.delete(name);
    for (const call of pending.values()) {
      clearTimeout(call.timer);
      call.reject(error);
    }
    pending.clear();
  }

  const closedError = () =>
    lambdaError({ name: 'Lambda.ServiceException', message: 'local functions closed' });
  return {
    arn,
    nameOf: (value) => FUNCTION_NAMES.find((name) => arn(name) === value),
    setClockOffset(offsetMs) {
      clockOffsetMs = offsetMs;
      for (const { worker } of environments.values()) worker.postMessage({ type: 'clock', offsetMs });
    },
    async invoke(name, payload, requestId = randomUUID()) {
      await options.ready;
      if (closed) throw closedError();
      const { worker, ready, pending } = environments.get(name) ?? start(name);
      try {
        await ready;
      } catch (error) {
        // Lambda answers every invocation of a function whose init failed with that error.
        environments.delete(name);
        await worker.terminate();
        throw error;
      }
      const timeoutMs = timeoutOf(name) * 1000;
      const id = nextId++;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          // Lambda stops a function at its timeout and replaces its execution environment.
          const error = lambdaError({
            name: 'Sandbox.Timedout',
            message: `Task timed out after ${timeoutOf(name).toFixed(2)} seconds`,
          });
          fail(name, pending, error);
          void worker.terminate();
        }, timeoutMs);
        pending.set(id, { resolve, reject, timer });
        worker.postMessage({
          type: 'invoke',
          id,
          payload,
          requestId,
          deadline: Date.now() + clockOffsetMs + timeoutMs,
        });
      });
    },
    async close() {
      closed = true;
      await Promise.all(
        [...environments].map(([name, { worker, pending }]) => {
          fail(name, pending, closedError());
          return worker.terminate();
        }),
      );
    },
  };
}

const specOf = (name: FunctionName): FunctionSpec => FUNCTIONS[name];
const memoryOf = (name: FunctionName) => specOf(name).memorySize ?? 256;
const timeoutOf = (name: FunctionName) => specOf(name).timeoutSeconds ?? 60;

type WorkerMessage =
  | { type: 'ready' }
  | { type: 'init-error'; error: { name: string; message: string; stack?: string } }
  | { type: 'aws-call'; call: Omit<AwsCall, 'function'> }
  | { type: 'result'; id: number; result: unknown }
  | { type: 'error'; id: number; error: { name: string; message: string; stack?: string } };
