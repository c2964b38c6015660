/**
 * Lets local mode and the tests see every AWS call a function makes: the IAM conformance test
 * evaluates each one against the function's role as synthesized. Every SDK client of the app goes
 * through `observed`; the middleware hands each call to the observer a function's execution
 * environment registered (infra/local/functions/lambda-worker.mjs), and on AWS, where none is
 * registered, it passes every call through untouched.
 */
import type { MiddlewareStack } from '@smithy/types';

export const AWS_CALL_OBSERVER = Symbol.for('live-streaming.aws-call-observer');

export interface ObservedCall {
  client: string;
  command: string;
  input: unknown;
  output?: unknown;
  error?: string;
}

type Observer = (call: ObservedCall) => void;

// biome-ignore lint/suspicious/noExplicitAny: any client's middleware stack
export function observed<C extends { middlewareStack: MiddlewareStack<any, any> }>(client: C): C {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const observer = (globalThis as { [AWS_CALL_OBSERVER]?: Observer })[AWS_CALL_OBSERVER];
      if (!observer) return next(args);
      const call = {
        client: String(context.clientName),
        command: String(context.commandName),
        input: args.input,
      };
      try {
        const result = await next(args);
        observer({ ...call, output: result.output });
        return result;
      } catch (error) {
        observer({ ...call, error: error instanceof Error ? error.name : String(error) });
        throw error;
      }
    },
    { step: 'initialize', name: 'awsCallObserver', override: true },
  );
  return client;
}
