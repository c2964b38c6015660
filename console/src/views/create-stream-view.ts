/** The create form: the API's fields and defaults; 400 details land on the field at fault. */
import { ApiError, type CreateStreamInput, describeError } from '../api-client.js';
import type { Page } from '../console-context.js';
import { field, h, showFieldError } from '../elements.js';
import { hrefOf } from '../routes.js';

function numberInput(id: string, attrs: Record<string, string | number | boolean>): HTMLInputElement {
  return h('input', { id, attrs: { type: 'number', inputmode: 'numeric', step: 1, ...attrs } });
}

export const mountCreateStream: Page = (main, { api, navigate }) => {
  const name = h('input', { id: 'stream-name', attrs: { name: 'name', required: true, maxlength: 128 } });
  const description = h('textarea', {
    id: 'stream-description',
    attrs: { name: 'description', maxlength: 1024, rows: 2 },
  });
  const channelClass = h(
    'select',
    { id: 'stream-channel-class', attrs: { name: 'channel_class' } },
    h('option', {
      attrs: { value: 'STANDARD', selected: true },
      text: 'Standard: two pipelines, two RTMP destinations',
    }),
    h('option', { attrs: { value: 'SINGLE_PIPELINE' }, text: 'Single pipeline: about half the cost' }),
  );
  const segment = numberInput('stream-segment-length', {
    name: 'segment_length',
    min: 1,
    max: 86400,
    value: 300,
  });
  const startover = numberInput('stream-startover', {
    name: 'startover_window_seconds',
    min: 0,
    max: 1209600,
    value: 3600,
  });
  const maxDuration = numberInput('stream-max-duration', {
    name: 'max_duration_seconds',
    min: 60,
    max: 604800,
  });
  const inputLoss = numberInput('stream-input-loss', {
    name: 'stop_after_input_loss_seconds',
    min: 30,
    max: 86400,
  });

  const fields = {
    name: field('Name', name),
    description: field('Description (optional)', description),
    channel_class: field('Channel class', channelClass),
    segment_length: field(
      'Archive file length, seconds',
      segment,
      'Each archive file in S3 is this long; clips are precise to one file.',
    ),
    startover_window_seconds: field(
      'Rewind window, seconds',
      startover,
      'How far back viewers (and the clip tool) can rewind the live stream; 0 turns it off.',
    ),
    max_duration_seconds: field('Stop automatically after, seconds (optional)', maxDuration),
    stop_after_input_loss_seconds: field('Stop after input lost for, seconds (optional)', inputLoss),
  } as const;
  const controls: Record<keyof typeof fields, HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement> = {
    name,
    description,
    channel_class: channelClass,
    segment_length: segment,
    startover_window_seconds: startover,
    max_duration_seconds: maxDuration,
    stop_after_input_loss_seconds: inputLoss,
  };
  const problem = h('p', { class: 'alert', attrs: { role: 'alert', hidden: true, tabindex: -1 } });
  const submit = h('button', { class: 'primary', attrs: { type: 'submit' }, text: 'Create stream' });
  const form = h(
    'form',
    { class: 'card', attrs: { 'aria-labelledby': 'create-title', novalidate: true } },
    ...Object.values(fields).map((f) => f.wrapper),
    problem,
    h(
      'div',
      { class: 'actions' },
      submit,
      h('a', { class: 'button', attrs: { href: hrefOf({ page: 'streams' }) }, text: 'Cancel' }),
    ),
  );

  const clearErrors = () => {
    for (const [key, f] of Object.entries(fields))
      showFieldError(controls[key as keyof typeof fields], f.error, undefined);
    problem.hidden = true;
  };

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors();
    if (!name.value.trim()) {
      showFieldError(name, fields.name.error, 'Give the stream a name.');
      name.focus();
      return;
    }
    const input: CreateStreamInput = {
      name: name.value.trim(),
      channel_class: channelClass.value === 'SINGLE_PIPELINE' ? 'SINGLE_PIPELINE' : 'STANDARD',
    };
    if (description.value.trim()) input.description = description.value.trim();
    const numbers = [
      ['segment_length', segment],
      ['startover_window_seconds', startover],
      ['max_duration_seconds', maxDuration],
      ['stop_after_input_loss_seconds', inputLoss],
    ] as const;
    for (const [key, control] of numbers) {
      if (control.value === '') continue;
      const value = Number(control.value);
      if (!Number.isInteger(value)) {
        showFieldError(control, fields[key].error, 'Enter a whole number of seconds.');
        control.focus();
        return;
      }
      input[key] = value;
    }
    submit.disabled = true;
    try {
      const created = await api.createStream(input);
      navigate({ page: 'stream', id: created.id });
    } catch (error) {
      let first: HTMLElement | undefined;
      if (error instanceof ApiError) {
        for (const detail of error.details) {
          const key = detail.field.split(/[.[]/)[0] as keyof typeof fields;
          const f = fields[key];
          if (!f) continue;
          showFieldError(controls[key], f.error, detail.reason);
          first ??= controls[key];
        }
      }
      problem.textContent = `The stream was not created: ${describeError(error)}`;
      problem.hidden = false;
      (first ?? problem).focus?.();
    } finally {
      submit.disabled = false;
    }
  });

  main.replaceChildren(h('h1', { id: 'create-title', attrs: { tabindex: -1 }, text: 'New stream' }), form);
  return () => undefined;
};
