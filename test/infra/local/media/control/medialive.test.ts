import {
  BadRequestException,
  ConflictException,
  CreateChannelCommand,
  CreateInputCommand,
  CreateInputSecurityGroupCommand,
  DeleteChannelCommand,
  DeleteInputCommand,
  DescribeChannelCommand,
  DescribeInputCommand,
  ListChannelsCommand,
  ListInputSecurityGroupsCommand,
  ListMultiplexesCommand,
  MediaLiveServiceException,
  NotFoundException,
  StartChannelCommand,
  StopChannelCommand,
  UnprocessableEntityException,
  UpdateChannelCommand,
} from '@aws-sdk/client-medialive';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { requestTo, send, signer } from '../../../../support/sigv4.js';
import {
  CREDENTIALS,
  channelRequest,
  createRtmpInput,
  FAST_TIMINGS,
  type Harness,
  pollChannelState,
  sleep,
  startHarness,
  waitFor,
  wireProblems,
} from './control-plane-harness.js';

let h: Harness;

beforeEach(async () => {
  h = await startHarness();
});

afterEach(async () => {
  // Every answer of every test must match the botocore model, errors included.
  try {
    expect(wireProblems(h.exchanges)).toEqual([]);
  } finally {
    await h.close();
  }
});

/** Replaces the harness with one whose transitions take the given times (the old one is checked and closed). */
async function useTimings(timings: Partial<typeof FAST_TIMINGS>) {
  try {
    expect(wireProblems(h.exchanges)).toEqual([]);
  } finally {
    await h.close();
  }
  h = await startHarness({ timings: { ...FAST_TIMINGS, ...timings } });
}

async function idleChannel(overrides: Parameters<typeof channelRequest>[1] = {}) {
  const inputId = await createRtmpInput(h.medialive);
  const { Channel } = await h.medialive.send(new CreateChannelCommand(channelRequest(inputId, overrides)));
  const channelId = Channel?.Id ?? '';
  await pollChannelState(h.medialive, channelId, 'IDLE');
  return { inputId, channelId };
}

