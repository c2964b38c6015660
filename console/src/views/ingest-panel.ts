/** Where to push: the RTMP server and stream key per destination, as OBS asks for them. */
import type { StreamRecord } from '../../../core/stream.js';
import { h, replaceChildren, setText, uniqueId } from '../elements.js';
import { splitRtmpUrl } from '../rtmp-url.js';
import type { Panel } from './panel.js';

async function copyText(text: string, fallback: HTMLInputElement): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // No clipboard permission (or no secure context): select it so Ctrl+C works.
    fallback.focus();
    fallback.select();
    return false;
  }
}

/** A secret shown hidden (a stream key, an SRT URL with its passphrase), and its Reveal/Hide toggle. */
function hiddenSecret(
  id: string,
  value: string,
  noun: string,
): { input: HTMLInputElement; reveal: HTMLElement } {
  const input = h('input', {
    id,
    attrs: { type: 'password', readonly: true, value, autocomplete: 'off', spellcheck: 'false' },
  });
  const reveal = h('button', {
    attrs: { type: 'button', 'aria-pressed': 'false', 'aria-controls': id },
    text: `Reveal ${noun}`,
  });
  reveal.addEventListener('click', () => {
    const hidden = input.type === 'password';
    input.type = hidden ? 'text' : 'password';
    reveal.setAttribute('aria-pressed', String(hidden));
    reveal.textContent = `${hidden ? 'Hide' : 'Reveal'} ${noun}`;
  });
  return { input, reveal };
}

export function ingestPanel(): Panel {
  const body = h('div');
  const announce = h('p', { class: 'visually-hidden', attrs: { role: 'status' } });
  const element = h(
    'section',
    { class: 'card', attrs: { 'aria-labelledby': 'ingest-title' } },
    h('h2', { id: 'ingest-title', text: 'Ingest (OBS)' }),
    h('p', {
      class: 'hint',
      text: 'In OBS: Settings → Stream → Service "Custom…", then paste the server and the stream key. A standard channel has two destinations: push to both for redundancy.',
    }),
    body,
    announce,
  );
  let shown = '';

  function destination(label: string, url: string | null) {
    const target = splitRtmpUrl(url);
    if (!target) return null;
    const serverId = uniqueId('rtmp-server');
    const keyId = uniqueId('rtmp-key');
    const server = h('input', {
      id: serverId,
      attrs: { readonly: true, value: target.server, spellcheck: 'false' },
    });
    const { input: key, reveal } = hiddenSecret(keyId, target.key, 'key');
    const copy = (what: string, text: string, input: HTMLInputElement) => async () => {
      const copied = await copyText(text, input);
      setText(announce, copied ? `${what} copied.` : `${what} selected: press Ctrl+C to copy it.`);
    };
    const copyServer = h('button', { attrs: { type: 'button' }, text: 'Copy server' });
    copyServer.addEventListener('click', copy(`${label} server`, target.server, server));
    const copyKey = h('button', { attrs: { type: 'button' }, text: 'Copy key' });
    // Copying never needs the key on screen.
    copyKey.addEventListener('click', copy(`${label} stream key`, target.key, key));
    return h(
      'fieldset',
      { class: 'destination' },
      h('legend', { text: label }),
      h(
        'div',
        { class: 'field' },
        h('label', { attrs: { for: serverId }, text: 'Server' }),
        h('div', { class: 'input-row' }, server, copyServer),
      ),
      h(
        'div',
        { class: 'field' },
        h('label', { attrs: { for: keyId }, text: 'Stream key' }),
        h('div', { class: 'input-row' }, key, reveal, copyKey),
      ),
    );
  }

  /** An SRT caller URL: one field for OBS's Server, hidden like a key (it holds the passphrase). */
  function srtDestination(label: string, url: string | null | undefined) {
    if (!url?.startsWith('srt://')) return null;
    const id = uniqueId('srt-url');
    const { input, reveal } = hiddenSecret(id, url, 'URL');
    const copy = h('button', { attrs: { type: 'button' }, text: 'Copy URL' });
    copy.addEventListener('click', async () => {
      const copied = await copyText(url, input);
      setText(
        announce,
        copied ? `${label} SRT URL copied.` : `${label} SRT URL selected: press Ctrl+C to copy it.`,
      );
    });
    return h(
      'fieldset',
      { class: 'destination' },
      h('legend', { text: `${label} (SRT)` }),
      h(
        'div',
        { class: 'field' },
        h('label', { attrs: { for: id }, text: 'Server (with the passphrase; leave the stream key empty)' }),
        h('div', { class: 'input-row' }, input, reveal, copy),
      ),
    );
  }

  return {
    element,
    update(record: StreamRecord) {
      const now = `${record.rtmp1 ?? ''}|${record.rtmp2 ?? ''}|${record.srt1 ?? ''}|${record.srt2 ?? ''}`;
      if (now === shown) return;
      shown = now;
      if (record.input_type === 'SRT_LISTENER') {
        const srt = [
          srtDestination('Destination 1', record.srt1),
          srtDestination('Destination 2', record.srt2),
        ];
        replaceChildren(
          body,
          ...(srt.some((d) => d !== null)
            ? srt
            : [h('p', { text: 'The SRT input is being created; its URL appears here.' })]),
        );
        return;
      }
      const destinations = [
        destination('Destination 1', record.rtmp1),
        destination('Destination 2', record.rtmp2),
      ];
      if (destinations.every((d) => d === null)) {
        replaceChildren(
          body,
          h('p', { text: 'The RTMP input is being created; its server and key appear here.' }),
        );
      } else {
        replaceChildren(body, ...destinations);
      }
    },
    destroy() {},
  };
}
