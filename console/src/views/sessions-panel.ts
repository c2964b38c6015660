/** Recording sessions: one per start, newest first, each with a way into the clip tool. */
import type { RecordingSession } from '../../../core/stream.js';
import { h, replaceChildren } from '../elements.js';
import { formatClock, formatDateTime, secondsBetween } from '../time-format.js';

export interface SessionsPanel {
  element: HTMLElement;
  show(sessions: RecordingSession[], problem?: string): void;
}

export function sessionsPanel(onClip: (sessionId: string) => void): SessionsPanel {
  const body = h('div', { class: 'table-wrap' });
  const element = h(
    'section',
    { class: 'card', attrs: { 'aria-labelledby': 'sessions-title' } },
    h('h2', { id: 'sessions-title', text: 'Recording sessions' }),
    body,
  );
  let shown = '';
  return {
    element,
    show(sessions, problem) {
      const key = JSON.stringify([sessions, problem]);
      if (key === shown) return;
      shown = key;
      if (problem) {
        replaceChildren(body, h('p', { class: 'alert', text: problem }));
        return;
      }
      if (sessions.length === 0) {
        replaceChildren(body, h('p', { text: 'No session yet: every start records one to the archive.' }));
        return;
      }
      const rows = [...sessions].reverse().map((s, i) => {
        const clip = h('button', { attrs: { type: 'button' }, text: 'Clip' });
        clip.setAttribute('aria-label', `Clip session ${sessions.length - i}`);
        clip.addEventListener('click', () => onClip(s.id));
        return h(
          'tr',
          { attrs: { 'data-session-id': s.id } },
          h('th', { attrs: { scope: 'row' }, text: `#${sessions.length - i}` }),
          h('td', { text: formatDateTime(s.started_at) }),
          h('td', { text: s.stopped_at ? formatDateTime(s.stopped_at) : 'recording' }),
          h('td', { text: s.stopped_at ? formatClock(secondsBetween(s.started_at, s.stopped_at)) : 'live' }),
          h('td', {}, h('code', { text: s.uri })),
          h('td', {}, clip),
        );
      });
      replaceChildren(
        body,
        h(
          'table',
          {},
          h('caption', { class: 'visually-hidden', text: 'Recording sessions, newest first' }),
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ...['Session', 'Started', 'Stopped', 'Length', 'Archive', ''].map((t) =>
                h('th', { attrs: { scope: 'col' }, text: t }),
              ),
            ),
          ),
          h('tbody', {}, ...rows),
        ),
      );
    },
  };
}
