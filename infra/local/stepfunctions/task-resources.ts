import { randomUUID } from 'node:crypto';

/**
 * What a Task state's `Resource` calls, and how AWS reports it in the history:
 * a Lambda ARN gives `LambdaFunction*` events, an integration (`arn:aws:states:::lambda:invoke`,
 * `...:::events:putEvents`) gives `Task*` events with a resourceType and resource.
 */
export type TaskTarget =
  | { kind: 'lambda-arn'; functionArn: string }
  | { kind: 'lambda-invoke'; resourceType: 'lambda'; resource: string }
  | { kind: 'integration'; resourceType: string; resource: string; arn: string };

const LAMBDA_ARN = /^arn:[^:]+:lambda:[^:]*:[^:]*:function:.+$/;
const INTEGRATION_ARN = /^arn:[^:]+:states:::(.+)$/;

export function taskTarget(resource: string): TaskTarget | undefined {
  if (LAMBDA_ARN.test(resource)) return { kind: 'lambda-arn', functionArn: resource };
  const integration = INTEGRATION_ARN.exec(resource)?.[1];
  if (!integration) return undefined;
  const cut = integration.lastIndexOf(':');
  if (cut <= 0) return undefined;
  const resourceType = integration.slice(0, cut);
  const operation = integration.slice(cut + 1);
  if (resourceType === 'lambda' && operation === 'invoke') {
    return { kind: 'lambda-invoke', resourceType, resource: operation };
  }
  return { kind: 'integration', resourceType, resource: operation, arn: resource };
}

/** A failure in Step Functions terms: the error name Retry/Catch match on, and the cause. */
export interface StatesFailure {
  error: string;
  cause: string;
}

/** Step Functions' limit on `cause` (HistoryEvent details, DescribeExecution). */
const MAX_CAUSE_LENGTH = 32768;

/**
 * A Lambda error as Step Functions sees it: error = the function's errorType (the thrown error's
 * `name`), cause = the JSON Lambda's Node.js runtime returns. Errors already named `Lambda.*`
 * (throttling, service faults raised by the invoker) are Lambda service errors: name and message
 * pass through.
 */
export function lambdaFailure(thrown: unknown): StatesFailure {
  const errorType = thrown instanceof Error && thrown.name ? thrown.name : 'Error';
  const errorMessage = thrown instanceof Error ? thrown.message : String(thrown);
  if (errorType.startsWith('Lambda.')) return { error: errorType, cause: errorMessage };
  const trace = thrown instanceof Error ? (thrown.stack?.split('\n') ?? []) : [];
  let cause = JSON.stringify({ errorType, errorMessage, trace });
  if (cause.length > MAX_CAUSE_LENGTH) cause = JSON.stringify({ errorType, errorMessage });
  if (cause.length > MAX_CAUSE_LENGTH) {
    cause = JSON.stringify({ errorType, errorMessage: errorMessage.slice(0, MAX_CAUSE_LENGTH / 2) });
  }
  return { error: errorType, cause };
}

/** A non-Lambda integration failure: the thrown error's name and message, like `MediaLive.ConflictException`. */
export function integrationFailure(thrown: unknown): StatesFailure {
  const error = thrown instanceof Error && thrown.name ? thrown.name : 'States.TaskFailed';
  const cause = thrown instanceof Error ? thrown.message : String(thrown);
  return { error, cause: cause.slice(0, MAX_CAUSE_LENGTH) };
}

/**
 * The error the interpreter receives: it matches Retry/Catch on `name` and puts `message` in the
 * Catch output's `Cause`. `retryable: false` marks errors that States.ALL must not catch
 * (States.Runtime), through the interpreter's own `isRetryable`/`isCatchable` flags.
 */
export function interpreterError(failure: StatesFailure, retryable = true): Error {
  const error = new Error(failure.cause);
  error.name = failure.error;
  if (!retryable) Object.assign(error, { isRetryable: false, isCatchable: false });
  return error;
}

/** Lambda payloads and results cross a JSON boundary; undefined becomes null as in Lambda. */
export function asLambdaJson(value: unknown): unknown {
  if (value === undefined) return null;
  return JSON.parse(JSON.stringify(value) ?? 'null');
}

export interface LambdaInvokeParameters {
  functionName: string;
  payload: unknown;
  invocationType: 'RequestResponse' | 'Event' | 'DryRun';
}

/** Reads the Parameters of an `arn:aws:states:::lambda:invoke` task (as CDK's LambdaInvoke renders them). */
export function lambdaInvokeParameters(parameters: unknown): LambdaInvokeParameters | StatesFailure {
  const params = (typeof parameters === 'object' && parameters !== null ? parameters : {}) as Record<
    string,
    unknown
  >;
  const name = params.FunctionName;
  if (typeof name !== 'string' || name === '') {
    return { error: 'States.Runtime', cause: 'lambda:invoke needs a FunctionName parameter (a string)' };
  }
  const invocationType = params.InvocationType ?? 'RequestResponse';
  if (invocationType !== 'RequestResponse' && invocationType !== 'Event' && invocationType !== 'DryRun') {
    return { error: 'States.Runtime', cause: `unsupported InvocationType ${JSON.stringify(invocationType)}` };
  }
  const qualifier = typeof params.Qualifier === 'string' && params.Qualifier ? `:${params.Qualifier}` : '';
  // Lambda's Invoke without a payload delivers an empty object.
  return { functionName: `${name}${qualifier}`, payload: params.Payload ?? {}, invocationType };
}

/** The lambda:invoke integration's output: the SDK response around the function's result. */
export function lambdaInvokeOutput(payload: unknown, statusCode: number): Record<string, unknown> {
  const requestId = randomUUID();
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    'X-Amz-Executed-Version': '$LATEST',
    'x-amzn-RequestId': requestId,
  };
  return {
    ExecutedVersion: '$LATEST',
    Payload: payload,
    SdkHttpMetadata: {
      AllHttpHeaders: Object.fromEntries(Object.entries(headers).map(([key, value]) => [key, [value]])),
      HttpHeaders: headers,
      HttpStatusCode: statusCode,
    },
    SdkResponseMetadata: { RequestId: requestId },
    StatusCode: statusCode,
  };
}

export function isStatesFailure(value: unknown): value is StatesFailure {
  return typeof value === 'object' && value !== null && 'error' in value && 'cause' in value;
}
