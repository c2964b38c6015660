/**
 * A token bucket per service, so clients meet TooManyRequestsException (and their retry with
 * backoff runs) the way they do against AWS's per-account API rate limits.
 */
export interface ThrottleOptions {
  /** Sustained requests per second. */
  requestsPerSecond: number;
  /** Requests allowed in a burst above the sustained rate. */
  burst: number;
}

/**
 * Generous on purpose: local mode must not throttle a normal workflow (polling every few seconds),
 * only a client that hammers the API in a loop.
 */
export const DEFAULT_THROTTLE: ThrottleOptions = { requestsPerSecond: 100, burst: 200 };

export class RequestThrottle {
  private tokens: number;
  private last: number;

  constructor(
    private readonly options: ThrottleOptions,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = options.burst;
    this.last = now();
  }

  /** Takes one token; false when the caller must be throttled. */
  tryTake(): boolean {
    const now = this.now();
    this.tokens = Math.min(
      this.options.burst,
      this.tokens + ((now - this.last) / 1000) * this.options.requestsPerSecond,
    );
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
