import { setMaxListeners } from 'node:events';
import { setTimeout } from 'node:timers/promises';

/** Pauses between retries that `cancelAll()` cuts short, so a closing service is not held by them. */
export class Pauses {
  private readonly cancelled = new AbortController();

  constructor() {
    // Every pending wait listens to the one signal: any number of them is expected, not a leak.
    setMaxListeners(0, this.cancelled.signal);
  }

  /** Resolves after `ms`, or at once when cancelled. */
  wait(ms: number): Promise<void> {
    return setTimeout(ms, undefined, { signal: this.cancelled.signal }).catch(() => undefined);
  }

  cancelAll(): void {
    this.cancelled.abort();
  }
}
