/**
 * MediaLive (2017-10-14, REST-JSON) operations the task Lambdas use: input security groups, RTMP_PUSH
 * inputs and channels. Paths, status codes and member names are the botocore model's.
 */
import type { ChannelLifecycle } from './channel-lifecycle.js';
import type {
  ChannelClassName,
  ChannelRecord,
  ChannelSettings,
  ControlState,
  InputRecord,
  JsonObject,
  JsonValue,
  SecurityGroupRecord,
} from './control-state.js';
import { isJsonObject, JsonBody } from './json-body.js';
import { attachedInputIds } from './local-channel.js';
import { paginate } from './pagination.js';
import { newMediaLiveId } from './resource-ids.js';
import { type ApiRequest, jsonResponse, type Route } from './rest-routes.js';
import { mediaLiveErrors } from './service-error.js';

export interface MediaLiveContext {
  state: ControlState;
  save(): void;
  lifecycle: ChannelLifecycle;
  region: string;
  accountId: string;
  rtmpHost: string;
  rtmpPort: number;
}

/** A STANDARD channel runs two pipelines, a SINGLE_PIPELINE channel one. */
export const PIPELINES: Record<ChannelClassName, number> = { STANDARD: 2, SINGLE_PIPELINE: 1 };

const CHANNEL_CLASSES = new Set<string>(['STANDARD', 'SINGLE_PIPELINE']);
const LOG_LEVELS = new Set(['ERROR', 'WARNING', 'INFO', 'DEBUG', 'DISABLED']);
/** MediaLive's MaxResults is 1..1000. */
const LIST_LIMITS = { defaultSize: 1000, maxSize: 1000 };
/** MediaLive RTMP push stream names are "application/instance". */
const STREAM_NAME = /^[A-Za-z0-9_.~-]+\/[A-Za-z0-9_.~-]+$/;
const IPV4_CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

type ValidationError = { elementPath: string; errorMessage: string };

const badRequest = (message: string) => mediaLiveErrors.badRequest(message);

