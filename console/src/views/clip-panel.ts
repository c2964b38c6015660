/**
 * The clip tool: mark in and out on the player's timeline (or type the times), split, play the
 * clip. Times are seconds from the session's start, which is what `POST /streams/{id}/split` takes.
 *
 * The session's clips are the API's records (`GET /streams/{id}/clips`), so they are still there
 * after a reload or a restart: each plays from its signed link, its link can be copied, it can be
 * exported to MP4 (progress polled from the clip record), downloaded and deleted.
 */
import type { RecordingSession, StreamRecord } from '../../../core/stream.js';
import { type ApiClient, type ClipExportView, type ClipView, describeError } from '../api-client.js';
import { field, h, replaceChildren, setText, showFieldError } from '../elements.js';
import { type Playback, playHls } from '../hls-playback.js';
import { formatClock, parseClock, secondsBetween } from '../time-format.js';
import type { Panel } from './panel.js';
import type { PlayerPanel } from './player-panel.js';

export interface ClipPanel extends Panel {
  setSessions(sessions: RecordingSession[]): void;
  /** Picks a session and moves focus to the In field (the sessions list's "Clip" buttons). */
  selectSession(id: string): void;
}

export interface ClipPanelDeps {
  api: ApiClient;
  streamId: string;
  player: PlayerPanel;
}

