/**
 * Faults injected into the task Lambdas' own MediaLive client (the singleton of tasks/runtime.ts),
 * as SDK middleware at the `initialize` step: outside the SDK's retry loop, so a thrown error is
 * what the task sees once the SDK has given up, and only the state machine's Retry/Catch can
 * absorb it. The double itself is never altered; the tests' own clients see it as it is.
 */
import type { MediaLiveClient } from '@aws-sdk/client-medialive';

export interface Fault {
  /** Calls the fault has answered so far. */
  readonly hits: number;
  remove(): void;
}

let faultCounter = 0;

/** Fails calls of `command` (e.g. `StartChannelCommand`) with `error()`, `times` times or until removed. */
export function failCalls(
  client: MediaLiveClient,
  command: string,
  error: () => Error,
  options: { times?: number; when?: (input: Record<string, unknown>) => boolean } = {},
): Fault {
  const name = `test-fault-${++faultCounter}`;
  let hits = 0;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const applies =
        context.commandName === command &&
        (options.times === undefined || hits < options.times) &&
        (options.when?.(args.input as Record<string, unknown>) ?? true);
      if (!applies) return next(args);
      hits++;
      throw error();
    },
    { step: 'initialize', name },
  );
  return {
    get hits() {
      return hits;
    },
    remove: () => {
      client.middlewareStack.remove(name);
    },
  };
}

/**
 * Makes DescribeChannel report another state for one channel (or for every channel: `'any'`), as
 * MediaLive would for a channel that failed or hangs, while every other call (Stop, Delete...)
 * reaches the double unchanged.
 */
export function reportChannelState(
  client: MediaLiveClient,
  channelId: string | 'any',
  rewrite: (actual: string | undefined) => string | undefined,
): Fault {
  const name = `test-state-${++faultCounter}`;
  let hits = 0;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      if (context.commandName !== 'DescribeChannelCommand') return result;
      if (channelId !== 'any' && (args.input as { ChannelId?: string }).ChannelId !== channelId)
        return result;
      const output = result.output as { State?: string };
      const shown = rewrite(output.State);
      if (shown !== output.State) {
        hits++;
        output.State = shown;
      }
      return result;
    },
    { step: 'initialize', name },
  );
  return {
    get hits() {
      return hits;
    },
    remove: () => {
      client.middlewareStack.remove(name);
    },
  };
}
