/** A stream status as text and colour (the text carries the meaning; colour only helps). */
import type { StreamStatus } from '../../core/stream.js';
import { h, setText } from './elements.js';

const KIND: Record<StreamStatus, string> = {
  CREATING: 'busy',
  IDLE: 'idle',
  STARTING: 'busy',
  RUNNING: 'running',
  STOPPING: 'busy',
  DELETING: 'busy',
  FAILED: 'failed',
};

export function statusBadge(status: StreamStatus): HTMLSpanElement {
  const badge = h('span', { class: 'badge' });
  updateStatusBadge(badge, status);
  return badge;
}

export function updateStatusBadge(badge: HTMLElement, status: StreamStatus): void {
  setText(badge, status);
  badge.className = `badge badge-${KIND[status] ?? 'idle'}`;
  badge.dataset.status = status;
}
