import {
  ConflictException,
  DeleteInputCommand,
  DescribeInputCommand,
  type InputState,
  ListInputsCommand,
  NotFoundException,
} from '@aws-sdk/client-medialive';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { InputNotDetached } from '../../../core/errors.js';
import { deleteInput } from '../../../tasks/delete/delete-input.js';
import { anIdleStream, aStream } from '../../support/builders.js';
import { inputsOf, newMediaLive, type StoreFixture, startStore } from '../task-harness.js';

let fx: StoreFixture;
let streamId: string;
const medialive = newMediaLive();
const ml = mockClient(medialive);

beforeAll(async () => {
  fx = await startStore();
  streamId = (await fx.seed(anIdleStream({ status: 'DELETING' }))).id;
});
afterAll(async () => fx.close());
beforeEach(() => ml.reset());

const remove = () => deleteInput({ medialive, store: fx.store }, { stream_id: streamId });
const inputIs = (State: InputState) => ml.on(DescribeInputCommand).resolves({ Id: '7654321', State });

describe('deleteInput', () => {
  it('deletes a DETACHED input', async () => {
    inputIs('DETACHED');
    ml.on(DeleteInputCommand).resolves({});

    expect(await remove()).toEqual({ state: 'DELETED' });
    expect(inputsOf(ml, DescribeInputCommand)).toEqual([{ InputId: '7654321' }]);
    expect(inputsOf(ml, DeleteInputCommand)).toEqual([{ InputId: '7654321' }]);
  });

  it('throws InputNotDetached while the input is still ATTACHED, without trying to delete it', async () => {
    inputIs('ATTACHED');

    await expect(remove()).rejects.toThrow(InputNotDetached);
    expect(ml).toHaveReceivedCommandTimes(DeleteInputCommand, 0);
  });

  it('throws InputNotDetached when MediaLive refuses the delete with a ConflictException', async () => {
    inputIs('DETACHED');
    ml.on(DeleteInputCommand).rejects(new ConflictException({ message: 'in use', $metadata: {} }));

    await expect(remove()).rejects.toThrow(InputNotDetached);
  });

  it.each(['DELETING', 'DELETED'] as const)('does not delete again an input that is %s', async (state) => {
    inputIs(state);

    expect(await remove()).toEqual({ state });
    expect(ml).toHaveReceivedCommandTimes(DeleteInputCommand, 0);
  });

  it('counts an input MediaLive no longer knows as deleted', async () => {
    ml.on(DescribeInputCommand).rejects(new NotFoundException({ message: 'gone', $metadata: {} }));

    expect(await remove()).toEqual({ state: 'DELETED' });
  });

  it('does nothing for a stream that never got an input, once MediaLive has none by its name', async () => {
    const bare = await fx.seed(aStream({ status: 'DELETING', live_input_id: null }));
    ml.on(ListInputsCommand).resolves({ Inputs: [{ Id: '1', Name: 'live-OTHER', State: 'DETACHED' }] });

    expect(await deleteInput({ medialive, store: fx.store }, { stream_id: bare.id })).toEqual({
      state: 'NONE',
    });
    expect(ml).toHaveReceivedCommandTimes(DeleteInputCommand, 0);
  });

  it('records and deletes an input a cut-short create made without recording it (found by its name)', async () => {
    const bare = await fx.seed(aStream({ status: 'DELETING', live_input_id: null }));
    ml.on(ListInputsCommand).resolves({
      Inputs: [{ Id: '5555555', Name: `live-${bare.id}`, State: 'DETACHED' }],
    });
    ml.on(DescribeInputCommand).resolves({ State: 'DETACHED' });
    ml.on(DeleteInputCommand).resolves({});

    expect(await deleteInput({ medialive, store: fx.store }, { stream_id: bare.id })).toEqual({
      state: 'DELETED',
    });
    expect(ml).toHaveReceivedCommandWith(DeleteInputCommand, { InputId: '5555555' });
    expect((await fx.store.get(bare.id)).live_input_id).toBe('5555555');
  });
});
