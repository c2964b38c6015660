/**
 * One stream: status and workflow progress (polled every 2 s), lifecycle actions, ingest, player,
 * sessions, clips, and the schedule and executions panels when the API has those routes.
 */
import type { RecordingSession, StreamRecord } from '../../../core/stream.js';
import { type ApiClient, ApiError, describeError } from '../api-client.js';
import type { ConsoleContext } from '../console-context.js';
import { h, setText } from '../elements.js';
import { poll } from '../poller.js';
import { hrefOf } from '../routes.js';
import { statusBadge, updateStatusBadge } from '../status-badge.js';
import {
  availableActions,
  type ConsoleAction,
  deleteNeedsForce,
  workflowProgress,
} from '../stream-actions.js';
import { formatDateTime } from '../time-format.js';
import { clipPanel } from './clip-panel.js';
import { executionsPanel } from './executions-panel.js';
import { healthPanel } from './health-panel.js';
import { ingestPanel } from './ingest-panel.js';
import type { Panel } from './panel.js';
import { playerPanel } from './player-panel.js';
import { schedulePanel } from './schedule-panel.js';
import { sessionsPanel } from './sessions-panel.js';

const POLL_MS = 2000;

const ACTION_LABELS: Record<ConsoleAction, string> = {
  start: 'Start',
  stop: 'Stop',
  'go-live': 'Go live (CDN)',
  'end-live': 'End live',
  delete: 'Delete',
};

function runAction(
  api: ApiClient,
  action: Exclude<ConsoleAction, 'delete'>,
  id: string,
): Promise<StreamRecord> {
  switch (action) {
    case 'start':
      return api.start(id);
    case 'stop':
      return api.stop(id);
    case 'go-live':
      return api.goLive(id);
    case 'end-live':
      return api.endLive(id);
  }
}

