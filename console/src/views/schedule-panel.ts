/**
 * The stream's schedule (set, change, cancel): shown only when the API has
 * `POST|GET|DELETE /streams/{id}/schedule` (found in its OpenAPI document).
 */
import type { StreamRecord } from '../../../core/stream.js';
import { type ApiClient, ApiError, describeError } from '../api-client.js';
import { field, h, setText, showFieldError } from '../elements.js';
import { formatDateTime, fromLocalInput, toLocalInput } from '../time-format.js';
import type { Panel } from './panel.js';

export function schedulePanel(api: ApiClient, streamId: string, refresh: () => void): Panel {
  const current = h('p', { attrs: { role: 'status' } });
  const startAt = h('input', { id: 'schedule-start', attrs: { type: 'datetime-local', required: true } });
  const stopAt = h('input', { id: 'schedule-stop', attrs: { type: 'datetime-local' } });
  const startField = field('Start at (your local time)', startAt);
  const stopField = field('Stop at (optional)', stopAt);
  const save = h('button', { class: 'primary', attrs: { type: 'submit' }, text: 'Save schedule' });
  const cancel = h('button', { attrs: { type: 'button' }, text: 'Cancel schedule' });
  const problem = h('p', { class: 'alert', attrs: { role: 'alert', hidden: true } });
  const unavailable = h('p', { class: 'notice', attrs: { role: 'status', hidden: true } });
  const form = h(
    'form',
    { attrs: { novalidate: true, 'aria-labelledby': 'schedule-title' } },
    h('div', { class: 'two-columns' }, startField.wrapper, stopField.wrapper),
    problem,
    h('div', { class: 'actions' }, save, cancel),
  );
  const element = h(
    'section',
    { class: 'card', attrs: { 'aria-labelledby': 'schedule-title' } },
    h('h2', { id: 'schedule-title', text: 'Schedule' }),
    current,
    form,
    unavailable,
  );
  let shownSchedule = '';
  const fail = (error: unknown) => {
    // The route exists but this deployment has no schedule group (FeatureNotConfigured).
    if (error instanceof ApiError && error.code === 'FeatureNotConfigured') {
      form.hidden = true;
      unavailable.textContent = `Schedules are not available here: ${error.message}`;
      unavailable.hidden = false;
      return;
    }
    if (error instanceof ApiError) {
      for (const d of error.details) {
        if (d.field.startsWith('start_at')) showFieldError(startAt, startField.error, d.reason);
        if (d.field.startsWith('stop_at')) showFieldError(stopAt, stopField.error, d.reason);
      }
    }
    problem.textContent = describeError(error);
    problem.hidden = false;
  };

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    problem.hidden = true;
    showFieldError(startAt, startField.error, undefined);
    showFieldError(stopAt, stopField.error, undefined);
    const start = fromLocalInput(startAt.value);
    if (!start) {
      showFieldError(startAt, startField.error, 'Pick the start date and time.');
      startAt.focus();
      return;
    }
    const stop = fromLocalInput(stopAt.value);
    save.disabled = true;
    try {
      await api.setSchedule(streamId, { start_at: start, ...(stop ? { stop_at: stop } : {}) });
      refresh();
    } catch (error) {
      fail(error);
    } finally {
      save.disabled = false;
    }
  });
  cancel.addEventListener('click', async () => {
    problem.hidden = true;
    cancel.disabled = true;
    try {
      await api.cancelSchedule(streamId);
      refresh();
    } catch (error) {
      fail(error);
    } finally {
      cancel.disabled = false;
    }
  });

  return {
    element,
    update(record: StreamRecord) {
      const schedule = record.schedule;
      const parts: string[] = [];
      if (schedule) {
        parts.push(
          `Starts ${formatDateTime(schedule.start_at)}${schedule.start_fired_at ? ` (fired ${formatDateTime(schedule.start_fired_at)})` : ''}.`,
        );
        if (schedule.stop_at) {
          parts.push(
            `Stops ${formatDateTime(schedule.stop_at)}${schedule.stop_fired_at ? ` (fired ${formatDateTime(schedule.stop_fired_at)})` : ''}.`,
          );
        }
        if (schedule.last_result) parts.push(`Last result: ${schedule.last_result}.`);
      }
      setText(current, parts.length ? parts.join(' ') : 'No schedule.');
      cancel.hidden = !schedule;
      // Fill the form from the record only when the schedule changed, not while someone edits it.
      const key = JSON.stringify(schedule);
      if (key !== shownSchedule) {
        shownSchedule = key;
        startAt.value = toLocalInput(schedule?.start_at);
        stopAt.value = toLocalInput(schedule?.stop_at);
      }
    },
    destroy() {},
  };
}