export function clipPanel({ api, streamId, player }: ClipPanelDeps): ClipPanel {
  const session = h('select', { id: 'clip-session' });
  const inInput = h('input', {
    id: 'clip-in',
    attrs: { inputmode: 'decimal', autocomplete: 'off', placeholder: 'm:ss', spellcheck: 'false' },
  });
  const outInput = h('input', {
    id: 'clip-out',
    attrs: { inputmode: 'decimal', autocomplete: 'off', placeholder: 'm:ss', spellcheck: 'false' },
  });
  const sessionField = field('Recording session', session);
  const inField = field('In (session time)', inInput);
  const outField = field('Out (session time)', outInput);
  const precision = h('p', { class: 'hint' });
  const markIn = h('button', {
    id: 'mark-in',
    attrs: { type: 'button', disabled: true },
    text: 'Mark in at playhead',
  });
  const markOut = h('button', {
    id: 'mark-out',
    attrs: { type: 'button', disabled: true },
    text: 'Mark out at playhead',
  });
  const markHint = h('p', { class: 'hint' });
  const region = h('span', { class: 'timeline-region' });
  const head = h('span', { class: 'timeline-head', attrs: { hidden: true } });
  const timeline = h('div', { class: 'timeline', attrs: { 'aria-hidden': 'true' } }, region, head);
  const timelineLabel = h('p', { class: 'timeline-label hint' });
  const split = h('button', {
    id: 'make-clip',
    class: 'primary',
    attrs: { type: 'submit' },
    text: 'Make clip',
  });
  const problem = h('p', { class: 'alert', attrs: { role: 'alert', hidden: true } });
  const working = h('p', { attrs: { role: 'status' } });
  const results = h('ol', { id: 'clip-list', class: 'clip-list' });
  const listStatus = h('p', { class: 'hint', attrs: { role: 'status' } });
  const clipVideo = h('video', {
    id: 'clip-video',
    attrs: { controls: true, muted: true, playsinline: true, preload: 'none', 'aria-label': 'Clip' },
  });
  clipVideo.muted = true;
  const clipStatus = h('p', { attrs: { role: 'status' } });
  const clipTitle = h('h3', { id: 'clip-player-title', text: 'Clip player' });
  const clipPlayer = h(
    'div',
    { class: 'clip-player', attrs: { hidden: true } },
    clipTitle,
    h('div', { class: 'video-frame' }, clipVideo),
    clipStatus,
  );
  const form = h(
    'form',
    { attrs: { novalidate: true, 'aria-labelledby': 'clips-title' } },
    sessionField.wrapper,
    h('div', { class: 'two-columns' }, inField.wrapper, outField.wrapper),
    precision,
    h('div', { class: 'actions' }, markIn, markOut),
    markHint,
    timeline,
    timelineLabel,
    problem,
    h('div', { class: 'actions' }, split),
    working,
  );
  const element = h(
    'section',
    { class: 'card', attrs: { 'aria-labelledby': 'clips-title' } },
    h('h2', { id: 'clips-title', text: 'Clips' }),
    form,
    h('h3', { text: 'Clips of this session' }),
    listStatus,
    results,
    clipPlayer,
  );

  let sessions: RecordingSession[] = [];
  let record: StreamRecord | undefined;
  let clipPlayback: Playback | undefined;
  /** Export polls in flight, by clip id; stopped when the panel goes. */
  const polls = new Map<string, ReturnType<typeof setTimeout>>();
  let destroyed = false;
  let listed = '';

  const selected = () => sessions.find((s) => s.id === session.value);
  const lengthOf = (s: RecordingSession) => secondsBetween(s.started_at, s.stopped_at);

  function refreshMarks() {
    const at = player.playhead();
    const onTimeline = at !== undefined && at.sessionId === session.value;
    markIn.disabled = !onTimeline;
    markOut.disabled = !onTimeline;
    setText(
      markHint,
      onTimeline
        ? 'Seek on the player, then mark. You can also type the times.'
        : 'Marking needs this session playing in the player (a running stream, timeline from the session’s start). You can type the times.',
    );
    drawTimeline(at && onTimeline ? at.seconds : undefined);
  }

  function drawTimeline(playheadSeconds: number | undefined) {
    const s = selected();
    const length = s ? lengthOf(s) : 0;
    const start = parseClock(inInput.value);
    const end = parseClock(outInput.value);
    const pct = (x: number) => `${Math.min(100, Math.max(0, (x / Math.max(length, 1)) * 100))}%`;
    if (start !== undefined && end !== undefined && end > start) {
      region.hidden = false;
      region.style.left = pct(start);
      region.style.width = `calc(${pct(end)} - ${pct(start)})`;
    } else {
      region.hidden = true;
    }
    head.hidden = playheadSeconds === undefined;
    if (playheadSeconds !== undefined) head.style.left = pct(playheadSeconds);
    setText(
      timelineLabel,
      s
        ? `Session: 0:00 – ${formatClock(length)}${s.stopped_at ? '' : ' (recording)'}`
        : 'No recording session yet.',
    );
  }

  function mark(which: 'in' | 'out') {
    const at = player.playhead();
    if (!at) return;
    const input = which === 'in' ? inInput : outInput;
    input.value = formatClock(at.seconds, true);
    showFieldError(input, (which === 'in' ? inField : outField).error, undefined);
    drawTimeline(at.seconds);
  }

  markIn.addEventListener('click', () => mark('in'));
  markOut.addEventListener('click', () => mark('out'));
  inInput.addEventListener('input', () => drawTimeline(player.playhead()?.seconds));
  outInput.addEventListener('input', () => drawTimeline(player.playhead()?.seconds));
  session.addEventListener('change', () => {
    describeSession();
    refreshMarks();
    void loadClips();
  });
  player.onPlayhead(refreshMarks);

  function describeSession() {
    const s = selected();
    setText(precision, s ? `Precise to one archive file (${s.segment_length} s).` : '');
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    problem.hidden = true;
    const s = selected();
    const start = parseClock(inInput.value);
    const end = parseClock(outInput.value);
    showFieldError(inInput, inField.error, start === undefined ? 'Enter seconds or m:ss.' : undefined);
    showFieldError(
      outInput,
      outField.error,
      end === undefined
        ? 'Enter seconds or m:ss.'
        : start !== undefined && end <= start
          ? 'Out must be after In.'
          : undefined,
    );
    if (!s) {
      showFieldError(
        session,
        sessionField.error,
        'Start the stream first: clips come from a recording session.',
      );
      return;
    }
    if (start === undefined || end === undefined || end <= start) {
      (start === undefined ? inInput : outInput).focus();
      return;
    }
    split.disabled = true;
    setText(working, 'Making the clip…');
    try {
      const result = await api.split(streamId, s.id, [{ start, end }]);
      await loadClips();
      setText(
        working,
        result.clips.some((c) => c.key) ? 'Clip ready.' : 'Nothing recorded in that range yet.',
      );
    } catch (error) {
      setText(working, '');
      problem.textContent = `The clip was not made: ${describeError(error)}`;
      problem.hidden = false;
    } finally {
      split.disabled = false;
    }
  });

  /** The selected session's clips from the API, newest first, numbered from the oldest. */
  async function loadClips() {
    const s = selected();
    if (!s) {
      replaceChildren(results);
      setText(listStatus, 'No clips yet.');
      return;
    }
    try {
      const clips = await api.listClips(streamId, s.id);
      // Re-render only when something changed: a poll or a reload must not reset buttons in use.
      const key = JSON.stringify(clips.map((c) => [c.id, c.exports.map((e) => e.status)]));
      if (key === listed && results.childElementCount === clips.length) return;
      listed = key;
      replaceChildren(results, ...clips.map((clip, i) => clipItem(clip, clips.length - i)));
      setText(listStatus, clips.length === 0 ? 'No clips of this session yet.' : '');
      for (const clip of clips) if (exporting(clip)) pollExport(clip.id);
    } catch (error) {
      setText(listStatus, `The clips could not be listed: ${describeError(error)}`);
    }
  }

  const exporting = (clip: ClipView) =>
    clip.exports.some((e) => e.status === 'SUBMITTED' || e.status === 'PROGRESSING');

  function clipItem(clip: ClipView, number: number): HTMLLIElement {
    const covered = `covers ${formatClock(clip.covered.start, true)}–${formatClock(clip.covered.end, true)} (${clip.playlist.segments} archive file${clip.playlist.segments === 1 ? '' : 's'})`;
    const notes: string[] = [];
    for (const gap of clip.missing ?? [])
      notes.push(`No recording ${formatClock(gap.start)}–${formatClock(gap.end)}.`);
    if (clip.not_available_yet) {
      notes.push(
        `${formatClock(clip.not_available_yet.start)}–${formatClock(clip.not_available_yet.end)} is not archived yet: make the clip again later to include it.`,
      );
    }
    const play = h('button', { class: 'play-clip', attrs: { type: 'button' }, text: `Play clip ${number}` });
    play.addEventListener('click', () => playClip(clip.playback_url, number));
    const copied = h('span', { class: 'hint', attrs: { role: 'status' } });
    const copy = h('button', { attrs: { type: 'button' }, text: 'Copy link' });
    copy.addEventListener('click', async () => {
      try {
        await navigator.clipboard.writeText(clip.playback_url);
        setText(
          copied,
          `Link copied (plays until ${new Date(clip.playback_url_expires_at).toLocaleDateString()}).`,
        );
      } catch {
        setText(copied, clip.playback_url);
      }
    });
    const latest = clip.exports[0];
    const exportButton = h('button', {
      class: 'export-clip',
      attrs: { type: 'button', disabled: exporting(clip) },
      text: latest?.status === 'COMPLETE' ? 'Export MP4 again' : 'Export MP4',
    });
    const exportStatus = h('p', {
      class: 'export-status',
      attrs: { role: 'status' },
      text: exportText(latest),
    });
    if (latest) exportStatus.dataset.status = latest.status;
    exportButton.addEventListener('click', async () => {
      exportButton.disabled = true;
      setText(exportStatus, 'Export: starting…');
      try {
        await api.exportClip(streamId, clip.id);
        await loadClips();
      } catch (error) {
        exportButton.disabled = false;
        setText(exportStatus, `The export did not start: ${describeError(error)}`);
      }
    });
    const download =
      latest?.status === 'COMPLETE' && latest.download_url
        ? h('a', {
            class: 'download-clip',
            attrs: { href: latest.download_url, download: `${clip.name}.mp4` },
            text: `Download MP4 (${formatClock((latest.duration_ms ?? 0) / 1000, true)})`,
          })
        : null;
    const remove = h('button', {
      class: 'danger',
      attrs: { type: 'button', disabled: exporting(clip) },
      text: 'Delete clip',
    });
    let confirming = false;
    remove.addEventListener('click', async () => {
      if (!confirming) {
        confirming = true;
        setText(remove, 'Confirm delete');
        return;
      }
      remove.disabled = true;
      try {
        await api.deleteClip(streamId, clip.id);
        await loadClips();
      } catch (error) {
        remove.disabled = false;
        setText(copied, `The clip was not deleted: ${describeError(error)}`);
      }
    });
    const instant = clip.instant
      ? h('p', {
          class: 'hint',
          text: `Also playable now, without a copy, on the live origin until ${new Date(clip.instant.expires_at).toLocaleTimeString()}.`,
        })
      : null;
    return h(
      'li',
      { class: 'clip', attrs: { 'data-clip-id': clip.id, 'data-clip-key': clip.playlist.key } },
      h(
        'p',
        {},
        h('strong', { text: `Clip ${number}` }),
        ` · ${formatClock(clip.requested.start, true)}–${formatClock(clip.requested.end, true)} · made ${new Date(clip.created_at).toLocaleTimeString()}`,
      ),
      h('p', { class: 'hint', text: `Really ${covered}; the MP4 export is exact to the frame.` }),
      ...notes.map((n) => h('p', { class: 'warning', text: n })),
      instant,
      h('div', { class: 'actions' }, play, copy, exportButton, remove),
      copied,
      exportStatus,
      download,
    );
  }

  function exportText(latest: ClipExportView | undefined): string {
    switch (latest?.status) {
      case undefined:
        return '';
      case 'SUBMITTED':
        return 'Export: queued…';
      case 'PROGRESSING':
        return 'Export: encoding the MP4…';
      case 'COMPLETE':
        return 'Export: MP4 ready.';
      case 'ERROR':
        return `Export failed: ${latest.error ?? 'unknown error'}`;
    }
  }

  /** Follows a running export on its clip record until it ends (bounded: 2 hours of polls). */
  function pollExport(clipId: string, left = 4800) {
    if (polls.has(clipId) || destroyed || left <= 0) return;
    polls.set(
      clipId,
      setTimeout(async () => {
        polls.delete(clipId);
        try {
          const clip = await api.getClip(streamId, clipId);
          if (exporting(clip)) pollExport(clipId, left - 1);
          else await loadClips();
        } catch {
          pollExport(clipId, left - 1);
        }
      }, 1500),
    );
  }

  async function playClip(url: string, number: number) {
    clipPlayback?.destroy();
    clipPlayer.hidden = false;
    setText(clipTitle, `Clip player: clip ${number}`);
    // The link is signed: the player sends no credentials (segments are presigned S3 URLs).
    clipPlayback = await playHls(clipVideo, url, {
      onStatus: (s) => {
        setText(clipStatus, s.message);
        clipStatus.dataset.state = s.state;
      },
    });
    clipVideo.focus();
  }

  return {
    element,
    update(next) {
      record = next;
      refreshMarks();
    },
    setSessions(next) {
      const previous = session.value;
      sessions = next;
      const newest = [...next].reverse();
      replaceChildren(
        session,
        ...newest.map((s, i) =>
          h('option', {
            attrs: { value: s.id },
            text: `#${next.length - i} · ${new Date(s.started_at).toLocaleString()} · ${s.stopped_at ? formatClock(lengthOf(s)) : 'recording'}`,
          }),
        ),
      );
      const keep = next.some((s) => s.id === previous)
        ? previous
        : (record?.current_session_id ?? newest[0]?.id ?? '');
      session.value = keep;
      session.disabled = next.length === 0;
      describeSession();
      refreshMarks();
      void loadClips();
    },
    selectSession(id) {
      session.value = id;
      describeSession();
      refreshMarks();
      void loadClips();
      inInput.focus();
    },
    destroy() {
      destroyed = true;
      for (const poll of polls.values()) clearTimeout(poll);
      clipPlayback?.destroy();
    },
  };
}