describe('MediaLive inputs', () => {
  it('creates an RTMP_PUSH input whose destinations are URLs on the local RTMP server', async () => {
    const { SecurityGroup } = await h.medialive.send(
      new CreateInputSecurityGroupCommand({
        WhitelistRules: [{ Cidr: '10.0.0.0/8' }],
      }),
    );
    const { Input } = await h.medialive.send(
      new CreateInputCommand({
        Type: 'RTMP_PUSH',
        Name: 's1',
        InputSecurityGroups: [SecurityGroup?.Id ?? ''],
        Destinations: [{ StreamName: 'live/key-a' }, { StreamName: 'live/key-b' }],
      }),
    );
    expect(Input?.Id).toMatch(/^\d{7}$/);
    expect(Input?.Arn).toBe(`arn:aws:medialive:us-east-1:000000000000:input:${Input?.Id}`);
    expect(Input?.Destinations?.map((d) => d.Url)).toEqual([
      'rtmp://127.0.0.1:1935/live/key-a',
      'rtmp://127.0.0.1:1935/live/key-b',
    ]);
    expect(Input?.InputClass).toBe('STANDARD');
    expect(Input?.State).toBe('DETACHED');
    const { InputSecurityGroups } = await h.medialive.send(new ListInputSecurityGroupsCommand({}));
    const group = InputSecurityGroups?.find((g) => g.Id === SecurityGroup?.Id);
    expect(group?.State).toBe('IN_USE');
    expect(group?.Inputs).toEqual([Input?.Id]);
    expect(group?.WhitelistRules).toEqual([{ Cidr: '10.0.0.0/8' }]);
  });

  it('makes a one-destination input a SINGLE_PIPELINE input', async () => {
    const inputId = await createRtmpInput(h.medialive, ['live/only-one']);
    const input = await h.medialive.send(new DescribeInputCommand({ InputId: inputId }));
    expect(input.InputClass).toBe('SINGLE_PIPELINE');
    expect(input.Destinations).toHaveLength(1);
  });

  it('refuses inputs that are not RTMP_PUSH, have no or three destinations, or reuse a stream name', async () => {
    const { SecurityGroup } = await h.medialive.send(
      new CreateInputSecurityGroupCommand({
        WhitelistRules: [{ Cidr: '0.0.0.0/0' }],
      }),
    );
    const groups = [SecurityGroup?.Id ?? ''];
    const create = (input: Partial<ConstructorParameters<typeof CreateInputCommand>[0]>) =>
      h.medialive.send(new CreateInputCommand({ Type: 'RTMP_PUSH', InputSecurityGroups: groups, ...input }));
    await expect(create({ Type: 'URL_PULL', Destinations: [{ StreamName: 'a/b' }] })).rejects.toThrow(
      BadRequestException,
    );
    await expect(create({ Destinations: [] })).rejects.toThrow(BadRequestException);
    await expect(
      create({ Destinations: [{ StreamName: 'a/1' }, { StreamName: 'a/2' }, { StreamName: 'a/3' }] }),
    ).rejects.toThrow(BadRequestException);
    await expect(create({ Destinations: [{ StreamName: 'no-slash' }] })).rejects.toThrow(BadRequestException);
    await expect(create({ Destinations: [{ StreamName: 'a/b' }], InputSecurityGroups: [] })).rejects.toThrow(
      BadRequestException,
    );
    await create({ Destinations: [{ StreamName: 'live/taken' }] });
    await expect(create({ Destinations: [{ StreamName: 'live/taken' }] })).rejects.toThrow(
      BadRequestException,
    );
  });

  it('answers an unknown input with NotFoundException', async () => {
    await expect(h.medialive.send(new DescribeInputCommand({ InputId: '9999999' }))).rejects.toThrow(
      NotFoundException,
    );
  });

  it('returns the same input when CreateInput is retried with the same RequestId', async () => {
    const { SecurityGroup } = await h.medialive.send(
      new CreateInputSecurityGroupCommand({
        WhitelistRules: [{ Cidr: '0.0.0.0/0' }],
      }),
    );
    const request = {
      Type: 'RTMP_PUSH' as const,
      RequestId: 'retry-1',
      InputSecurityGroups: [SecurityGroup?.Id ?? ''],
      Destinations: [{ StreamName: 'live/retry' }],
    };
    const first = await h.medialive.send(new CreateInputCommand(request));
    const second = await h.medialive.send(new CreateInputCommand(request));
    expect(second.Input?.Id).toBe(first.Input?.Id);
    expect(Object.keys(h.controlPlane.state.medialive.inputs)).toHaveLength(1);
  });

  it('tracks input state: DETACHED, ATTACHED to a channel, DETACHED once the channel is DELETED', async () => {
    await useTimings({ deleteMs: 500 });
    const inputId = await createRtmpInput(h.medialive);
    const { Channel } = await h.medialive.send(new CreateChannelCommand(channelRequest(inputId)));
    const attached = await h.medialive.send(new DescribeInputCommand({ InputId: inputId }));
    expect(attached.State).toBe('ATTACHED');
    expect(attached.AttachedChannels).toEqual([Channel?.Id]);

    await pollChannelState(h.medialive, Channel?.Id ?? '', 'IDLE');
    await h.medialive.send(new DeleteChannelCommand({ ChannelId: Channel?.Id }));
    const whileDeleting = await h.medialive.send(new DescribeInputCommand({ InputId: inputId }));
    expect(whileDeleting.State).toBe('ATTACHED');
    await pollChannelState(h.medialive, Channel?.Id ?? '', 'DELETED');
    const detached = await h.medialive.send(new DescribeInputCommand({ InputId: inputId }));
    expect(detached.State).toBe('DETACHED');
    expect(detached.AttachedChannels).toEqual([]);
  });

  it('refuses DeleteInput with ConflictException while the input is attached to a channel not DELETED', async () => {
    await useTimings({ deleteMs: 300 });
    const { inputId, channelId } = await idleChannel();
    await expect(h.medialive.send(new DeleteInputCommand({ InputId: inputId }))).rejects.toThrow(
      ConflictException,
    );
    await h.medialive.send(new DeleteChannelCommand({ ChannelId: channelId }));
    await expect(h.medialive.send(new DeleteInputCommand({ InputId: inputId }))).rejects.toThrow(
      ConflictException,
    );
    await pollChannelState(h.medialive, channelId, 'DELETED');

    await h.medialive.send(new DeleteInputCommand({ InputId: inputId }));
    const deleting = await h.medialive.send(new DescribeInputCommand({ InputId: inputId }));
    expect(deleting.State).toBe('DELETING');
    let state = deleting.State;
    while (state === 'DELETING') {
      await sleep(10);
      state = (await h.medialive.send(new DescribeInputCommand({ InputId: inputId }))).State;
    }
    expect(state).toBe('DELETED');
    const groups = await h.medialive.send(new ListInputSecurityGroupsCommand({}));
    expect(groups.InputSecurityGroups?.every((group) => group.State === 'IDLE')).toBe(true);
  });
});