export function mountStream(main: HTMLElement, context: ConsoleContext, id: string): () => void {
  const { api, features } = context;
  const title = h('h1', { attrs: { tabindex: -1 }, text: 'Stream' });
  const badge = statusBadge('CREATING');
  const statusLine = h('p', { class: 'status-line', attrs: { role: 'status' } }, 'Status: ', badge);
  const progress = h('progress', { attrs: { 'aria-label': 'Workflow running' } });
  const progressText = h('span');
  const progressBox = h('div', { class: 'progress', attrs: { hidden: true } }, progress, progressText);
  const lastRun = h('p', { class: 'hint' });
  const failure = h('div', { class: 'alert', attrs: { role: 'alert', hidden: true } });
  const autoStopped = h('p', { class: 'notice', attrs: { hidden: true } });
  const feedback = h('p', { class: 'feedback', attrs: { role: 'status' } });
  const meta = h('p', { class: 'meta' });
  const buttons = {} as Record<ConsoleAction, HTMLButtonElement>;
  for (const action of Object.keys(ACTION_LABELS) as ConsoleAction[]) {
    buttons[action] = h('button', {
      class: action === 'delete' ? 'danger' : action === 'start' ? 'primary' : '',
      attrs: { type: 'button', 'data-action': action, disabled: true },
      text: ACTION_LABELS[action],
    });
  }
  const confirmText = h('p');
  const confirmDelete = h('button', {
    class: 'danger',
    attrs: { type: 'button' },
    text: 'Delete permanently',
  });
  const cancelDelete = h('button', { attrs: { type: 'button' }, text: 'Keep it' });
  const confirmBox = h(
    'div',
    { class: 'confirm', attrs: { role: 'group', 'aria-label': 'Confirm deletion', hidden: true } },
    confirmText,
    h('div', { class: 'actions' }, confirmDelete, cancelDelete),
  );
  const toolbar = h(
    'div',
    { class: 'actions toolbar', attrs: { role: 'group', 'aria-label': 'Stream actions' } },
    ...Object.values(buttons),
  );

  const ingest = ingestPanel();
  const player = playerPanel();
  const clips = clipPanel({ api, streamId: id, player });
  const sessions = sessionsPanel((sessionId) => clips.selectSession(sessionId));
  const panels: Panel[] = [ingest, player, clips];
  // Health first on the page: during an event it is what the operator looks at.
  if (features.health) panels.unshift(healthPanel(api, id));
  let refreshNow: () => void = () => undefined;
  if (features.schedule) panels.push(schedulePanel(api, id, () => refreshNow()));
  if (features.executions) panels.push(executionsPanel(api, id));

  const header = h(
    'div',
    { class: 'card' },
    statusLine,
    progressBox,
    lastRun,
    meta,
    failure,
    autoStopped,
    toolbar,
    confirmBox,
    feedback,
  );
  const gone = h('div', { attrs: { hidden: true } });
  const content = h(
    'div',
    { class: 'stream-page' },
    header,
    ...panels.slice(0, 2).map((p) => p.element),
    sessions.element,
    ...panels.slice(2).map((p) => p.element),
  );
  main.replaceChildren(
    h(
      'p',
      { class: 'breadcrumb' },
      h('a', { attrs: { href: hrefOf({ page: 'streams' }) }, text: '← Streams' }),
    ),
    title,
    gone,
    content,
  );

  let record: StreamRecord | undefined;
  let sessionsKey = '';
  let deleted = false;

  async function refresh() {
    try {
      const next = await api.getStream(id);
      show(next);
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) {
        showGone();
        return;
      }
      setText(feedback, `Could not refresh: ${describeError(error)}`);
    }
  }
  const poller = poll(refresh, POLL_MS);
  refreshNow = () => poller.now();

  function show(next: StreamRecord) {
    record = next;
    setText(title, next.name);
    document.title = `${next.name} · Live streams console`;
    updateStatusBadge(badge, next.status);
    const work = workflowProgress(next);
    progressBox.hidden = !work.running;
    setText(progressText, work.running ? ` ${work.text}… (execution ${work.execution ?? 'starting'})` : '');
    setText(
      lastRun,
      !work.running && next.execution
        ? `Last workflow: ${next.execution.action}, execution ${next.execution.name}, started ${formatDateTime(next.execution.started_at)}.`
        : '',
    );
    setText(
      meta,
      [
        `Id ${next.id}`,
        next.channel_class === 'SINGLE_PIPELINE' ? 'single pipeline' : 'standard (2 pipelines)',
        `archive files of ${next.segment_length} s`,
        next.startover_window_seconds > 0 ? `rewind ${next.startover_window_seconds} s` : 'no rewind',
        next.cloudfront_associated ? 'on the CDN' : 'not on the CDN',
      ].join(' · '),
    );
    if (next.error) {
      failure.hidden = false;
      setText(
        failure,
        `${next.status === 'FAILED' ? 'Failed' : 'Last failure'} (${next.error.action}, ${formatDateTime(next.error.at)}): ${next.error.code}: ${next.error.message}`,
      );
    } else {
      failure.hidden = true;
    }
    const auto = next.auto_stopped;
    autoStopped.hidden = !auto;
    if (auto) {
      setText(
        autoStopped,
        `Stopped automatically (${auto.reason.replace('_', ' ')}) ${formatDateTime(auto.at)}: ${auto.message}`,
      );
    }
    const allowed = availableActions(next);
    for (const [action, button] of Object.entries(buttons) as Array<[ConsoleAction, HTMLButtonElement]>) {
      if (!button.dataset.busy) button.disabled = !allowed[action];
    }
    setText(buttons.delete, deleteNeedsForce(next) ? 'Stop and delete' : 'Delete');
    for (const panel of panels) panel.update(next);
    const key = `${next.current_session_id ?? ''}|${next.status}|${next.last_stopped ?? ''}`;
    if (key !== sessionsKey) {
      sessionsKey = key;
      void loadSessions();
    }
  }

  async function loadSessions() {
    try {
      const list: RecordingSession[] = await api.listSessions(id);
      player.setSessions(list);
      clips.setSessions(list);
      sessions.show(list);
    } catch (error) {
      sessions.show([], `Could not load the sessions: ${describeError(error)}`);
    }
  }

  function showGone() {
    poller.stop();
    for (const panel of panels) panel.destroy();
    content.hidden = true;
    gone.hidden = false;
    gone.replaceChildren(
      h(
        'p',
        { class: 'notice', attrs: { role: 'status' } },
        deleted
          ? 'The stream was deleted; its archive is kept.'
          : 'This stream does not exist (it may have been deleted).',
      ),
      h('p', {}, h('a', { attrs: { href: hrefOf({ page: 'streams' }) }, text: 'Back to the streams' })),
    );
  }

  for (const action of ['start', 'stop', 'go-live', 'end-live'] as const) {
    buttons[action].addEventListener('click', async () => {
      const button = buttons[action];
      button.disabled = true;
      button.dataset.busy = 'true';
      setText(feedback, `${ACTION_LABELS[action]}: asking the API…`);
      try {
        show(await runAction(api, action, id));
        setText(feedback, `${ACTION_LABELS[action]}: workflow started.`);
      } catch (error) {
        setText(feedback, `${ACTION_LABELS[action]} refused: ${describeError(error)}`);
      } finally {
        delete button.dataset.busy;
        poller.now();
      }
    });
  }
  buttons.delete.addEventListener('click', () => {
    if (!record) return;
    const force = deleteNeedsForce(record);
    setText(
      confirmText,
      `Delete “${record.name}”? ${force ? 'It is running: it will be stopped first. ' : ''}The channel, input and origin go; the archive and its clips are kept.`,
    );
    confirmBox.hidden = false;
    confirmDelete.focus();
  });
  cancelDelete.addEventListener('click', () => {
    confirmBox.hidden = true;
    buttons.delete.focus();
  });
  confirmDelete.addEventListener('click', async () => {
    if (!record) return;
    confirmDelete.disabled = true;
    try {
      show(await api.deleteStream(id, deleteNeedsForce(record)));
      deleted = true;
      setText(feedback, 'Delete: workflow started.');
      confirmBox.hidden = true;
      // The focused button just went away: keep keyboard users on the page.
      title.focus();
    } catch (error) {
      setText(feedback, `Delete refused: ${describeError(error)}`);
    } finally {
      confirmDelete.disabled = false;
      poller.now();
    }
  });

  return () => {
    poller.stop();
    for (const panel of panels) panel.destroy();
  };
}
