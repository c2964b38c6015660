/**
 * The stream's workflow executions and their steps (the Step Functions history), shown only when
 * the API has `GET /streams/{id}/executions`. No version of the API defines its answer yet, so this
 * renders what it finds: a list of executions, each with `steps`, `events` or `history` if present.
 */
import type { StreamRecord } from '../../../core/stream.js';
import { type ApiClient, describeError } from '../api-client.js';
import { h, replaceChildren } from '../elements.js';
import { formatDateTime } from '../time-format.js';
import type { Panel } from './panel.js';

type Json = Record<string, unknown>;

const text = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? String(v) : '');
const when = (v: unknown) =>
  typeof v === 'string' && !Number.isNaN(Date.parse(v)) ? formatDateTime(v) : text(v);

function itemsOf(answer: unknown): Json[] {
  const list = Array.isArray(answer) ? answer : (answer as { executions?: unknown } | null)?.executions;
  return Array.isArray(list) ? list.filter((x): x is Json => typeof x === 'object' && x !== null) : [];
}

function stepsOf(execution: Json): Json[] {
  for (const key of ['steps', 'events', 'history']) {
    const list = execution[key];
    if (Array.isArray(list)) return list.filter((x): x is Json => typeof x === 'object' && x !== null);
  }
  return [];
}

export function executionsPanel(api: ApiClient, streamId: string): Panel {
  const body = h('div');
  const element = h(
    'section',
    { class: 'card', attrs: { 'aria-labelledby': 'executions-title' } },
    h('h2', { id: 'executions-title', text: 'Workflow executions' }),
    body,
  );
  let lastKey = '';

  async function load() {
    try {
      const executions = itemsOf(await api.listExecutions(streamId));
      if (executions.length === 0) {
        replaceChildren(body, h('p', { text: 'No execution yet.' }));
        return;
      }
      replaceChildren(
        body,
        h(
          'ol',
          { class: 'executions' },
          ...executions.map((e) => {
            const steps = stepsOf(e);
            const summary = [text(e.action), text(e.status), when(e.started_at ?? e.startDate)]
              .filter(Boolean)
              .join(' · ');
            return h(
              'li',
              {},
              h(
                'details',
                {},
                h(
                  'summary',
                  {},
                  h('code', { text: text(e.name) || '(unnamed)' }),
                  summary ? ` ${summary}` : '',
                ),
                steps.length
                  ? h(
                      'ol',
                      { class: 'steps' },
                      ...steps.map((s) =>
                        h(
                          'li',
                          {},
                          [
                            text(s.name ?? s.state),
                            text(s.status ?? s.type),
                            when(s.entered_at ?? s.timestamp),
                          ]
                            .filter(Boolean)
                            .join(' · '),
                        ),
                      ),
                    )
                  : h('p', { class: 'hint', text: 'No steps reported.' }),
                text(e.error) ? h('p', { class: 'alert', text: `${text(e.error)}: ${text(e.cause)}` }) : null,
              ),
            );
          }),
        ),
      );
    } catch (error) {
      replaceChildren(
        body,
        h('p', { class: 'alert', text: `Could not load the executions: ${describeError(error)}` }),
      );
    }
  }

  return {
    element,
    update(record: StreamRecord) {
      // Reload when a workflow starts or the stream changes status, not on every poll.
      const key = `${record.execution?.name ?? ''}|${record.status}`;
      if (key === lastKey) return;
      lastKey = key;
      void load();
    },
    destroy() {},
  };
}
