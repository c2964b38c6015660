/** The retry pauses of the local services (Scheduler, EventBridge): any number at once, all cut short by close. */
import { describe, expect, it } from 'vitest';
import { Pauses } from '../../../../infra/local/aws-server/pauses.js';

describe('Pauses', () => {
  it('holds many pauses at once without a listener-leak warning, and cancelAll ends them all', async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.name);
    process.on('warning', onWarning);
    try {
      const pauses = new Pauses();
      const started = Date.now();
      const waits = Array.from({ length: 50 }, () => pauses.wait(60_000));
      pauses.cancelAll();
      await Promise.all(waits);
      expect(Date.now() - started).toBeLessThan(5_000);
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings).not.toContain('MaxListenersExceededWarning');
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('resolves a pause after its time when nothing cancels it', async () => {
    const started = Date.now();
    await new Pauses().wait(50);
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
  });
});
