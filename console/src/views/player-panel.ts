/**
 * The live player: `viewer_endpoint` (MediaPackage origin), or `viewer_endpoint_cloudfront` once the
 * stream is on the CDN. With "from the session's start", the playlist asks the origin for
 * everything since the session started (`?start=`, MediaPackage time-shifted viewing), so the
 * player's own timeline is the session's and the clip tool can mark in and out on it.
 */
import type { RecordingSession, StreamRecord } from '../../../core/stream.js';
import { h, setText, uniqueId } from '../elements.js';
import { type Playback, playHls } from '../hls-playback.js';
import { formatClock } from '../time-format.js';
import type { Panel } from './panel.js';

/** The live playlist is not there until the encoder has written a segment: try again this often. */
const LIVE_RETRY_MS = 3000;

export interface Playhead {
  sessionId: string;
  /** Seconds from the session's start. */
  seconds: number;
}

export interface PlayerPanel extends Panel {
  /** Where the player is in the current session, when the stream carries program date-times. */
  playhead(): Playhead | undefined;
  onPlayhead(listener: () => void): void;
  /** Exact session starts (the record's `last_started` is whole seconds). */
  setSessions(sessions: RecordingSession[]): void;
}

type Source = 'origin' | 'cdn';

export function playerPanel(): PlayerPanel {
  const video = h('video', {
    id: 'live-video',
    attrs: { controls: true, muted: true, playsinline: true, preload: 'none', 'aria-label': 'Live stream' },
  });
  video.muted = true;
  const status = h('p', { class: 'player-status', attrs: { role: 'status' } });
  const position = h('p', { class: 'hint', attrs: { 'aria-live': 'off' } });
  const name = uniqueId('source');
  const origin = h('input', {
    id: `${name}-origin`,
    attrs: { type: 'radio', name, value: 'origin', checked: true },
  });
  const cdn = h('input', { id: `${name}-cdn`, attrs: { type: 'radio', name, value: 'cdn', disabled: true } });
  const fromStart = h('input', { id: uniqueId('from-start'), attrs: { type: 'checkbox', checked: true } });
  const endpoint = h('p', { class: 'endpoint' });
  const element = h(
    'section',
    { class: 'card', attrs: { 'aria-labelledby': 'player-title' } },
    h('h2', { id: 'player-title', text: 'Player' }),
    h(
      'fieldset',
      { class: 'inline' },
      h('legend', { text: 'Source' }),
      h('label', {}, origin, ' Origin (viewer_endpoint)'),
      h('label', {}, cdn, ' CDN (viewer_endpoint_cloudfront)'),
    ),
    h(
      'label',
      { class: 'checkbox' },
      fromStart,
      ' Timeline from the session’s start (rewind within the window)',
    ),
    h('div', { class: 'video-frame' }, video),
    status,
    position,
    endpoint,
  );

  let record: StreamRecord | undefined;
  let playback: Playback | undefined;
  let starting: Promise<void> | undefined;
  const listeners: Array<() => void> = [];
  const sessionStarts = new Map<string, number>();

  const source = (): Source => (cdn.checked && !cdn.disabled ? 'cdn' : 'origin');

  /** The URL the player should play now, or why it plays nothing. */
  function wanted(r: StreamRecord): { url: string } | { reason: string } {
    if (r.status !== 'RUNNING') {
      return { reason: 'The stream is not running. Start it, then push to the RTMP server to watch here.' };
    }
    const base = source() === 'cdn' ? r.viewer_endpoint_cloudfront : r.viewer_endpoint;
    if (!base) return { reason: 'The stream has no viewer endpoint yet.' };
    const url = new URL(base, location.href);
    if (fromStart.checked && !fromStart.disabled && r.last_started)
      url.searchParams.set('start', r.last_started);
    return { url: url.toString() };
  }

  function sync() {
    if (!record) return;
    const next = wanted(record);
    if ('reason' in next) {
      stop();
      setText(status, next.reason);
      setText(endpoint, '');
      return;
    }
    if (playback?.url === next.url || starting) return;
    stop();
    setText(endpoint, next.url);
    starting = playHls(video, next.url, {
      retryMs: LIVE_RETRY_MS,
      onStatus: (s) => {
        setText(status, s.state === 'error' ? s.message : `${s.message}.`.replace('….', '…'));
        status.dataset.state = s.state;
      },
    })
      .then((p) => {
        playback = p;
      })
      .catch((error: unknown) => setText(status, `The player could not load: ${String(error)}`))
      .finally(() => {
        starting = undefined;
        // The record may have changed while hls.js was loading.
        sync();
      });
  }

  function stop() {
    playback?.destroy();
    playback = undefined;
    setText(position, '');
  }

  function playhead(): Playhead | undefined {
    if (!record?.current_session_id || !playback || record.status !== 'RUNNING') return undefined;
    const date = playback.playingDate();
    const started =
      sessionStarts.get(record.current_session_id) ??
      (record.last_started ? Number(record.last_started) * 1000 : undefined);
    if (!date || started === undefined) return undefined;
    return { sessionId: record.current_session_id, seconds: Math.max(0, (date.getTime() - started) / 1000) };
  }

  video.addEventListener('timeupdate', () => {
    const at = playhead();
    setText(position, at ? `Session time ${formatClock(at.seconds, true)}` : '');
    for (const listener of listeners) listener();
  });
  for (const control of [origin, cdn, fromStart]) control.addEventListener('change', sync);

  return {
    element,
    update(next) {
      record = next;
      const onCdn = next.cloudfront_associated && Boolean(next.viewer_endpoint_cloudfront);
      cdn.disabled = !onCdn;
      if (!onCdn) origin.checked = true;
      fromStart.disabled = next.startover_window_seconds <= 0;
      sync();
    },
    playhead,
    onPlayhead(listener) {
      listeners.push(listener);
    },
    setSessions(sessions) {
      for (const session of sessions) sessionStarts.set(session.id, Date.parse(session.started_at));
    },
    destroy() {
      record = undefined;
      stop();
    },
  };
}
