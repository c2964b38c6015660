import {
  CreateInputCommand,
  DescribeInputCommand,
  InternalServerErrorException,
  TooManyRequestsException,
} from '@aws-sdk/client-medialive';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { StreamNotFound } from '../../../core/errors.js';
import { createInput, newStreamKey } from '../../../tasks/create/create-input.js';
import { aStream } from '../../support/builders.js';
import {
  INPUT_SECURITY_GROUP_ID,
  inputsOf,
  modelProblems,
  newMediaLive,
  type StoreFixture,
  startStore,
} from '../task-harness.js';

let fx: StoreFixture;
const medialive = newMediaLive();
const ml = mockClient(medialive);

beforeAll(async () => {
  fx = await startStore();
});
afterAll(async () => fx.close());
beforeEach(() => ml.reset());

const deps = () => ({ medialive, store: fx.store, inputSecurityGroupId: INPUT_SECURITY_GROUP_ID });

function answerWith(urls: string[]) {
  ml.on(CreateInputCommand).resolves({
    Input: { Id: '7654321', Destinations: urls.map((Url) => ({ Url })) },
  });
}

describe('createInput', () => {
  it('creates an RTMP_PUSH input with two live1/live2 destinations for a STANDARD channel', async () => {
    const record = await fx.seed(aStream({ channel_class: 'STANDARD' }));
    answerWith(['rtmp://198.51.100.1:1935/live1/k1', 'rtmp://198.51.100.2:1935/live2/k2']);

    const out = await createInput(deps(), { stream_id: record.id });

    expect(out).toEqual({ live_input_id: '7654321' });
    expect(ml).toHaveReceivedCommandTimes(CreateInputCommand, 1);
    const [sent] = inputsOf(ml, CreateInputCommand);
    expect(sent).toEqual({
      Name: `live-${record.id}`,
      Type: 'RTMP_PUSH',
      InputSecurityGroups: [INPUT_SECURITY_GROUP_ID],
      Destinations: [
        { StreamName: expect.stringMatching(/^live1\/[0-9a-f]{32}$/) },
        { StreamName: expect.stringMatching(/^live2\/[0-9a-f]{32}$/) },
      ],
      RequestId: `${record.id}-input`,
      Tags: { stream_id: record.id },
    });
    const keys = sent?.Destinations?.map((d) => d.StreamName?.split('/')[1]);
    expect(new Set(keys).size).toBe(2);
    expect(modelProblems('medialive', 'CreateInput', sent)).toBe('');
  });

  it('creates one live1 destination for a SINGLE_PIPELINE channel', async () => {
    const record = await fx.seed(aStream({ channel_class: 'SINGLE_PIPELINE' }));
    answerWith(['rtmp://198.51.100.1:1935/live1/k1']);

    await createInput(deps(), { stream_id: record.id });

    expect(ml).toHaveReceivedCommandWith(CreateInputCommand, {
      Type: 'RTMP_PUSH',
      InputSecurityGroups: [INPUT_SECURITY_GROUP_ID],
      Destinations: [{ StreamName: expect.stringMatching(/^live1\/[0-9a-f]{32}$/) }],
      RequestId: `${record.id}-input`,
    });
  });

  it('uses the injected key generator for every destination', async () => {
    const record = await fx.seed(aStream());
    answerWith(['rtmp://a/live1/x', 'rtmp://b/live2/y']);
    let n = 0;

    await createInput({ ...deps(), newKey: () => `key${++n}` }, { stream_id: record.id });

    expect(ml).toHaveReceivedCommandWith(CreateInputCommand, {
      Destinations: [{ StreamName: 'live1/key1' }, { StreamName: 'live2/key2' }],
    });
  });

  it('records the input id and both push URLs, never putting the keys in its output', async () => {
    const record = await fx.seed(aStream());
    answerWith(['rtmp://198.51.100.1:1935/live1/secret1', 'rtmp://198.51.100.2:1935/live2/secret2']);

    const out = await createInput(deps(), { stream_id: record.id });

    const read = await fx.store.get(record.id);
    expect(read.live_input_id).toBe('7654321');
    expect(read.rtmp1).toBe('rtmp://198.51.100.1:1935/live1/secret1');
    expect(read.rtmp2).toBe('rtmp://198.51.100.2:1935/live2/secret2');
    expect(JSON.stringify(out)).not.toContain('secret');
  });

  it('leaves rtmp2 empty for a single-destination input', async () => {
    const record = await fx.seed(aStream({ channel_class: 'SINGLE_PIPELINE' }));
    answerWith(['rtmp://198.51.100.1:1935/live1/k']);

    await createInput(deps(), { stream_id: record.id });

    const read = await fx.store.get(record.id);
    expect(read.rtmp1).toBe('rtmp://198.51.100.1:1935/live1/k');
    expect(read.rtmp2).toBeNull();
  });

  it('on a retried step finds the input it already created instead of creating another', async () => {
    const record = await fx.seed(aStream({ live_input_id: '1111111' }));
    ml.on(DescribeInputCommand).resolves({ Id: '1111111', State: 'DETACHED' });

    const out = await createInput(deps(), { stream_id: record.id });

    expect(out).toEqual({ live_input_id: '1111111' });
    expect(ml).toHaveReceivedCommandWith(DescribeInputCommand, { InputId: '1111111' });
    expect(ml).toHaveReceivedCommandTimes(CreateInputCommand, 0);
  });

  it('fails when MediaLive answers without an input id, writing nothing', async () => {
    const record = await fx.seed(aStream());
    ml.on(CreateInputCommand).resolves({ Input: {} });

    await expect(createInput(deps(), { stream_id: record.id })).rejects.toThrow(/without an input id/);
    expect((await fx.store.get(record.id)).live_input_id).toBeNull();
  });

  it('lets throttling and 5xx through under their own names, for the machine to retry', async () => {
    const record = await fx.seed(aStream());
    ml.on(CreateInputCommand)
      .rejectsOnce(new TooManyRequestsException({ message: 'slow down', $metadata: {} }))
      .rejectsOnce(new InternalServerErrorException({ message: 'oops', $metadata: {} }));

    await expect(createInput(deps(), { stream_id: record.id })).rejects.toThrow(TooManyRequestsException);
    await expect(createInput(deps(), { stream_id: record.id })).rejects.toThrow(InternalServerErrorException);
  });

  it('throws StreamNotFound for a stream that does not exist, before calling MediaLive', async () => {
    await expect(createInput(deps(), { stream_id: 'NOPE000000000000' })).rejects.toThrow(StreamNotFound);
    expect(ml).not.toHaveReceivedAnyCommand();
  });
});

describe('newStreamKey', () => {
  it('makes 128-bit hex keys that do not repeat', () => {
    const keys = Array.from({ length: 200 }, () => newStreamKey());
    for (const key of keys) expect(key).toMatch(/^[0-9a-f]{32}$/);
    expect(new Set(keys).size).toBe(keys.length);
  });
});
