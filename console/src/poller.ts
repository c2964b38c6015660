/**
 * Runs a task every `intervalMs`, never two at once, until stopped. Live status in the console is
 * polling: the API has no push channel, and 2 s is well within what people notice.
 */
export interface Poller {
  /** Runs the task again as soon as the current run (if any) ends, and restarts the interval. */
  now(): void;
  stop(): void;
}

export function poll(task: () => Promise<void>, intervalMs: number): Poller {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  let running = false;
  let again = false;
  const run = async (): Promise<void> => {
    if (stopped) return;
    clearTimeout(timer);
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      await task();
    } catch {
      // The task shows its own errors; polling goes on.
    }
    running = false;
    if (stopped) return;
    if (again) {
      again = false;
      void run();
      return;
    }
    timer = setTimeout(run, intervalMs);
  };
  void run();
  return {
    now: () => void run(),
    stop: () => {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
