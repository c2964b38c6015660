/** A section of the stream page, kept in step with the record on every poll. */
import type { StreamRecord } from '../../../core/stream.js';

export interface Panel {
  element: HTMLElement;
  update(record: StreamRecord): void;
  destroy(): void;
}
