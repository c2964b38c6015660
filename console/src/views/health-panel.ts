/**
 * The stream's health, refreshed every 3 s while the page is open: a light, the newest picture,
 * per pipeline the input (connected since, frame rate, bitrate, audio), dropped frames, the
 * simulcast destinations and the active alerts; then every alert of the session.
 */
import type { StreamRecord } from '../../../core/stream.js';
import type { HealthLight, StreamHealth } from '../../../core/stream-health.js';
import { type ApiClient, describeError } from '../api-client.js';
import { h, replaceChildren, setText } from '../elements.js';
import { poll } from '../poller.js';
import { formatDateTime } from '../time-format.js';
import type { Panel } from './panel.js';

const POLL_MS = 3000;
const LIGHT_TEXT: Record<HealthLight, string> = {
  green: 'Healthy',
  amber: 'Needs attention',
  red: 'Off air',
  off: 'Not running',
};

export function healthLight(light: HealthLight): HTMLSpanElement {
  const dot = h('span', { class: `health-light ${light}`, attrs: { role: 'img' } });
  updateHealthLight(dot, light);
  return dot;
}

export function updateHealthLight(dot: HTMLElement, light: HealthLight): void {
  dot.className = `health-light ${light}`;
  dot.setAttribute('aria-label', `Health: ${LIGHT_TEXT[light]}`);
  dot.title = LIGHT_TEXT[light];
}

const rate = (bits: number | null) => (bits === null ? '–' : `${(bits / 1_000_000).toFixed(1)} Mb/s`);
const since = (at: string | null) => (at ? ` since ${formatDateTime(at)}` : '');

function pipelineBlock(p: StreamHealth['pipelines'][number]): HTMLElement {
  const input = p.input;
  const state = input.connected === null ? 'not running' : input.connected ? 'connected' : 'no input';
  return h(
    'div',
    { class: 'health-pipeline', attrs: { 'data-pipeline': p.pipeline } },
    h('h3', { text: `Pipeline ${p.pipeline + 1}` }),
    h(
      'dl',
      {},
      h('dt', { text: 'Input' }),
      h('dd', { class: input.connected === false ? 'bad' : '', text: `${state}${since(input.since)}` }),
      h('dt', { text: 'Video' }),
      h(
        'dd',
        {},
        `${input.video.frame_rate === null ? '–' : `${input.video.frame_rate} fps`} · ${rate(input.video.bitrate)}` +
          (input.video.resolution ? ` · ${input.video.resolution}` : ''),
      ),
      h('dt', { text: 'Audio' }),
      h('dd', { text: input.audio.detected === null ? '–' : input.audio.detected ? 'detected' : 'none' }),
      h('dt', { text: 'Last minute' }),
      h('dd', {}, `${p.last_minute.dropped_frames ?? 0} dropped frames`),
    ),
    p.simulcast.length
      ? h(
          'ul',
          { class: 'destinations', attrs: { 'aria-label': 'Simulcast destinations' } },
          ...p.simulcast.map((d) =>
            h(
              'li',
              { class: `destination ${d.state.toLowerCase()}` },
              `${d.name}: ${d.state.toLowerCase()}`,
              d.message ? ` (${d.message})` : '',
            ),
          ),
        )
      : null,
    p.active_alerts.length
      ? h(
          'ul',
          { class: 'alerts active' },
          ...p.active_alerts.map((a) =>
            h('li', { class: 'alert' }, `${a.type}: ${a.message}${since(a.since)}`),
          ),
        )
      : null,
  );
}

export function healthPanel(api: ApiClient, streamId: string): Panel {
  const light = healthLight('off');
  const summary = h('p', { class: 'health-summary' });
  const picture = h('img', {
    class: 'thumbnail large',
    attrs: { alt: 'Newest picture of the stream', hidden: true },
  });
  const pipelines = h('div', { class: 'health-pipelines' });
  const alerts = h('ol', { class: 'session-alerts', attrs: { 'aria-label': 'Alerts of the session' } });
  const problem = h('p', { class: 'alert', attrs: { role: 'alert', hidden: true } });
  const element = h(
    'section',
    { class: 'card health', attrs: { 'aria-labelledby': 'health-title' } },
    h('h2', { id: 'health-title' }, light, ' Health'),
    summary,
    problem,
    picture,
    pipelines,
    h('h3', { text: 'Alerts this session' }),
    alerts,
  );
  let pictureUrl: string | undefined;
  let running = false;

  const refresh = async () => {
    try {
      const health = await api.health(streamId);
      updateHealthLight(light, health.light);
      const age = health.output.newest_segment_age_seconds;
      setText(
        summary,
        `${LIGHT_TEXT[health.light]} · channel ${health.channel_state ?? 'none'}` +
          (age === null ? '' : ` · newest segment ${age.toFixed(1)} s old`) +
          ` · checked ${new Date(health.checked_at).toLocaleTimeString()}`,
      );
      replaceChildren(pipelines, ...health.pipelines.map(pipelineBlock));
      replaceChildren(
        alerts,
        ...(health.session_alerts.length
          ? health.session_alerts.map((a) =>
              h(
                'li',
                { class: a.cleared_at ? 'cleared' : 'active' },
                `${formatDateTime(a.set_at)} · pipeline ${a.pipeline + 1} · ${a.type}: ${a.message}` +
                  (a.cleared_at ? ` (cleared ${formatDateTime(a.cleared_at)})` : ' (active)'),
              ),
            )
          : [h('li', { class: 'hint', text: 'No alert.' })]),
      );
      problem.hidden = true;
      running = health.status === 'RUNNING';
      const thumbnail = running ? await api.thumbnail(streamId) : null;
      if (pictureUrl) URL.revokeObjectURL(pictureUrl);
      pictureUrl = thumbnail?.url;
      if (thumbnail) picture.src = thumbnail.url;
      picture.hidden = !thumbnail;
    } catch (error) {
      setText(problem, `Could not read the health: ${describeError(error)}`);
      problem.hidden = false;
    }
  };
  const poller = poll(refresh, POLL_MS);

  return {
    element,
    update(record: StreamRecord) {
      // A status change shows at once rather than at the next tick.
      if ((record.status === 'RUNNING') !== running) poller.now();
    },
    destroy() {
      poller.stop();
      if (pictureUrl) URL.revokeObjectURL(pictureUrl);
    },
  };
}
