/** The streams, each status live (polled every 2 s), a page at a time. */
import type { StreamSummary } from '../../../core/stream.js';
import { describeError } from '../api-client.js';
import type { Page } from '../console-context.js';
import { h, setText } from '../elements.js';
import { poll } from '../poller.js';
import { hrefOf } from '../routes.js';
import { statusBadge, updateStatusBadge } from '../status-badge.js';
import { workflowProgress } from '../stream-actions.js';
import { epochToIso, formatDateTime } from '../time-format.js';
import { healthLight, updateHealthLight } from './health-panel.js';

const PAGE_SIZE = 25;
const POLL_MS = 2000;
/** Pictures and health lights of running streams: a few requests each, every 4 s is plenty. */
const PREVIEW_MS = 4000;

interface Row {
  item: HTMLLIElement;
  link: HTMLAnchorElement;
  badge: HTMLSpanElement;
  meta: HTMLParagraphElement;
  activity: HTMLParagraphElement;
  light: HTMLSpanElement;
  picture: HTMLImageElement;
  pictureUrl?: string | undefined;
  running: boolean;
}

export const mountStreamList: Page = (main, { api, features }) => {
  const list = h('ul', { class: 'stream-list', attrs: { 'aria-labelledby': 'streams-title' } });
  const empty = h(
    'p',
    { class: 'empty', attrs: { hidden: true } },
    'No streams yet. ',
    h('a', { attrs: { href: hrefOf({ page: 'create' }) }, text: 'Create one' }),
    '.',
  );
  const problem = h('p', { class: 'alert', attrs: { role: 'alert', hidden: true } });
  const updated = h('p', { class: 'hint' });
  const previous = h('button', { attrs: { type: 'button', disabled: true }, text: 'Previous page' });
  const next = h('button', { attrs: { type: 'button', disabled: true }, text: 'Next page' });
  const rows = new Map<string, Row>();
  // Tokens of the pages before the current one; the first page has none.
  const tokens: Array<string | null> = [null];
  let nextToken: string | null = null;

  const refresh = async () => {
    try {
      const page = await api.listStreams(PAGE_SIZE, tokens[tokens.length - 1]);
      render(page.items);
      nextToken = page.nextToken;
      next.disabled = !nextToken;
      previous.disabled = tokens.length <= 1;
      problem.hidden = true;
      setText(updated, `Updated ${new Date().toLocaleTimeString()}; refreshes every ${POLL_MS / 1000} s.`);
    } catch (error) {
      setText(problem, `Could not load the streams: ${describeError(error)}`);
      problem.hidden = false;
    }
  };
  const poller = poll(refresh, POLL_MS);
  const previews = features.health
    ? poll(async () => {
        await Promise.all([...rows.entries()].map(([id, row]) => preview(id, row)));
      }, PREVIEW_MS)
    : undefined;

  /** A running stream's health light and newest picture; neither for the others. */
  async function preview(id: string, row: Row) {
    if (!row.running) {
      row.light.hidden = true;
      row.picture.hidden = true;
      return;
    }
    const [health, thumbnail] = await Promise.all([
      api.health(id).catch(() => undefined),
      api.thumbnail(id).catch(() => null),
    ]);
    if (health) updateHealthLight(row.light, health.light);
    row.light.hidden = !health;
    if (row.pictureUrl) URL.revokeObjectURL(row.pictureUrl);
    row.pictureUrl = thumbnail?.url;
    if (thumbnail) row.picture.src = thumbnail.url;
    row.picture.hidden = !thumbnail;
  }
  next.addEventListener('click', () => {
    if (!nextToken) return;
    tokens.push(nextToken);
    poller.now();
  });
  previous.addEventListener('click', () => {
    if (tokens.length > 1) tokens.pop();
    poller.now();
  });

  function render(streams: StreamSummary[]) {
    const seen = new Set<string>();
    const order: HTMLLIElement[] = [];
    for (const stream of streams) {
      seen.add(stream.id);
      let row = rows.get(stream.id);
      if (!row) {
        row = createRow(stream);
        rows.set(stream.id, row);
      }
      updateRow(row, stream);
      order.push(row.item);
    }
    for (const [id, row] of rows) {
      if (!seen.has(id)) {
        row.item.remove();
        if (row.pictureUrl) URL.revokeObjectURL(row.pictureUrl);
        rows.delete(id);
      }
    }
    // Moving a node drops its focus: only reorder when the order really changed.
    const current = [...list.children];
    if (current.length !== order.length || current.some((node, i) => node !== order[i]))
      list.replaceChildren(...order);
    empty.hidden = streams.length > 0 || tokens.length > 1;
  }

  function createRow(stream: StreamSummary): Row {
    const link = h('a', { class: 'stream-name', attrs: { href: hrefOf({ page: 'stream', id: stream.id }) } });
    const badge = statusBadge(stream.status);
    const meta = h('p', { class: 'meta' });
    const activity = h('p', { class: 'activity' });
    const light = healthLight('off');
    light.hidden = true;
    const picture = h('img', {
      class: 'thumbnail',
      attrs: { alt: `Newest picture of ${stream.name}`, hidden: true, width: 160, height: 90 },
    });
    const item = h(
      'li',
      { class: 'stream-card', attrs: { 'data-stream-id': stream.id } },
      picture,
      h('div', { class: 'stream-card-head' }, light, link, badge),
      meta,
      activity,
    );
    return { item, link, badge, meta, activity, light, picture, running: false };
  }

  function updateRow(row: Row, stream: StreamSummary) {
    const wasRunning = row.running;
    row.running = stream.status === 'RUNNING';
    if (row.running !== wasRunning) void preview(stream.id, row);
    setText(row.link, stream.name);
    updateStatusBadge(row.badge, stream.status);
    const started = epochToIso(stream.last_started);
    const parts = [
      stream.id,
      stream.channel_class === 'SINGLE_PIPELINE' ? 'single pipeline' : 'standard (2 pipelines)',
      stream.cloudfront_associated ? 'on the CDN' : '',
      started ? `last started ${formatDateTime(started)}` : 'never started',
    ].filter(Boolean);
    setText(row.meta, parts.join(' · '));
    const progress = workflowProgress(stream);
    const failure =
      stream.status === 'FAILED' && stream.error
        ? `Failed (${stream.error.action}): ${stream.error.message}`
        : '';
    setText(row.activity, progress.running ? `${progress.text}…` : failure);
    row.activity.className = failure ? 'activity failed' : 'activity';
  }

  main.replaceChildren(
    h(
      'div',
      { class: 'page-head' },
      h('h1', { id: 'streams-title', attrs: { tabindex: -1 }, text: 'Streams' }),
      h('a', { class: 'button primary', attrs: { href: hrefOf({ page: 'create' }) }, text: 'New stream' }),
    ),
    problem,
    list,
    empty,
    h('div', { class: 'pager' }, previous, next),
    updated,
  );
  return () => {
    poller.stop();
    previews?.stop();
    for (const row of rows.values()) if (row.pictureUrl) URL.revokeObjectURL(row.pictureUrl);
  };
};