describe('MediaLive channel lifecycle', () => {
  it('runs a channel through CREATING → IDLE → STARTING → RUNNING → STOPPING → IDLE → DELETING → DELETED', async () => {
    // Long enough for a poller to see every transitional state even on a loaded machine.
    await useTimings({ createMs: 500, startMs: 500, stopMs: 500, deleteMs: 500 });
    const inputId = await createRtmpInput(h.medialive);
    const created = await h.medialive.send(new CreateChannelCommand(channelRequest(inputId)));
    const channelId = created.Channel?.Id ?? '';
    expect(channelId).toMatch(/^\d{7}$/);
    expect(created.Channel?.State).toBe('CREATING');
    expect(await pollChannelState(h.medialive, channelId, 'IDLE')).toEqual(['CREATING', 'IDLE']);

    const started = await h.medialive.send(new StartChannelCommand({ ChannelId: channelId }));
    expect(started.State).toBe('STARTING');
    expect(started.PipelinesRunningCount).toBe(0);
    expect(await pollChannelState(h.medialive, channelId, 'RUNNING')).toEqual(['STARTING', 'RUNNING']);
    const running = await h.medialive.send(new DescribeChannelCommand({ ChannelId: channelId }));
    expect(running.PipelinesRunningCount).toBe(2);
    expect(running.PipelineDetails?.map((p) => p.PipelineId)).toEqual(['0', '1']);

    const stopped = await h.medialive.send(new StopChannelCommand({ ChannelId: channelId }));
    expect(stopped.State).toBe('STOPPING');
    expect(await pollChannelState(h.medialive, channelId, 'IDLE')).toEqual(['STOPPING', 'IDLE']);
    const idle = await h.medialive.send(new DescribeChannelCommand({ ChannelId: channelId }));
    expect(idle.PipelinesRunningCount).toBe(0);

    const deleted = await h.medialive.send(new DeleteChannelCommand({ ChannelId: channelId }));
    expect(deleted.State).toBe('DELETING');
    expect(await pollChannelState(h.medialive, channelId, 'DELETED')).toEqual(['DELETING', 'DELETED']);
    const { Channels } = await h.medialive.send(new ListChannelsCommand({}));
    expect(Channels?.map((c) => c.Id)).not.toContain(channelId);

    expect(h.plane.calls.map((c) => c.call)).toEqual(['startChannel', 'stopChannel']);
  });

  it('hands the media plane the channel with its EncoderSettings and Destinations in the SDK shape', async () => {
    const { inputId, channelId } = await idleChannel();
    await h.medialive.send(new StartChannelCommand({ ChannelId: channelId }));
    await pollChannelState(h.medialive, channelId, 'RUNNING');
    const call = h.plane.calls[0];
    if (call?.call !== 'startChannel') throw new Error('expected startChannel');
    const expected = channelRequest(inputId);
    expect(call.channel).toEqual({
      id: channelId,
      arn: `arn:aws:medialive:us-east-1:000000000000:channel:${channelId}`,
      name: 'stream-s1',
      channelClass: 'STANDARD',
      encoderSettings: expected.EncoderSettings,
      destinations: expected.Destinations,
      inputIds: [inputId],
    });
  });

  it('echoes the channel settings in DescribeChannel as CreateChannel received them', async () => {
    const { inputId, channelId } = await idleChannel();
    const described = await h.medialive.send(new DescribeChannelCommand({ ChannelId: channelId }));
    const expected = channelRequest(inputId);
    expect(described.EncoderSettings).toEqual(expected.EncoderSettings);
    expect(described.Destinations).toEqual(expected.Destinations);
    expect(described.InputAttachments).toEqual(expected.InputAttachments);
    expect(described.RoleArn).toBe(expected.RoleArn);
    expect(described.Tags).toEqual({ stream_id: 's1' });
    expect(described.ChannelClass).toBe('STANDARD');
  });

  it('answers StartChannel with ConflictException unless the channel is IDLE', async () => {
    const inputId = await createRtmpInput(h.medialive);
    const { Channel } = await h.medialive.send(new CreateChannelCommand(channelRequest(inputId)));
    const channelId = Channel?.Id ?? '';
    await expect(h.medialive.send(new StartChannelCommand({ ChannelId: channelId }))).rejects.toThrow(
      ConflictException,
    );
    await pollChannelState(h.medialive, channelId, 'IDLE');
    await h.medialive.send(new StartChannelCommand({ ChannelId: channelId }));
    await expect(h.medialive.send(new StartChannelCommand({ ChannelId: channelId }))).rejects.toThrow(
      ConflictException,
    );
    await pollChannelState(h.medialive, channelId, 'RUNNING');
    await expect(h.medialive.send(new StartChannelCommand({ ChannelId: channelId }))).rejects.toThrow(
      ConflictException,
    );
  });

  it('answers StopChannel with ConflictException when the channel is IDLE', async () => {
    const { channelId } = await idleChannel();
    await expect(h.medialive.send(new StopChannelCommand({ ChannelId: channelId }))).rejects.toThrow(
      ConflictException,
    );
  });

  it('stops a STARTING channel before the media plane is ever asked to start it', async () => {
    await useTimings({ startMs: 60_000 });
    const { channelId } = await idleChannel();
    await h.medialive.send(new StartChannelCommand({ ChannelId: channelId }));
    const stopping = await h.medialive.send(new StopChannelCommand({ ChannelId: channelId }));
    expect(stopping.State).toBe('STOPPING');
    await pollChannelState(h.medialive, channelId, 'IDLE');
    expect(h.plane.calls).toEqual([]);
    const after = await h.medialive.send(new DescribeChannelCommand({ ChannelId: channelId }));
    expect(after.State).toBe('IDLE');
  });

  it('stops the media plane when a channel is stopped while the media plane is still starting', async () => {
    h.plane.startDelayMs = 300;
    const { channelId } = await idleChannel();
    await h.medialive.send(new StartChannelCommand({ ChannelId: channelId }));
    await waitFor(() => h.plane.calls.length > 0, 'the media plane start');
    expect(h.plane.calls.map((c) => c.call)).toEqual(['startChannel']);
    await h.medialive.send(new StopChannelCommand({ ChannelId: channelId }));
    await pollChannelState(h.medialive, channelId, 'IDLE');
    expect(h.plane.calls.map((c) => c.call)).toEqual(['startChannel', 'stopChannel']);
    await sleep(50);
    const after = await h.medialive.send(new DescribeChannelCommand({ ChannelId: channelId }));
    expect(after.State).toBe('IDLE');
  });

  it('falls back to IDLE, as MediaLive does, when the media plane fails to start the channel', async () => {
    h.plane.failStart = new Error('ffmpeg exited with code 1');
    const { channelId } = await idleChannel();
    const started = await h.medialive.send(new StartChannelCommand({ ChannelId: channelId }));
    expect(started.State).toBe('STARTING');
    await waitFor(() => h.plane.calls.length > 0, 'the media plane start');
    await pollChannelState(h.medialive, channelId, 'IDLE');
    h.plane.failStart = undefined;
    await h.medialive.send(new StartChannelCommand({ ChannelId: channelId }));
    await pollChannelState(h.medialive, channelId, 'RUNNING');
  });

  it('refuses DeleteChannel with ConflictException unless the channel is IDLE', async () => {
    const { channelId } = await idleChannel();
    await h.medialive.send(new StartChannelCommand({ ChannelId: channelId }));
    await expect(h.medialive.send(new DeleteChannelCommand({ ChannelId: channelId }))).rejects.toThrow(
      ConflictException,
    );
    await pollChannelState(h.medialive, channelId, 'RUNNING');
    await expect(h.medialive.send(new DeleteChannelCommand({ ChannelId: channelId }))).rejects.toThrow(
      ConflictException,
    );
  });

  it('answers an unknown channel with NotFoundException, on every channel operation', async () => {
    for (const command of [
      new DescribeChannelCommand({ ChannelId: '1234567' }),
      new StartChannelCommand({ ChannelId: '1234567' }),
      new StopChannelCommand({ ChannelId: '1234567' }),
      new DeleteChannelCommand({ ChannelId: '1234567' }),
      new UpdateChannelCommand({ ChannelId: '1234567', Name: 'x' }),
    ]) {
      await expect(h.medialive.send(command as DescribeChannelCommand)).rejects.toThrow(NotFoundException);
    }
  });

  it('reports one running pipeline for a SINGLE_PIPELINE channel', async () => {
    const inputId = await createRtmpInput(h.medialive, ['live/single']);
    const { Channel } = await h.medialive.send(
      new CreateChannelCommand(channelRequest(inputId, { ChannelClass: 'SINGLE_PIPELINE' })),
    );
    const channelId = Channel?.Id ?? '';
    await pollChannelState(h.medialive, channelId, 'IDLE');
    await h.medialive.send(new StartChannelCommand({ ChannelId: channelId }));
    await pollChannelState(h.medialive, channelId, 'RUNNING');
    const running = await h.medialive.send(new DescribeChannelCommand({ ChannelId: channelId }));
    expect(running.PipelinesRunningCount).toBe(1);
    expect(running.EgressEndpoints).toHaveLength(1);
  });
});

