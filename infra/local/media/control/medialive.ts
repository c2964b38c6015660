/**
 * MediaLive (2017-10-14, REST-JSON): what the task Lambdas call (input security groups, RTMP_PUSH
 * inputs, channels) and ListChannels for the AWS CLI. Paths, status codes and member names are the
 * botocore model's.
 */
import { AwsError } from '../../aws-server/aws-error.js';
import { Fields, isObject, isString } from '../../aws-server/fields.js';
import { paginate } from '../../aws-server/paginate.js';
import { jsonReply, parseJson, type Route, type RouteRequest } from '../../aws-server/protocols.js';
import type { ChannelLifecycle } from './channel-lifecycle.js';
import type { ChannelRecord, ChannelSettings, ControlState, InputRecord, JsonObject } from './state.js';
import { attachedInputIds, newMediaLiveId } from './wire.js';

export interface MediaLiveContext {
  state: ControlState;
  save(): void;
  lifecycle: ChannelLifecycle;
  arn(kind: string, id: string): string;
  rtmpHost: string;
  rtmpPort: number;
}

/** A STANDARD channel runs two pipelines, a SINGLE_PIPELINE channel one. */
export const pipelinesOf = (settings: ChannelSettings): number =>
  settings.channelClass === 'STANDARD' ? 2 : 1;

