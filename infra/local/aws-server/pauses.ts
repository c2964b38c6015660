/** Pauses between retries that `cancelAll()` cuts short, so a closing service is not held by them. */
export class Pauses {
  private readonly pending = new Set<() => void>();

  /** Resolves after `ms`, or at once when cancelled. */
  wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.pending.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.pending.add(done);
    });
  }

  cancelAll(): void {
    for (const done of [...this.pending]) done();
  }
}