describe('MediaLive channel validation', () => {
  it('answers UnprocessableEntityException with validation errors for an unknown input', async () => {
    const error = await h.medialive
      .send(new CreateChannelCommand(channelRequest('7654321')))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnprocessableEntityException);
    expect((error as UnprocessableEntityException).ValidationErrors).toEqual([
      { ElementPath: 'inputAttachments[0].inputId', ErrorMessage: 'input 7654321 does not exist' },
    ]);
  });

  it('refuses a STANDARD channel on a SINGLE_PIPELINE input', async () => {
    const inputId = await createRtmpInput(h.medialive, ['live/one']);
    await expect(h.medialive.send(new CreateChannelCommand(channelRequest(inputId)))).rejects.toThrow(
      UnprocessableEntityException,
    );
  });

  it('refuses attaching an input that another channel already uses', async () => {
    const { inputId } = await idleChannel();
    await expect(h.medialive.send(new CreateChannelCommand(channelRequest(inputId)))).rejects.toThrow(
      UnprocessableEntityException,
    );
  });

  it('refuses output groups that reference a destination the channel does not have', async () => {
    const inputId = await createRtmpInput(h.medialive);
    const request = channelRequest(inputId);
    request.Destinations = request.Destinations?.filter((d) => d.Id !== 'archive');
    const error = await h.medialive.send(new CreateChannelCommand(request)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnprocessableEntityException);
    expect((error as UnprocessableEntityException).ValidationErrors).toEqual([
      { ElementPath: 'encoderSettings', ErrorMessage: 'destination archive is not in destinations' },
    ]);
  });

  it('refuses a STANDARD channel whose S3 destination has one URL instead of one per pipeline', async () => {
    const inputId = await createRtmpInput(h.medialive);
    const request = channelRequest(inputId);
    request.Destinations = [
      { Id: 'mediapackage', MediaPackageSettings: [{ ChannelId: 'live-s1' }] },
      { Id: 'archive', Settings: [{ Url: 's3ssl://archive/x_1' }] },
    ];
    await expect(h.medialive.send(new CreateChannelCommand(request))).rejects.toThrow(
      UnprocessableEntityException,
    );
  });

  it('refuses a channel without encoder settings', async () => {
    const inputId = await createRtmpInput(h.medialive);
    await expect(
      h.medialive.send(new CreateChannelCommand({ ...channelRequest(inputId), EncoderSettings: undefined })),
    ).rejects.toThrow(UnprocessableEntityException);
  });

  it('creates one channel for two CreateChannel calls with the same RequestId', async () => {
    const inputId = await createRtmpInput(h.medialive);
    const first = await h.medialive.send(
      new CreateChannelCommand(channelRequest(inputId, { RequestId: 'req-1' })),
    );
    const second = await h.medialive.send(
      new CreateChannelCommand(channelRequest(inputId, { RequestId: 'req-1' })),
    );
    expect(second.Channel?.Id).toBe(first.Channel?.Id);
  });
});

