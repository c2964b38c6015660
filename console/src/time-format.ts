/** Session times as people read and type them: `1:05.5`, `0:01:05`, or plain seconds. */

/** `m:ss.s` under an hour, `h:mm:ss.s` above; tenths only when `tenths` is set. */
export function formatClock(seconds: number, tenths = false): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '–';
  const total = tenths ? Math.round(seconds * 10) / 10 : Math.floor(seconds);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const sec = tenths ? s.toFixed(1).padStart(4, '0') : String(Math.floor(s)).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

/**
 * Seconds from `75`, `75.5`, `1:15`, `1:15.5` or `0:01:15`; undefined when the text is none of
 * these (minutes and seconds after a colon must be below 60).
 */
export function parseClock(text: string): number | undefined {
  const trimmed = text.trim();
  if (!/^\d+(:\d{1,2}){0,2}(\.\d+)?$/.test(trimmed)) return undefined;
  const parts = trimmed.split(':').map(Number);
  const head = parts.slice(1);
  if (head.some((p) => p >= 60)) return undefined;
  return parts.reduce((total, part) => total * 60 + part, 0);
}

/** A date for people: local date and time to the second. */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '–';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
}

/** The seed's times are epoch seconds as strings. */
export function epochToIso(epoch: string | null | undefined): string | null {
  if (!epoch || !/^\d+$/.test(epoch)) return null;
  return new Date(Number(epoch) * 1000).toISOString();
}

/** Seconds between two instants (`until` defaults to now), never negative. */
export function secondsBetween(fromIso: string, untilIso: string | null, now = Date.now()): number {
  const from = Date.parse(fromIso);
  const until = untilIso ? Date.parse(untilIso) : now;
  return Math.max(0, (until - from) / 1000);
}

/** `<input type="datetime-local">` value (local time, minutes) for an ISO instant, and back. */
export function toLocalInput(iso: string | null | undefined): string {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

export function fromLocalInput(value: string): string | undefined {
  if (!value) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}