export function mediaLiveRoutes(ctx: MediaLiveContext): Route[] {
  const live = ctx.state.medialive;
  const arn = (kind: string, id: string) => `arn:aws:medialive:${ctx.region}:${ctx.accountId}:${kind}:${id}`;
  const idTaken = (id: string) => id in live.channels || id in live.inputs || id in live.securityGroups;

  // ---- input security groups ----

  const describeSecurityGroup = (group: SecurityGroupRecord) => {
    const inputs = Object.values(live.inputs)
      .filter((input) => input.state !== 'DELETED' && input.securityGroups.includes(group.id))
      .map((input) => input.id);
    return {
      arn: group.arn,
      id: group.id,
      inputs,
      state: inputs.length > 0 ? 'IN_USE' : 'IDLE',
      tags: group.tags,
      whitelistRules: group.whitelistRules,
    };
  };

  const findSecurityGroup = (id: string) => {
    const group = live.securityGroups[id];
    if (!group) throw mediaLiveErrors.notFound(`Input security group ${id} does not exist.`);
    return group;
  };

  const createInputSecurityGroup = (req: ApiRequest) => {
    const body = JsonBody.parse(req.body, badRequest);
    const rules = (body.objectArray('whitelistRules') ?? []).map((rule, index) => {
      const cidr = rule.cidr;
      if (typeof cidr !== 'string' || !isIpv4Cidr(cidr)) {
        throw badRequest(`whitelistRules[${index}].cidr must be an IPv4 CIDR block such as 0.0.0.0/0.`);
      }
      return { cidr };
    });
    const id = newMediaLiveId(idTaken);
    const group: SecurityGroupRecord = {
      id,
      arn: arn('inputSecurityGroup', id),
      whitelistRules: rules,
      tags: body.stringMap('tags') ?? {},
    };
    live.securityGroups[id] = group;
    ctx.save();
    return jsonResponse(200, { securityGroup: describeSecurityGroup(group) });
  };

  // ---- inputs ----

  const attachedChannels = (inputId: string) =>
    Object.values(live.channels)
      .filter((channel) => channel.state !== 'DELETED' && attachedInputIds(channel).includes(inputId))
      .map((channel) => channel.id);

  const describeInput = (input: InputRecord) => {
    const attached = attachedChannels(input.id);
    const out: JsonObject = {
      arn: input.arn,
      attachedChannels: attached,
      destinations: input.streamNames.map((streamName) => ({
        ip: ctx.rtmpHost,
        port: String(ctx.rtmpPort),
        url: `rtmp://${ctx.rtmpHost}:${ctx.rtmpPort}/${streamName}`,
      })),
      id: input.id,
      inputClass: input.inputClass,
      inputDevices: [],
      inputPartnerIds: [],
      inputSourceType: 'STATIC',
      mediaConnectFlows: [],
      securityGroups: input.securityGroups,
      sources: [],
      state: input.state === 'DETACHED' && attached.length > 0 ? 'ATTACHED' : input.state,
      tags: input.tags,
      type: 'RTMP_PUSH',
      inputNetworkLocation: 'AWS',
    };
    if (input.name !== undefined) out.name = input.name;
    if (input.roleArn !== undefined) out.roleArn = input.roleArn;
    return out;
  };

  const findInput = (id: string) => {
    const input = live.inputs[id];
    if (!input) throw mediaLiveErrors.notFound(`Input ${id} does not exist.`);
    return input;
  };

  const createInput = (req: ApiRequest) => {
    const body = JsonBody.parse(req.body, badRequest);
    const requestId = body.string('requestId');
    const existing = requestId && Object.values(live.inputs).find((input) => input.requestId === requestId);
    if (existing) return jsonResponse(201, { input: describeInput(existing) });

    const type = body.string('type');
    if (type !== 'RTMP_PUSH') {
      throw badRequest(
        `Input type ${type ?? '(none)'} is not supported by the local media service: use RTMP_PUSH.`,
      );
    }
    const destinations = body.objectArray('destinations') ?? [];
    // One destination per pipeline: 2 for inputs of STANDARD channels, 1 for SINGLE_PIPELINE ones.
    if (destinations.length < 1 || destinations.length > 2) {
      throw badRequest('An RTMP_PUSH input needs 2 destinations (STANDARD) or 1 (SINGLE_PIPELINE).');
    }
    const streamNames = destinations.map((destination, index) => {
      const streamName = destination.streamName;
      if (typeof streamName !== 'string' || !STREAM_NAME.test(streamName)) {
        throw badRequest(`destinations[${index}].streamName must look like "application/instance".`);
      }
      return streamName;
    });
    // On AWS each destination has its own IP; locally all inputs share one RTMP server, so a stream
    // name must be unique across live inputs or a publish could not tell which input it feeds.
    const used = new Set(
      Object.values(live.inputs)
        .filter((input) => input.state !== 'DELETED' && input.state !== 'DELETING')
        .flatMap((input) => input.streamNames),
    );
    for (const [index, streamName] of streamNames.entries()) {
      if (used.has(streamName) || streamNames.indexOf(streamName) !== index) {
        throw badRequest(`Stream name ${streamName} is already used by an input of the local RTMP server.`);
      }
    }
    const securityGroups = body.stringArray('inputSecurityGroups') ?? [];
    if (securityGroups.length !== 1)
      throw badRequest('An RTMP_PUSH input needs exactly one input security group.');
    for (const groupId of securityGroups) {
      if (!live.securityGroups[groupId]) throw badRequest(`Input security group ${groupId} does not exist.`);
    }

    const id = newMediaLiveId(idTaken);
    const input: InputRecord = {
      id,
      arn: arn('input', id),
      state: 'DETACHED',
      inputClass: streamNames.length === 2 ? 'STANDARD' : 'SINGLE_PIPELINE',
      streamNames,
      securityGroups,
      tags: body.stringMap('tags') ?? {},
    };
    const name = body.string('name');
    if (name !== undefined) input.name = name;
    const roleArn = body.string('roleArn');
    if (roleArn !== undefined) input.roleArn = roleArn;
    if (requestId) input.requestId = requestId;
    live.inputs[id] = input;
    ctx.save();
    return jsonResponse(201, { input: describeInput(input) });
  };

  const deleteInput = (req: ApiRequest) => {
    const input = findInput(req.params.inputId ?? '');
    if (input.state === 'DELETED') throw mediaLiveErrors.notFound(`Input ${input.id} does not exist.`);
    if (input.state === 'DELETING')
      throw mediaLiveErrors.conflict(`Input ${input.id} is already being deleted.`);
    const attached = attachedChannels(input.id);
    if (attached.length > 0) {
      throw mediaLiveErrors.conflict(
        `Input ${input.id} is attached to channel ${attached.join(', ')}; delete the channel first.`,
      );
    }
    ctx.lifecycle.deleteInput(input);
    return jsonResponse(200, {});
  };

  // ---- channels ----

  const describeChannel = (channel: ChannelRecord, summary = false) => {
    const pipelines = PIPELINES[channel.settings.channelClass];
    const running = channel.state === 'RUNNING';
    const { encoderSettings, ...summarySettings } = channel.settings;
    const out: Record<string, unknown> = {
      arn: channel.arn,
      id: channel.id,
      state: channel.state,
      ...summarySettings,
      egressEndpoints: Array.from({ length: pipelines }, () => ({ sourceIp: '127.0.0.1' })),
      pipelinesRunningCount: running ? pipelines : 0,
    };
    if (!summary) {
      out.encoderSettings = encoderSettings;
      const activeInput = channel.settings.inputAttachments[0]?.inputAttachmentName;
      out.pipelineDetails = Array.from({ length: pipelines }, (_, index) =>
        running && typeof activeInput === 'string'
          ? { pipelineId: String(index), activeInputAttachmentName: activeInput }
          : { pipelineId: String(index) },
      );
    }
    return out;
  };

  const findChannel = (id: string) => {
    const channel = live.channels[id];
    if (!channel) throw mediaLiveErrors.notFound(`Channel ${id} does not exist.`);
    return channel;
  };

  const validateChannel = (settings: ChannelSettings, channelId: string | undefined): ValidationError[] => {
    const errors: ValidationError[] = [];
    const fail = (elementPath: string, errorMessage: string) => errors.push({ elementPath, errorMessage });
    const pipelines = PIPELINES[settings.channelClass];

    for (const member of ['videoDescriptions', 'audioDescriptions', 'outputGroups'] as const) {
      if (!Array.isArray(settings.encoderSettings[member])) fail(`encoderSettings.${member}`, 'is required');
    }
    if (!isJsonObject(settings.encoderSettings.timecodeConfig))
      fail('encoderSettings.timecodeConfig', 'is required');
    const outputGroups = settings.encoderSettings.outputGroups;
    if (Array.isArray(outputGroups)) {
      if (outputGroups.length === 0) fail('encoderSettings.outputGroups', 'needs at least one output group');
      outputGroups.forEach((group, index) => {
        if (
          !isJsonObject(group) ||
          !Array.isArray(group.outputs) ||
          !isJsonObject(group.outputGroupSettings)
        ) {
          fail(`encoderSettings.outputGroups[${index}]`, 'needs outputs and outputGroupSettings');
        }
      });
    }

    if (settings.inputAttachments.length === 0)
      fail('inputAttachments', 'needs at least one input attachment');
    settings.inputAttachments.forEach((attachment, index) => {
      const path = `inputAttachments[${index}].inputId`;
      const inputId = attachment.inputId;
      const input = typeof inputId === 'string' ? live.inputs[inputId] : undefined;
      if (!input || input.state === 'DELETED' || input.state === 'DELETING') {
        fail(path, `input ${String(inputId)} does not exist`);
        return;
      }
      const others = attachedChannels(input.id).filter((id) => id !== channelId);
      if (others.length > 0)
        fail(path, `input ${input.id} is already attached to channel ${others.join(', ')}`);
      if (pipelines === 2 && input.inputClass !== 'STANDARD') {
        fail(
          path,
          `a STANDARD channel needs a STANDARD input (2 destinations); ${input.id} is SINGLE_PIPELINE`,
        );
      }
    });

    const destinationIds = new Set<string>();
    settings.destinations.forEach((destination, index) => {
      const path = `destinations[${index}]`;
      const id = destination.id;
      if (typeof id !== 'string' || id === '') {
        fail(`${path}.id`, 'is required');
        return;
      }
      if (destinationIds.has(id)) fail(`${path}.id`, `duplicate destination id ${id}`);
      destinationIds.add(id);
      const perPipeline = destination.settings;
      const mediaPackage = destination.mediaPackageSettings;
      if (Array.isArray(perPipeline) && perPipeline.length > 0) {
        if (perPipeline.length !== pipelines) {
          fail(
            `${path}.settings`,
            `a ${settings.channelClass} channel needs ${pipelines} destination settings`,
          );
        }
      } else if (Array.isArray(mediaPackage) && mediaPackage.length > 0) {
        // A MediaPackage destination names the package channel once; MediaLive feeds both pipelines to it.
        if (mediaPackage.length !== 1) fail(`${path}.mediaPackageSettings`, 'needs exactly one entry');
      } else {
        fail(path, 'needs settings or mediaPackageSettings');
      }
    });
    for (const ref of destinationRefs(settings.encoderSettings, 'encoderSettings')) {
      if (!destinationIds.has(ref.id)) fail(ref.path, `destination ${ref.id} is not in destinations`);
    }
    return errors;
  };

  const readChannelSettings = (body: JsonBody, current: ChannelSettings | undefined): ChannelSettings => {
    const invalid = (message: string) => badRequest(message);
    const channelClass = current?.channelClass ?? body.string('channelClass') ?? 'STANDARD';
    if (!CHANNEL_CLASSES.has(channelClass)) throw invalid(`channelClass ${channelClass} is not valid.`);
    const logLevel = body.string('logLevel') ?? current?.logLevel ?? 'DISABLED';
    if (!LOG_LEVELS.has(logLevel)) throw invalid(`logLevel ${logLevel} is not valid.`);
    const settings: ChannelSettings = {
      channelClass: channelClass as ChannelClassName,
      logLevel,
      encoderSettings: body.object('encoderSettings') ?? current?.encoderSettings ?? {},
      destinations: body.objectArray('destinations') ?? current?.destinations ?? [],
      inputAttachments: body.objectArray('inputAttachments') ?? current?.inputAttachments ?? [],
      inputSpecification: body.object('inputSpecification') ??
        current?.inputSpecification ?? { codec: 'AVC', maximumBitrate: 'MAX_20_MBPS', resolution: 'HD' },
      tags: current?.tags ?? body.stringMap('tags') ?? {},
    };
    const name = body.string('name') ?? current?.name;
    if (name !== undefined) settings.name = name;
    // As on AWS, UpdateChannel replaces the role with what it is sent: omitting RoleArn removes it.
    const roleArn = body.string('roleArn');
    if (roleArn !== undefined) settings.roleArn = roleArn;
    const cdi = body.object('cdiInputSpecification') ?? current?.cdiInputSpecification;
    if (cdi !== undefined) settings.cdiInputSpecification = cdi;
    const securityGroups = body.stringArray('channelSecurityGroups') ?? current?.channelSecurityGroups;
    if (securityGroups !== undefined) settings.channelSecurityGroups = securityGroups;
    return settings;
  };

  const throwIfInvalid = (errors: ValidationError[]) => {
    if (errors.length > 0) {
      throw mediaLiveErrors.unprocessable(
        `The channel is not valid: ${errors.map((e) => `${e.elementPath} ${e.errorMessage}`).join('; ')}`,
        errors,
      );
    }
  };

  const createChannel = (req: ApiRequest) => {
    const body = JsonBody.parse(req.body, badRequest);
    const requestId = body.string('requestId');
    const existing =
      requestId && Object.values(live.channels).find((channel) => channel.requestId === requestId);
    if (existing) return jsonResponse(201, { channel: describeChannel(existing) });

    const settings = readChannelSettings(body, undefined);
    throwIfInvalid(validateChannel(settings, undefined));
    const id = newMediaLiveId(idTaken);
    const channel: ChannelRecord = { id, arn: arn('channel', id), state: 'CREATING', settings };
    if (body.boolean('dryRun')) return jsonResponse(201, { channel: describeChannel(channel) });
    if (requestId) channel.requestId = requestId;
    live.channels[id] = channel;
    ctx.lifecycle.created(channel);
    return jsonResponse(201, { channel: describeChannel(channel) });
  };

  const updateChannel = (req: ApiRequest) => {
    const channel = findChannel(req.params.channelId ?? '');
    const body = JsonBody.parse(req.body, badRequest);
    if (channel.state !== 'IDLE') {
      throw mediaLiveErrors.conflict(
        `Channel ${channel.id} is ${channel.state}; it can be updated only when IDLE.`,
      );
    }
    const settings = readChannelSettings(body, channel.settings);
    throwIfInvalid(validateChannel(settings, channel.id));
    if (body.boolean('dryRun'))
      return jsonResponse(200, { channel: describeChannel({ ...channel, settings }) });
    channel.settings = settings;
    ctx.lifecycle.updated(channel);
    return jsonResponse(200, { channel: describeChannel(channel) });
  };

  const channelAction = (action: (channel: ChannelRecord) => void) => (req: ApiRequest) => {
    const channel = findChannel(req.params.channelId ?? '');
    action(channel);
    return jsonResponse(200, describeChannel(channel));
  };

  const list = <T>(req: ApiRequest, items: T[]) =>
    paginate(items, req.query.get('maxResults'), req.query.get('nextToken'), badRequest, LIST_LIMITS);

  return [
    {
      operation: 'CreateInputSecurityGroup',
      method: 'POST',
      path: '/prod/inputSecurityGroups',
      handler: createInputSecurityGroup,
    },
    {
      operation: 'DescribeInputSecurityGroup',
      method: 'GET',
      path: '/prod/inputSecurityGroups/{inputSecurityGroupId}',
      handler: (req) =>
        jsonResponse(200, describeSecurityGroup(findSecurityGroup(req.params.inputSecurityGroupId ?? ''))),
    },
    {
      operation: 'ListInputSecurityGroups',
      method: 'GET',
      path: '/prod/inputSecurityGroups',
      handler: (req) => {
        const page = list(req, Object.values(live.securityGroups).map(describeSecurityGroup));
        return jsonResponse(200, { inputSecurityGroups: page.items, nextToken: page.nextToken });
      },
    },
    { operation: 'CreateInput', method: 'POST', path: '/prod/inputs', handler: createInput },
    {
      operation: 'DescribeInput',
      method: 'GET',
      path: '/prod/inputs/{inputId}',
      handler: (req) => jsonResponse(200, describeInput(findInput(req.params.inputId ?? ''))),
    },
    {
      operation: 'ListInputs',
      method: 'GET',
      path: '/prod/inputs',
      handler: (req) => {
        const inputs = Object.values(live.inputs).filter((input) => input.state !== 'DELETED');
        const page = list(req, inputs.map(describeInput));
        return jsonResponse(200, { inputs: page.items, nextToken: page.nextToken });
      },
    },
    { operation: 'DeleteInput', method: 'DELETE', path: '/prod/inputs/{inputId}', handler: deleteInput },
    { operation: 'CreateChannel', method: 'POST', path: '/prod/channels', handler: createChannel },
    {
      operation: 'DescribeChannel',
      method: 'GET',
      path: '/prod/channels/{channelId}',
      handler: (req) => jsonResponse(200, describeChannel(findChannel(req.params.channelId ?? ''))),
    },
    {
      operation: 'ListChannels',
      method: 'GET',
      path: '/prod/channels',
      handler: (req) => {
        const channels = Object.values(live.channels).filter((channel) => channel.state !== 'DELETED');
        const page = list(
          req,
          channels.map((channel) => describeChannel(channel, true)),
        );
        return jsonResponse(200, { channels: page.items, nextToken: page.nextToken });
      },
    },
    { operation: 'UpdateChannel', method: 'PUT', path: '/prod/channels/{channelId}', handler: updateChannel },
    {
      operation: 'StartChannel',
      method: 'POST',
      path: '/prod/channels/{channelId}/start',
      handler: channelAction((channel) => ctx.lifecycle.start(channel)),
    },
    {
      operation: 'StopChannel',
      method: 'POST',
      path: '/prod/channels/{channelId}/stop',
      handler: channelAction((channel) => ctx.lifecycle.stop(channel)),
    },
    {
      operation: 'DeleteChannel',
      method: 'DELETE',
      path: '/prod/channels/{channelId}',
      handler: channelAction((channel) => ctx.lifecycle.delete(channel)),
    },
  ];
}

function isIpv4Cidr(cidr: string): boolean {
  const match = IPV4_CIDR.exec(cidr);
  if (!match) return false;
  const octets = match.slice(1, 5).map(Number);
  return octets.every((octet) => octet <= 255) && Number(match[5]) <= 32;
}

/** Every `destinationRefId` in the encoder settings, with its element path. */
function destinationRefs(value: JsonValue, path: string): Array<{ id: string; path: string }> {
  if (Array.isArray(value)) return value.flatMap((item, index) => destinationRefs(item, `${path}[${index}]`));
  if (!isJsonObject(value)) return [];
  return Object.entries(value).flatMap(([key, member]) =>
    key === 'destinationRefId' && typeof member === 'string'
      ? [{ id: member, path: `${path}.${key}` }]
      : destinationRefs(member, `${path}.${key}`),
  );
}