describe('MediaLive UpdateChannel', () => {
  it('updates an IDLE channel through UPDATING back to IDLE with the new settings', async () => {
    const { inputId, channelId } = await idleChannel();
    const request = channelRequest(inputId);
    const destinations = request.Destinations?.map((d) =>
      d.Id === 'archive'
        ? {
            Id: 'archive',
            Settings: [{ Url: 's3ssl://archive/session-2/_1' }, { Url: 's3ssl://archive/session-2/_2' }],
          }
        : d,
    );
    const { Channel } = await h.medialive.send(
      new UpdateChannelCommand({
        ChannelId: channelId,
        Destinations: destinations,
        RoleArn: request.RoleArn,
      }),
    );
    expect(Channel?.State).toBe('UPDATING');
    await pollChannelState(h.medialive, channelId, 'IDLE');
    const described = await h.medialive.send(new DescribeChannelCommand({ ChannelId: channelId }));
    expect(described.Destinations).toEqual(destinations);
    expect(described.EncoderSettings).toEqual(request.EncoderSettings);
    expect(described.RoleArn).toBe(request.RoleArn);
    expect(described.Name).toBe('stream-s1');
  });

  it('removes the RoleArn when UpdateChannel omits it, as AWS does', async () => {
    const { channelId } = await idleChannel();
    await h.medialive.send(new UpdateChannelCommand({ ChannelId: channelId, Name: 'renamed' }));
    const described = await h.medialive.send(new DescribeChannelCommand({ ChannelId: channelId }));
    expect(described.RoleArn).toBeUndefined();
    expect(described.Name).toBe('renamed');
  });

  it('answers UpdateChannel with ConflictException unless the channel is IDLE', async () => {
    const { channelId } = await idleChannel();
    await h.medialive.send(new StartChannelCommand({ ChannelId: channelId }));
    await expect(
      h.medialive.send(new UpdateChannelCommand({ ChannelId: channelId, Name: 'x' })),
    ).rejects.toThrow(ConflictException);
    await pollChannelState(h.medialive, channelId, 'RUNNING');
    await expect(
      h.medialive.send(new UpdateChannelCommand({ ChannelId: channelId, Name: 'x' })),
    ).rejects.toThrow(ConflictException);
    await h.medialive
      .send(new UpdateChannelCommand({ ChannelId: channelId, Name: 'x' }))
      .catch(() => undefined);
    const described = await h.medialive.send(new DescribeChannelCommand({ ChannelId: channelId }));
    expect(described.Name).toBe('stream-s1');
  });

  it('moves the attachment when UpdateChannel changes the input', async () => {
    const { inputId, channelId } = await idleChannel();
    const otherInput = await createRtmpInput(h.medialive);
    await h.medialive.send(
      new UpdateChannelCommand({
        ChannelId: channelId,
        InputAttachments: [{ InputId: otherInput, InputAttachmentName: 'rtmp' }],
      }),
    );
    expect((await h.medialive.send(new DescribeInputCommand({ InputId: inputId }))).State).toBe('DETACHED');
    expect((await h.medialive.send(new DescribeInputCommand({ InputId: otherInput }))).State).toBe(
      'ATTACHED',
    );
  });
});

describe('MediaLive wire errors', () => {
  it('answers an operation it does not implement with a client error the SDK reads', async () => {
    const error = await h.medialive.send(new ListMultiplexesCommand({})).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MediaLiveServiceException);
    expect(error).toMatchObject({ name: 'UnknownOperationException', $metadata: { httpStatusCode: 400 } });
    expect((error as Error).message).toMatch(/does not implement GET \/prod\/multiplexes/);
    // Not a MediaLive answer the model knows: kept out of the model check.
    h.exchanges.pop();
  });

  it('answers a malformed JSON body with BadRequestException', async () => {
    const request = requestTo(`${h.url}/prod/channels`, 'POST', {}, '{not json');
    const response = await send(await signer(CREDENTIALS, 'medialive').sign(request));
    expect(response.status).toBe(400);
    expect(JSON.parse(response.text)).toEqual({ message: 'The request body is not valid JSON.' });
  });
});