/** MediaLive RTMP push stream names are "application/instance". */
const STREAM_NAME = /^[A-Za-z0-9_.~-]+\/[A-Za-z0-9_.~-]+$/;
const IPV4_CIDR = /^((25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(25[0-5]|2[0-4]\d|1?\d?\d)\/(3[0-2]|[12]?\d)$/;

const badRequest = (message: string) => new AwsError('BadRequestException', message);
const notFound = (what: string, id: string) =>
  new AwsError('NotFoundException', `${what} ${id} does not exist.`, 404);

export function mediaLiveRoutes(ctx: MediaLiveContext): Route[] {
  const live = ctx.state.medialive;
  const body = (req: RouteRequest) => new Fields(parseJson(req.body, badRequest), badRequest);
  const taken = (id: string) => id in live.channels || id in live.inputs || id in live.securityGroups;
  const list = (req: RouteRequest, key: string, items: unknown[]) => {
    const max = req.query.get('maxResults');
    const maxResults = max === null ? undefined : Number(max);
    if (
      maxResults !== undefined &&
      !(Number.isInteger(maxResults) && maxResults >= 1 && maxResults <= 1000)
    ) {
      throw badRequest('maxResults must be an integer between 1 and 1000.');
    }
    const nextToken = req.query.get('nextToken') ?? undefined;
    const page = paginate(items, { maxResults, nextToken, scope: key }, () =>
      badRequest('The nextToken is not valid.'),
    );
    return jsonReply(200, { [key]: page.items, ...(page.nextToken && { nextToken: page.nextToken }) });
  };

  const attachedChannels = (inputId: string) =>
    Object.values(live.channels)
      .filter((c) => c.state !== 'DELETED' && attachedInputIds(c).includes(inputId))
      .map((c) => c.id);

  const describeGroup = (group: ControlState['medialive']['securityGroups'][string]) => {
    const inputs = Object.values(live.inputs).filter(
      (i) => i.state !== 'DELETED' && i.securityGroups.includes(group.id),
    );
    return { ...group, inputs: inputs.map((i) => i.id), state: inputs.length > 0 ? 'IN_USE' : 'IDLE' };
  };

  const describeInput = (input: InputRecord) => {
    const attached = attachedChannels(input.id);
    const { requestId: _requestId, deletedAt: _deletedAt, streamNames, state, ...rest } = input;
    return {
      ...rest,
      attachedChannels: attached,
      destinations: streamNames.map((name) => ({
        ip: ctx.rtmpHost,
        port: String(ctx.rtmpPort),
        url: `rtmp://${ctx.rtmpHost}:${ctx.rtmpPort}/${name}`,
      })),
      inputSourceType: 'STATIC',
      state: state === 'DETACHED' && attached.length > 0 ? 'ATTACHED' : state,
      type: 'RTMP_PUSH',
    };
  };

  const findInput = (id: string) => {
    const input = live.inputs[id];
    if (!input) throw notFound('Input', id);
    return input;
  };
  const findChannel = (id: string) => {
    const channel = live.channels[id];
    if (!channel) throw notFound('Channel', id);
    return channel;
  };

  const describeChannel = (channel: ChannelRecord, summary = false) => {
    const pipelines = pipelinesOf(channel.settings);
    const running = channel.state === 'RUNNING';
    const { encoderSettings, ...settings } = channel.settings;
    const attachment = channel.settings.inputAttachments[0]?.inputAttachmentName;
    return {
      arn: channel.arn,
      id: channel.id,
      state: channel.state,
      ...settings,
      egressEndpoints: Array.from({ length: pipelines }, () => ({ sourceIp: '127.0.0.1' })),
      pipelinesRunningCount: running ? pipelines : 0,
      ...(!summary && {
        encoderSettings,
        pipelineDetails: Array.from({ length: pipelines }, (_, i) => ({
          pipelineId: String(i),
          ...(running && typeof attachment === 'string' && { activeInputAttachmentName: attachment }),
        })),
      }),
    };
  };

  /** The checks MediaLive makes that a task could trip over, as its 422 `validationErrors`. */
  const validate = (settings: ChannelSettings, channelId?: string) => {
    const errors: Array<{ elementPath: string; errorMessage: string }> = [];
    const fail = (elementPath: string, errorMessage: string): void => {
      errors.push({ elementPath, errorMessage });
    };
    const encoder = settings.encoderSettings;
    for (const member of ['videoDescriptions', 'audioDescriptions', 'outputGroups']) {
      if (!Array.isArray(encoder[member])) fail(`encoderSettings.${member}`, 'is required');
    }
    if (!isObject(encoder.timecodeConfig)) fail('encoderSettings.timecodeConfig', 'is required');
    const groups = Array.isArray(encoder.outputGroups) ? encoder.outputGroups : [];
    if (Array.isArray(encoder.outputGroups) && groups.length === 0)
      fail('encoderSettings.outputGroups', 'needs at least one output group');
    groups.forEach((group, i) => {
      if (!isObject(group) || !Array.isArray(group.outputs) || !isObject(group.outputGroupSettings)) {
        fail(`encoderSettings.outputGroups[${i}]`, 'needs outputs and outputGroupSettings');
      }
    });
    if (settings.inputAttachments.length === 0)
      fail('inputAttachments', 'needs at least one input attachment');
    for (const [i, { inputId }] of settings.inputAttachments.entries()) {
      const input = typeof inputId === 'string' ? live.inputs[inputId] : undefined;
      const at = `inputAttachments[${i}].inputId`;
      if (input?.state !== 'DETACHED') {
        fail(at, `input ${String(inputId)} does not exist`);
        continue;
      }
      const others = attachedChannels(input.id).filter((id) => id !== channelId);
      if (others.length > 0)
        fail(at, `input ${input.id} is already attached to channel ${others.join(', ')}`);
      if (pipelinesOf(settings) === 2 && input.inputClass !== 'STANDARD') {
        fail(
          at,
          `a STANDARD channel needs a STANDARD input (2 destinations); ${input.id} is SINGLE_PIPELINE`,
        );
      }
    }
    const ids = new Set<string>();
    for (const [i, destination] of settings.destinations.entries()) {
      const id = destination.id;
      if (typeof id !== 'string' || id === '' || ids.has(id)) {
        fail(`destinations[${i}].id`, 'must be unique and set');
        continue;
      }
      ids.add(id);
      const { settings: perPipeline, mediaPackageSettings: mediaPackage } = destination;
      // A MediaPackage destination names the package channel once; other destinations need one URL per pipeline.
      if (Array.isArray(perPipeline) && perPipeline.length > 0) {
        if (perPipeline.length !== pipelinesOf(settings)) {
          fail(
            `destinations[${i}].settings`,
            `a ${settings.channelClass} channel needs ${pipelinesOf(settings)} destination settings`,
          );
        }
      } else if (!Array.isArray(mediaPackage) || mediaPackage.length !== 1) {
        fail(`destinations[${i}]`, 'needs settings, or exactly one mediaPackageSettings');
      }
    }
    for (const ref of JSON.stringify(encoder).matchAll(/"destinationRefId":"([^"]*)"/g)) {
      if (!ids.has(ref[1] ?? '')) fail('encoderSettings', `destination ${ref[1]} is not in destinations`);
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
    return {
      channelClass: (current?.channelClass ??
        fields.string('channelClass', { oneOf: ['STANDARD', 'SINGLE_PIPELINE'] }) ??
        'STANDARD') as ChannelSettings['channelClass'],
      logLevel:
        fields.string('logLevel', { oneOf: ['ERROR', 'WARNING', 'INFO', 'DEBUG', 'DISABLED'] }) ??
        current?.logLevel ??
        'DISABLED',
      encoderSettings: fields.object('encoderSettings')?.raw ?? current?.encoderSettings ?? {},
      destinations: list('destinations') ?? current?.destinations ?? [],
      inputAttachments: list('inputAttachments') ?? current?.inputAttachments ?? [],
      inputSpecification: fields.object('inputSpecification')?.raw ??
        current?.inputSpecification ?? { codec: 'AVC', maximumBitrate: 'MAX_20_MBPS', resolution: 'HD' },
      tags: current?.tags ?? (fields.object('tags')?.raw as Record<string, string> | undefined) ?? {},
      ...(name !== undefined && { name }),
      ...(roleArn !== undefined && { roleArn }),
    };
  };

  const channelAction = (action: (channel: ChannelRecord) => void) => (req: RouteRequest) => {
    const channel = findChannel(req.params.channelId ?? '');
    action(channel);
    return jsonReply(200, describeChannel(channel));
  };

  return [
    {
      method: 'POST',
      path: '/prod/inputSecurityGroups',
      handle(req) {
        const fields = body(req);
        const rules = (fields.list('whitelistRules', isObject, 'rules') ?? []).map((rule, i) => {
          if (typeof rule.cidr !== 'string' || !IPV4_CIDR.test(rule.cidr))
            throw badRequest(`whitelistRules[${i}].cidr must be an IPv4 CIDR block.`);
          return { cidr: rule.cidr };
        });
        const id = newMediaLiveId(taken);
        const tags = (fields.object('tags')?.raw ?? {}) as Record<string, string>;
        live.securityGroups[id] = { id, arn: ctx.arn('inputSecurityGroup', id), whitelistRules: rules, tags };
        ctx.save();
        return jsonReply(200, { securityGroup: describeGroup(live.securityGroups[id]) });
      },
    },
    {
      method: 'GET',
      path: '/prod/inputSecurityGroups',
      handle: (req) =>
        list(req, 'inputSecurityGroups', Object.values(live.securityGroups).map(describeGroup)),
    },
    {
      method: 'POST',
      path: '/prod/inputs',
      handle(req) {
        const fields = body(req);
        const requestId = fields.string('requestId');
        const existing =
          requestId && Object.values(live.inputs).find((input) => input.requestId === requestId);
        if (existing) return jsonReply(201, { input: describeInput(existing) });
        if (fields.string('type') !== 'RTMP_PUSH')
          throw badRequest('The local media service supports RTMP_PUSH inputs only.');
        // One destination per pipeline: 2 for inputs of STANDARD channels, 1 for SINGLE_PIPELINE ones.
        const streamNames = (fields.list('destinations', isObject, 'destinations') ?? []).map(
          (d) => d.streamName,
        );
        if (
          streamNames.length < 1 ||
          streamNames.length > 2 ||
          !streamNames.every((n) => isString(n) && STREAM_NAME.test(n))
        ) {
          throw badRequest(
            'An RTMP_PUSH input needs 1 or 2 destinations with a streamName like "application/instance".',
          );
        }
        // On AWS each destination has its own IP; locally all inputs share one RTMP server, so a
        // stream name must be unique across live inputs, or a publish could not tell its input.
        const used = Object.values(live.inputs)
          .filter((i) => i.state === 'DETACHED')
          .flatMap((i) => i.streamNames);
        if (new Set([...used, ...streamNames]).size !== used.length + streamNames.length) {
          throw badRequest('A stream name is already used by an input of the local RTMP server.');
        }
        const groups = fields.list('inputSecurityGroups', isString, 'ids') ?? [];
        if (groups.length !== 1 || !live.securityGroups[groups[0] ?? '']) {
          throw badRequest('An RTMP_PUSH input needs exactly one existing input security group.');
        }
        const id = newMediaLiveId(taken);
        const name = fields.string('name');
        const input: InputRecord = {
          id,
          arn: ctx.arn('input', id),
          state: 'DETACHED',
          inputClass: streamNames.length === 2 ? 'STANDARD' : 'SINGLE_PIPELINE',
          streamNames: streamNames as string[],
          securityGroups: groups,
          tags: (fields.object('tags')?.raw ?? {}) as Record<string, string>,
          ...(name !== undefined && { name }),
          ...(requestId && { requestId }),
        };
        live.inputs[id] = input;
        ctx.save();
        return jsonReply(201, { input: describeInput(input) });
      },
    },
    {
      method: 'GET',
      path: '/prod/inputs/{inputId}',
      handle: (req) => jsonReply(200, describeInput(findInput(req.params.inputId ?? ''))),
    },
    {
      method: 'DELETE',
      path: '/prod/inputs/{inputId}',
      handle(req) {
        const input = findInput(req.params.inputId ?? '');
        if (input.state === 'DELETED') throw notFound('Input', input.id);
        const attached = attachedChannels(input.id);
        if (input.state === 'DELETING' || attached.length > 0) {
          throw new AwsError(
            'ConflictException',
            `Input ${input.id} is ${attached.length > 0 ? `attached to channel ${attached.join(', ')}` : 'being deleted'}.`,
            409,
          );
        }
        ctx.lifecycle.deleteInput(input);
        return jsonReply(200, {});
      },
    },
    {
      method: 'POST',
      path: '/prod/channels',
      handle(req) {
        const fields = body(req);
        const requestId = fields.string('requestId');
        const existing = requestId && Object.values(live.channels).find((c) => c.requestId === requestId);
        if (existing) return jsonReply(201, { channel: describeChannel(existing) });
        const settings = readSettings(fields);
        validate(settings);
        const id = newMediaLiveId(taken);
        const channel: ChannelRecord = {
          id,
          arn: ctx.arn('channel', id),
          state: 'CREATING',
          settings,
          ...(requestId && { requestId }),
        };
        live.channels[id] = channel;
        ctx.lifecycle.created(channel);
        return jsonReply(201, { channel: describeChannel(channel) });
      },
    },
    {
      method: 'GET',
      path: '/prod/channels',
      handle: (req) =>
        list(
          req,
          'channels',
          Object.values(live.channels)
            .filter((c) => c.state !== 'DELETED')
            .map((c) => describeChannel(c, true)),
        ),
    },
    {
      method: 'GET',
      path: '/prod/channels/{channelId}',
      handle: (req) => jsonReply(200, describeChannel(findChannel(req.params.channelId ?? ''))),
    },
    {
      method: 'PUT',
      path: '/prod/channels/{channelId}',
      handle(req) {
        const channel = findChannel(req.params.channelId ?? '');
        if (channel.state !== 'IDLE') {
          throw new AwsError(
            'ConflictException',
            `Channel ${channel.id} is ${channel.state}; it can be updated only when IDLE.`,
            409,
          );
        }
        const settings = readSettings(body(req), channel.settings);
        validate(settings, channel.id);
        channel.settings = settings;
        ctx.lifecycle.updated(channel);
        return jsonReply(200, { channel: describeChannel(channel) });
      },
    },
    {
      method: 'POST',
      path: '/prod/channels/{channelId}/start',
      handle: channelAction((c) => ctx.lifecycle.start(c)),
    },
    {
      method: 'POST',
      path: '/prod/channels/{channelId}/stop',
      handle: channelAction((c) => ctx.lifecycle.stop(c)),
    },
    {
      method: 'DELETE',
      path: '/prod/channels/{channelId}',
      handle: channelAction((c) => ctx.lifecycle.delete(c)),
    },
  ];
}
