import {
  DeleteChannelCommand,
  DeleteOriginEndpointCommand,
  ForbiddenException,
  NotFoundException,
} from '@aws-sdk/client-mediapackage';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { deleteOriginEndpoint } from '../../../tasks/delete/delete-origin-endpoint.js';
import { deletePackageChannel } from '../../../tasks/delete/delete-package-channel.js';
import { anIdleStream, aStream } from '../../support/builders.js';
import { inputsOf, newMediaPackage, type StoreFixture, startStore } from '../task-harness.js';

let fx: StoreFixture;
const mediapackage = newMediaPackage();
const mp = mockClient(mediapackage);

beforeAll(async () => {
  fx = await startStore();
});
afterAll(async () => fx.close());
beforeEach(() => mp.reset());

const deps = () => ({ mediapackage, store: fx.store });
const notFound = () => new NotFoundException({ message: 'gone', $metadata: {} });

describe('deleteOriginEndpoint', () => {
  it("deletes the stream's origin endpoint by id", async () => {
    const record = await fx.seed(anIdleStream({ status: 'DELETING' }));
    mp.on(DeleteOriginEndpointCommand).resolves({});

    expect(await deleteOriginEndpoint(deps(), { stream_id: record.id })).toEqual({ state: 'DELETED' });
    expect(inputsOf(mp, DeleteOriginEndpointCommand)).toEqual([{ Id: 'stream-endpoint' }]);
  });

  it('counts an endpoint that is already gone as done (a retry after a partial delete)', async () => {
    const record = await fx.seed(anIdleStream({ status: 'DELETING' }));
    mp.on(DeleteOriginEndpointCommand).rejects(notFound());

    expect(await deleteOriginEndpoint(deps(), { stream_id: record.id })).toEqual({ state: 'ABSENT' });
  });

  it('does nothing for a stream that never got an endpoint', async () => {
    const record = await fx.seed(aStream({ status: 'FAILED', package_endpoint_id: null }));

    expect(await deleteOriginEndpoint(deps(), { stream_id: record.id })).toEqual({ state: 'NONE' });
    expect(mp).not.toHaveReceivedAnyCommand();
  });

  it('lets any other error through', async () => {
    const record = await fx.seed(anIdleStream({ status: 'DELETING' }));
    mp.on(DeleteOriginEndpointCommand).rejects(new ForbiddenException({ message: 'no', $metadata: {} }));

    await expect(deleteOriginEndpoint(deps(), { stream_id: record.id })).rejects.toThrow(ForbiddenException);
  });
});

describe('deletePackageChannel', () => {
  it("deletes the stream's MediaPackage channel by id", async () => {
    const record = await fx.seed(anIdleStream({ status: 'DELETING' }));
    mp.on(DeleteChannelCommand).resolves({});

    expect(await deletePackageChannel(deps(), { stream_id: record.id })).toEqual({ state: 'DELETED' });
    expect(inputsOf(mp, DeleteChannelCommand)).toEqual([{ Id: 'stream-channel' }]);
  });

  it('counts a channel that is already gone as done', async () => {
    const record = await fx.seed(anIdleStream({ status: 'DELETING' }));
    mp.on(DeleteChannelCommand).rejects(notFound());

    expect(await deletePackageChannel(deps(), { stream_id: record.id })).toEqual({ state: 'ABSENT' });
  });

  it('does nothing for a stream that never got a channel', async () => {
    const record = await fx.seed(aStream({ status: 'FAILED', package_channel_id: null }));

    expect(await deletePackageChannel(deps(), { stream_id: record.id })).toEqual({ state: 'NONE' });
    expect(mp).not.toHaveReceivedAnyCommand();
  });
});
