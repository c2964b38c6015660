/**
 * MediaLive (2017-10-14, REST-JSON): what the task Lambdas call (input security groups, RTMP_PUSH
 * inputs, channels, and ListInputs/ListChannels to find what a crashed create left unrecorded), also
 * ListChannels for the AWS CLI. Paths, status codes and member names are the botocore model's.
 */
import { createSocket } from 'node:dgram';
import { pipelinesOf } from '../../../../core/archive-naming.js';
import { AwsError, found } from '../../aws-server/aws-error.js';
import { Fields, isObject, isString } from '../../aws-server/fields.js';
import { paginate } from '../../aws-server/paginate.js';
import { jsonReply, on, parseJson, type Route, type RouteRequest } from '../../aws-server/protocols.js';
import { type ChannelLifecycle, conflict as channelConflict } from './channel-lifecycle.js';
import type { ChannelRecord, ChannelSettings, ControlState, InputRecord, JsonObject } from './state.js';
import { attachedInputIds, newMediaLiveId, notFound, tagsOf } from './wire.js';

/** A UDP port of this machine no one uses now (the OS picks it): an SRT listener's. */
async function freeUdpPort(host: string): Promise<number> {
  const socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, host, resolve);
  });
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

/** MediaLive RTMP push stream names are "application/instance". */
const STREAM_NAME = /^[A-Za-z0-9_.~-]+\/[A-Za-z0-9_.~-]+$/;
const IPV4_CIDR = /^((25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(25[0-5]|2[0-4]\d|1?\d?\d)\/(3[0-2]|[12]?\d)$/;

const badRequest = (message: string) => new AwsError('BadRequestException', message);
const conflict = (message: string) => new AwsError('ConflictException', message, 409);

export function mediaLiveRoutes(ctx: {
  state: ControlState;
  save(): void;
  lifecycle: ChannelLifecycle;
  arn(kind: string, id: string): string;
  rtmpHost: string;
  rtmpPort: number;
  /** The media plane's newest thumbnail of a running channel. */
  thumbnail?: (channelId: string) => Promise<{ body: Buffer; at: Date } | undefined>;
  /** Reads a secret (the local Secrets Manager), as MediaLive reads an SRT input's passphrase. */
  readSecret?: (arn: string) => string | undefined;
}): Route[] {
  const { channels, inputs, securityGroups } = ctx.state.medialive;
  const body = (req: RouteRequest) => new Fields(parseJson(req.body, badRequest), badRequest);
  const newId = () => newMediaLiveId((id) => id in channels || id in inputs || id in securityGroups);
  const input = (req: RouteRequest) => found(inputs[req.params.inputId ?? ''], notFound('Input'));
  const channel = (req: RouteRequest) => found(channels[req.params.channelId ?? ''], notFound('Channel'));
  const list = (req: RouteRequest, key: string, items: unknown[]) => {
    const query = { maxResults: Number(req.query.get('maxResults') ?? undefined) || undefined };
    const maxResults = new Fields(query, badRequest).integer('maxResults', 1, 1000);
    const nextToken = req.query.get('nextToken') ?? undefined;
    const page = paginate(items, { maxResults, nextToken, scope: key }, () => badRequest('Bad nextToken.'));
    return jsonReply(200, { [key]: page.items, nextToken: page.nextToken });
  };
  /** What is not DELETED: deleted channels and inputs stay describable for a while, never listed. */
  const live = <T extends { state: string }>(records: Record<string, T>) =>
    Object.values(records).filter((r) => r.state !== 'DELETED');
  const attachedChannels = (inputId: string) =>
    live(channels)
      .filter((c) => attachedInputIds(c).includes(inputId))
      .map((c) => c.id);

  const describeGroup = (group: ControlState['medialive']['securityGroups'][string]) => {
    const using = live(inputs).filter((i) => i.securityGroups.includes(group.id));
    return { ...group, inputs: using.map((i) => i.id), state: using.length > 0 ? 'IN_USE' : 'IDLE' };
  };

  const describeInput = (input: InputRecord) => {
    const { requestId: _, deletedAt: __, streamNames, state, srt, type, ...record } = input;
    const attached = attachedChannels(record.id);
    const { rtmpHost: ip, rtmpPort: port } = ctx;
    const { ports = [], latencyMs: minimumLatency, ...decryption } = srt ?? {};
    return {
      ...record,
      attachedChannels: attached,
      destinations: srt
        ? ports.map((srtPort) => ({ ip, port: String(srtPort), url: `srt://${ip}:${srtPort}` }))
        : streamNames.map((name) => ({ ip, port: String(port), url: `rtmp://${ip}:${port}/${name}` })),
      inputSourceType: 'STATIC',
      state: state === 'DETACHED' && attached.length > 0 ? 'ATTACHED' : state,
      type: type ?? 'RTMP_PUSH',
      ...(srt && { srtSettings: { srtListenerSettings: { minimumLatency, decryption } } }),
    };
  };

  const describeChannel = ({ id, arn, state, settings }: ChannelRecord, summary = false) => {
    const pipelines = pipelinesOf(settings.channelClass);
    const { encoderSettings, ...rest } = settings;
    const attachment = settings.inputAttachments[0]?.inputAttachmentName;
    const active =
      state === 'RUNNING' && typeof attachment === 'string' ? { activeInputAttachmentName: attachment } : {};
    return {
      arn,
      id,
      state,
      ...rest,
      egressEndpoints: Array.from({ length: pipelines }, () => ({ sourceIp: '127.0.0.1' })),
      pipelinesRunningCount: state === 'RUNNING' ? pipelines : 0,
      ...(!summary && {
        encoderSettings,
        pipelineDetails: Array.from({ length: pipelines }, (_, i) => ({ pipelineId: String(i), ...active })),
      }),
    };
  };

  /** The checks MediaLive makes that a task could trip over, as its 422 `validationErrors`. */
  const validate = (settings: ChannelSettings, channelId?: string) => {
    const pipelines = pipelinesOf(settings.channelClass);
    const errors: Array<{ elementPath: string; errorMessage: string }> = [];
    const fail = (elementPath: string, errorMessage: string) =>
      void errors.push({ elementPath, errorMessage });
    const encoder = settings.encoderSettings;
    for (const member of ['videoDescriptions', 'audioDescriptions', 'outputGroups']) {
      if (!Array.isArray(encoder[member])) fail(`encoderSettings.${member}`, 'is required');
    }
    if (!isObject(encoder.timecodeConfig)) fail('encoderSettings.timecodeConfig', 'is required');
    const groups = Array.isArray(encoder.outputGroups) ? encoder.outputGroups : [];
    if (groups.length === 0) fail('encoderSettings.outputGroups', 'needs at least one output group');
    for (const [i, group] of groups.entries()) {
      if (!isObject(group) || !Array.isArray(group.outputs) || !isObject(group.outputGroupSettings)) {
        fail(`encoderSettings.outputGroups[${i}]`, 'needs outputs and outputGroupSettings');
      }
    }
    if (settings.inputAttachments.length === 0)
      fail('inputAttachments', 'needs at least one input attachment');
    for (const [i, { inputId }] of settings.inputAttachments.entries()) {
      const attached = typeof inputId === 'string' ? inputs[inputId] : undefined;
      const at = `inputAttachments[${i}].inputId`;
      if (attached?.state !== 'DETACHED') {
        fail(at, `input ${String(inputId)} does not exist`);
        continue;
      }
      const others = attachedChannels(attached.id).filter((id) => id !== channelId);
      if (others.length > 0)
        fail(at, `input ${attached.id} is already attached to channel ${others.join(', ')}`);
      if (pipelines === 2 && attached.inputClass !== 'STANDARD') {
        fail(
          at,
          `a STANDARD channel needs a STANDARD input (2 destinations); ${attached.id} is SINGLE_PIPELINE`,
        );
      }
    }
    const ids = new Set<string>();
    for (const [i, { id, settings: perPipeline, mediaPackageSettings }] of settings.destinations.entries()) {
      if (typeof id !== 'string' || id === '' || ids.has(id))
        fail(`destinations[${i}].id`, 'must be set and unique');
      ids.add(String(id));
      // A MediaPackage destination names the package channel once; others need one URL per pipeline.
      if (Array.isArray(perPipeline) && perPipeline.length > 0) {
        if (perPipeline.length !== pipelines) {
          fail(
            `destinations[${i}].settings`,
            `needs ${pipelines} settings for a ${settings.channelClass} channel`,
          );
        }
      } else if (!Array.isArray(mediaPackageSettings) || mediaPackageSettings.length !== 1) {
        fail(`destinations[${i}]`, 'needs settings, or exactly one mediaPackageSettings');
      }
    }
    for (const [, ref] of JSON.stringify(encoder).matchAll(/"destinationRefId":"([^"]*)"/g)) {
      if (!ids.has(ref ?? '')) fail('encoderSettings', `destination ${ref} is not in destinations`);
    }
    if (errors.length > 0) {
      const message = errors.map((e) => `${e.elementPath} ${e.errorMessage}`).join('; ');
      throw new AwsError('UnprocessableEntityException', `The channel is not valid: ${message}`, 422, {
        validationErrors: errors,
      });
    }
  };

  const readSettings = (fields: Fields, current?: ChannelSettings): ChannelSettings => {
    const list = (name: string) => fields.list(name, isObject, 'objects') as JsonObject[] | undefined;
    const name = fields.string('name') ?? current?.name;
    // As on AWS, UpdateChannel replaces the role with what it is sent: omitting RoleArn removes it.
    const roleArn = fields.string('roleArn');
    const channelClass =
      current?.channelClass ?? fields.string('channelClass', { oneOf: ['STANDARD', 'SINGLE_PIPELINE'] });
    const logLevel = fields.string('logLevel', { oneOf: ['ERROR', 'WARNING', 'INFO', 'DEBUG', 'DISABLED'] });
    return {
      channelClass: channelClass === 'SINGLE_PIPELINE' ? channelClass : 'STANDARD',
      logLevel: logLevel ?? current?.logLevel ?? 'DISABLED',
      encoderSettings: fields.object('encoderSettings')?.raw ?? current?.encoderSettings ?? {},
      destinations: list('destinations') ?? current?.destinations ?? [],
      inputAttachments: list('inputAttachments') ?? current?.inputAttachments ?? [],
      inputSpecification: fields.object('inputSpecification')?.raw ??
        current?.inputSpecification ?? { codec: 'AVC', maximumBitrate: 'MAX_20_MBPS', resolution: 'HD' },
      tags: current?.tags ?? tagsOf(fields),
      ...(name !== undefined && { name }),
      ...(roleArn !== undefined && { roleArn }),
    };
  };

  /**
   * SRT_LISTENER: the listener settings of its 1 or 2 destinations; the passphrase is read from its
   * secret now, as MediaLive checks it can.
   */
  const srtSettings = (fields: Fields) => {
    const listener = fields.object('srtSettings', true).object('srtListenerSettings', true);
    const latencyMs = listener.integer('minimumLatency', 120, 15_000);
    if (latencyMs === undefined)
      throw badRequest('srtSettings.srtListenerSettings.minimumLatency is required.');
    const decryption = listener.object('decryption', true);
    const algorithm = decryption.string('algorithm', {
      required: true,
      oneOf: ['AES128', 'AES192', 'AES256'],
    });
    const passphraseSecretArn = decryption.string('passphraseSecretArn', { required: true });
    const passphrase = ctx.readSecret?.(passphraseSecretArn);
    if (passphrase === undefined)
      throw badRequest(`MediaLive cannot read the secret ${passphraseSecretArn}.`);
    // SRT's own limit on passphrases (libsrt: 10 to 79 characters).
    if (passphrase.length < 10 || passphrase.length > 79)
      throw badRequest('An SRT passphrase must have 10 to 79 characters.');
    return { latencyMs, algorithm, passphraseSecretArn };
  };

  /** RTMP_PUSH: one "app/key" stream name per destination, 2 for inputs of STANDARD channels, else 1. */
  const rtmpStreamNames = (destinations: JsonObject[]) => {
    const streamNames = destinations.map((d) => d.streamName);
    if (
      !streamNames.every((n): n is string => isString(n) && STREAM_NAME.test(n)) ||
      ![1, 2].includes(streamNames.length)
    ) {
      throw badRequest(
        'An RTMP_PUSH input needs 1 or 2 destinations with a streamName like "application/instance".',
      );
    }
    // On AWS each destination has its own IP; locally all inputs share one RTMP server, so a
    // stream name must be unique across live inputs, or a publish could not tell its input.
    const used = Object.values(inputs).flatMap((i) => (i.state === 'DETACHED' ? i.streamNames : []));
    if (new Set([...used, ...streamNames]).size !== used.length + streamNames.length) {
      throw badRequest('A stream name is already used by an input of the local RTMP server.');
    }
    return streamNames;
  };

  const createInput = async (fields: Fields, requestId: string | undefined) => {
    const type = fields.string('type');
    if (type !== 'RTMP_PUSH' && type !== 'SRT_LISTENER')
      throw badRequest('The local media service supports RTMP_PUSH and SRT_LISTENER inputs only.');
    const destinations = fields.list('destinations', isObject, 'destinations') ?? [];
    const srt = type === 'SRT_LISTENER' ? srtSettings(fields) : undefined;
    if (srt && destinations.length > 2) throw badRequest('An SRT_LISTENER input has 1 or 2 destinations.');
    const rtmpNames = srt ? [] : rtmpStreamNames(destinations);
    const groups = fields.list('inputSecurityGroups', isString, 'ids') ?? [];
    if (groups.length !== 1 || !securityGroups[groups[0] ?? ''])
      throw badRequest(`An ${type} input needs exactly one existing input security group.`);
    const id = newId();
    // SRT_LISTENER: one listener per destination (at least one), each on a UDP port of this machine.
    const ports = srt
      ? await Promise.all(Array.from({ length: destinations.length || 1 }, () => freeUdpPort(ctx.rtmpHost)))
      : [];
    const streamNames = srt ? ports.map((_, i) => `srt/${id}-${i}`) : rtmpNames;
    const name = fields.string('name');
    const roleArn = fields.string('roleArn');
    inputs[id] = {
      id,
      arn: ctx.arn('input', id),
      state: 'DETACHED',
      inputClass: streamNames.length === 2 ? 'STANDARD' : 'SINGLE_PIPELINE',
      streamNames,
      ...(srt && { type: 'SRT_LISTENER' as const, srt: { ports, ...srt } }),
      securityGroups: groups,
      tags: tagsOf(fields),
      ...(name !== undefined && { name }),
      ...(roleArn !== undefined && { roleArn }),
      ...(requestId && { requestId }),
    };
    ctx.save();
    return jsonReply(201, { input: describeInput(inputs[id]) });
  };

  const act = (action: 'start' | 'stop' | 'delete') => (req: RouteRequest) => {
    const record = channel(req);
    ctx.lifecycle[action](record);
    return jsonReply(200, describeChannel(record));
  };

  return [
    on('POST', '/prod/inputSecurityGroups', (req) => {
      const fields = body(req);
      const whitelistRules = (fields.list('whitelistRules', isObject, 'rules') ?? []).map(({ cidr }, i) => {
        if (!isString(cidr) || !IPV4_CIDR.test(cidr))
          throw badRequest(`whitelistRules[${i}].cidr must be an IPv4 CIDR.`);
        return { cidr };
      });
      const id = newId();
      securityGroups[id] = {
        id,
        arn: ctx.arn('inputSecurityGroup', id),
        whitelistRules,
        tags: tagsOf(fields),
      };
      ctx.save();
      return jsonReply(200, { securityGroup: describeGroup(securityGroups[id]) });
    }),
    on('GET', '/prod/inputSecurityGroups', (req) =>
      list(req, 'inputSecurityGroups', Object.values(securityGroups).map(describeGroup)),
    ),
    on('POST', '/prod/inputs', async (req) => {
      const fields = body(req);
      const requestId = fields.string('requestId');
      const existing = requestId && Object.values(inputs).find((i) => i.requestId === requestId);
      if (existing) return jsonReply(201, { input: describeInput(existing) });
      return createInput(fields, requestId);
    }),
    on('GET', '/prod/inputs', (req) => list(req, 'inputs', live(inputs).map(describeInput))),
    on('GET', '/prod/inputs/{inputId}', (req) => jsonReply(200, describeInput(input(req)))),
    on('DELETE', '/prod/inputs/{inputId}', (req) => {
      const record = input(req);
      if (record.state === 'DELETED') throw notFound(`Input ${record.id}`)();
      const attached = attachedChannels(record.id);
      if (attached.length > 0)
        throw conflict(`Input ${record.id} is attached to channel ${attached.join(', ')}.`);
      if (record.state === 'DELETING') throw conflict(`Input ${record.id} is being deleted.`);
      ctx.lifecycle.deleteInput(record);
      return jsonReply(200, {});
    }),
    on('POST', '/prod/channels', (req) => {
      const fields = body(req);
      const requestId = fields.string('requestId');
      const existing = requestId && Object.values(channels).find((c) => c.requestId === requestId);
      if (existing) return jsonReply(201, { channel: describeChannel(existing) });
      const settings = readSettings(fields);
      validate(settings);
      const id = newId();
      channels[id] = {
        id,
        arn: ctx.arn('channel', id),
        state: 'CREATING',
        settings,
        ...(requestId && { requestId }),
      };
      ctx.lifecycle.created(channels[id]);
      return jsonReply(201, { channel: describeChannel(channels[id]) });
    }),
    on('GET', '/prod/channels', (req) =>
      list(
        req,
        'channels',
        live(channels).map((c) => describeChannel(c, true)),
      ),
    ),
    on('GET', '/prod/channels/{channelId}', (req) => jsonReply(200, describeChannel(channel(req)))),
    on('GET', '/prod/channels/{channelId}/thumbnails', async (req) => {
      const record = channel(req);
      const query = new Fields(Object.fromEntries(req.query), badRequest);
      const pipelineId = query.string('pipelineId', { required: true, oneOf: ['0', '1'] });
      query.string('thumbnailType', { required: true, oneOf: ['UNSPECIFIED', 'CURRENT_ACTIVE'] });
      if (Number(pipelineId) >= pipelinesOf(record.settings.channelClass))
        throw badRequest(`Channel ${record.id} has no pipeline ${pipelineId}.`);
      const thumbnail = record.state === 'RUNNING' ? await ctx.thumbnail?.(record.id) : undefined;
      // The model's NotFoundException: "There are no thumbnails for this channel."
      if (!thumbnail) throw notFound(`Thumbnails of channel ${record.id}`)();
      const picture = {
        body: thumbnail.body.toString('base64'),
        contentType: 'image/jpeg',
        thumbnailType: 'CURRENT_ACTIVE',
        timeStamp: thumbnail.at.toISOString(),
      };
      return jsonReply(200, { thumbnailDetails: [{ pipelineId, thumbnails: [picture] }] });
    }),
    on('PUT', '/prod/channels/{channelId}', (req) => {
      const record = channel(req);
      if (record.state !== 'IDLE') throw channelConflict(record, 'updated', 'IDLE');
      const settings = readSettings(body(req), record.settings);
      validate(settings, record.id);
      record.settings = settings;
      ctx.lifecycle.updated(record);
      return jsonReply(200, { channel: describeChannel(record) });
    }),
    on('POST', '/prod/channels/{channelId}/start', act('start')),
    on('POST', '/prod/channels/{channelId}/stop', act('stop')),
    on('DELETE', '/prod/channels/{channelId}', act('delete')),
  ];
}
