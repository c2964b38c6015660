/**
 * MediaPackage v1 (2017-10-12, REST-JSON): channels and HLS origin endpoints. Endpoint URLs have the
 * real path shape `<hlsBaseUrl>/out/v1/<32 hex>/<ManifestName>.m3u8`; the media plane serves them.
 */
import type {
  ControlState,
  JsonObject,
  OriginEndpointRecord,
  PackageChannelRecord,
} from './control-state.js';
import { isJsonObject, JsonBody } from './json-body.js';
import { paginate } from './pagination.js';
import { newHexHash } from './resource-ids.js';
import { type ApiRequest, jsonResponse, type Route } from './rest-routes.js';
import { mediaPackageErrors } from './service-error.js';

export interface MediaPackageContext {
  state: ControlState;
  save(): void;
  region: string;
  accountId: string;
  hlsBaseUrl: string;
}

const ID_PATTERN = /^[A-Za-z0-9_-]{1,256}$/;
const LIST_LIMITS = { defaultSize: 1000, maxSize: 1000 };
/** MediaPackage v1 startover windows go up to 14 days. */
const MAX_STARTOVER_WINDOW_SECONDS = 1_209_600;
/** MediaPackage v1 HLS segments are 1 to 30 seconds. */
const MAX_SEGMENT_DURATION_SECONDS = 30;
const PLAYLIST_TYPES = ['NONE', 'EVENT', 'VOD'];
const AD_MARKERS = ['NONE', 'SCTE35_ENHANCED', 'PASSTHROUGH', 'DATERANGE'];
const ENCRYPTION_METHODS = ['AES_128', 'SAMPLE_AES'];
const ORIGINATIONS = ['ALLOW', 'DENY'];

const invalid = (message: string) => mediaPackageErrors.unprocessable(message);

export function mediaPackageRoutes(ctx: MediaPackageContext): Route[] {
  const pkg = ctx.state.mediapackage;
  const base = ctx.hlsBaseUrl.replace(/\/+$/, '');
  const arn = (kind: string, hash: string) =>
    `arn:aws:mediapackage:${ctx.region}:${ctx.accountId}:${kind}/${hash}`;

  const describeChannel = (channel: PackageChannelRecord) => {
    const out: JsonObject = {
      arn: channel.arn,
      createdAt: channel.createdAt,
      egressAccessLogs: {},
      hlsIngest: {
        ingestEndpoints: channel.ingestEndpoints.map((endpoint) => ({
          id: endpoint.id,
          password: endpoint.password,
          url: `${base}${endpoint.path}`,
          username: endpoint.username,
        })),
      },
      id: channel.id,
      ingressAccessLogs: {},
      tags: channel.tags,
    };
    if (channel.description !== undefined) out.description = channel.description;
    return out;
  };

  const describeEndpoint = (endpoint: OriginEndpointRecord) => {
    const out: JsonObject = {
      arn: endpoint.arn,
      channelId: endpoint.channelId,
      createdAt: endpoint.createdAt,
      hlsPackage: endpoint.hlsPackage,
      id: endpoint.id,
      manifestName: endpoint.manifestName,
      origination: endpoint.origination,
      startoverWindowSeconds: endpoint.startoverWindowSeconds,
      tags: endpoint.tags,
      timeDelaySeconds: endpoint.timeDelaySeconds,
      url: endpointUrl(base, endpoint),
      whitelist: endpoint.whitelist,
    };
    if (endpoint.description !== undefined) out.description = endpoint.description;
    if (endpoint.authorization !== undefined) out.authorization = endpoint.authorization;
    return out;
  };

  const findChannel = (id: string) => {
    const channel = pkg.channels[id];
    if (!channel) throw mediaPackageErrors.notFound(`Channel ${id} does not exist.`);
    return channel;
  };

  const findEndpoint = (id: string) => {
    const endpoint = pkg.endpoints[id];
    if (!endpoint) throw mediaPackageErrors.notFound(`Origin endpoint ${id} does not exist.`);
    return endpoint;
  };

  const createChannel = (req: ApiRequest) => {
    const body = JsonBody.parse(req.body, invalid);
    const id = body.requiredString('id');
    if (!ID_PATTERN.test(id)) throw invalid('id may contain only letters, digits, "-" and "_".');
    if (pkg.channels[id]) throw invalid(`A channel with id ${id} already exists.`);
    const hash = newHexHash();
    const channel: PackageChannelRecord = {
      id,
      arn: arn('channels', hash),
      createdAt: new Date().toISOString(),
      // Two ingest endpoints, one per MediaLive pipeline, as on AWS.
      ingestEndpoints: [0, 1].map(() => ({
        id: newHexHash(),
        path: `/in/v2/${hash}/${newHexHash()}/channel`,
        username: newHexHash(),
        password: newHexHash(),
      })),
      tags: body.stringMap('tags') ?? {},
    };
    const description = body.string('description');
    if (description !== undefined) channel.description = description;
    pkg.channels[id] = channel;
    ctx.save();
    return jsonResponse(200, describeChannel(channel));
  };

  const deleteChannel = (req: ApiRequest) => {
    const channel = findChannel(req.params.id ?? '');
    const endpoints = Object.values(pkg.endpoints).filter((endpoint) => endpoint.channelId === channel.id);
    if (endpoints.length > 0) {
      throw invalid(
        `Channel ${channel.id} has origin endpoints (${endpoints.map((e) => e.id).join(', ')}); delete them first.`,
      );
    }
    delete pkg.channels[channel.id];
    ctx.save();
    return jsonResponse(202, {});
  };

  /** Applies the members an endpoint request carries; Create and Update share them. */
  const applyEndpointMembers = (body: JsonBody, endpoint: OriginEndpointRecord) => {
    for (const other of ['cmafPackage', 'dashPackage', 'mssPackage']) {
      if (body.has(other))
        throw invalid(`${other} is not supported by the local media service: use hlsPackage.`);
    }
    const hlsPackage = body.object('hlsPackage');
    if (hlsPackage) endpoint.hlsPackage = normalizeHlsPackage(hlsPackage);
    const manifestName = body.string('manifestName');
    if (manifestName !== undefined) {
      if (!/^[A-Za-z0-9_-]{1,256}$/.test(manifestName)) {
        throw invalid('manifestName may contain only letters, digits, "-" and "_".');
      }
      endpoint.manifestName = manifestName;
    }
    const startover = body.integer('startoverWindowSeconds');
    if (startover !== undefined) {
      if (startover < 0 || startover > MAX_STARTOVER_WINDOW_SECONDS) {
        throw invalid(`startoverWindowSeconds must be between 0 and ${MAX_STARTOVER_WINDOW_SECONDS}.`);
      }
      endpoint.startoverWindowSeconds = startover;
    }
    const delay = body.integer('timeDelaySeconds');
    if (delay !== undefined) {
      if (delay < 0) throw invalid('timeDelaySeconds must not be negative.');
      endpoint.timeDelaySeconds = delay;
    }
    const origination = body.string('origination');
    if (origination !== undefined) {
      if (!ORIGINATIONS.includes(origination))
        throw invalid(`origination must be one of ${ORIGINATIONS.join(', ')}.`);
      endpoint.origination = origination;
    }
    const description = body.string('description');
    if (description !== undefined) endpoint.description = description;
    const whitelist = body.stringArray('whitelist');
    if (whitelist !== undefined) endpoint.whitelist = whitelist;
    const authorization = body.object('authorization');
    if (authorization !== undefined) {
      if (
        typeof authorization.cdnIdentifierSecret !== 'string' ||
        typeof authorization.secretsRoleArn !== 'string'
      ) {
        throw invalid('authorization needs cdnIdentifierSecret and secretsRoleArn.');
      }
      endpoint.authorization = authorization;
    }
  };

  const createOriginEndpoint = (req: ApiRequest) => {
    const body = JsonBody.parse(req.body, invalid);
    const id = body.requiredString('id');
    if (!ID_PATTERN.test(id)) throw invalid('id may contain only letters, digits, "-" and "_".');
    if (pkg.endpoints[id]) throw invalid(`An origin endpoint with id ${id} already exists.`);
    const channelId = body.requiredString('channelId');
    if (!pkg.channels[channelId]) throw invalid(`Channel ${channelId} does not exist.`);
    if (!body.has('hlsPackage'))
      throw invalid('The local media service packages HLS only: hlsPackage is required.');
    const hash = newHexHash();
    const endpoint: OriginEndpointRecord = {
      id,
      arn: arn('origin_endpoints', hash),
      hash,
      channelId,
      createdAt: new Date().toISOString(),
      manifestName: 'index',
      startoverWindowSeconds: 0,
      timeDelaySeconds: 0,
      origination: 'ALLOW',
      whitelist: [],
      hlsPackage: {},
      tags: body.stringMap('tags') ?? {},
    };
    applyEndpointMembers(body, endpoint);
    pkg.endpoints[id] = endpoint;
    ctx.save();
    return jsonResponse(200, describeEndpoint(endpoint));
  };

  const updateOriginEndpoint = (req: ApiRequest) => {
    const current = findEndpoint(req.params.id ?? '');
    const body = JsonBody.parse(req.body, invalid);
    // Validate on a copy so a rejected update changes nothing.
    const next = structuredClone(current);
    applyEndpointMembers(body, next);
    pkg.endpoints[current.id] = next;
    ctx.save();
    return jsonResponse(200, describeEndpoint(next));
  };

  const deleteOriginEndpoint = (req: ApiRequest) => {
    const endpoint = findEndpoint(req.params.id ?? '');
    delete pkg.endpoints[endpoint.id];
    ctx.save();
    return jsonResponse(202, {});
  };

  const list = <T>(req: ApiRequest, items: T[]) =>
    paginate(items, req.query.get('maxResults'), req.query.get('nextToken'), invalid, LIST_LIMITS);

  return [
    { operation: 'CreateChannel', method: 'POST', path: '/channels', handler: createChannel },
    {
      operation: 'DescribeChannel',
      method: 'GET',
      path: '/channels/{id}',
      handler: (req) => jsonResponse(200, describeChannel(findChannel(req.params.id ?? ''))),
    },
    { operation: 'DeleteChannel', method: 'DELETE', path: '/channels/{id}', handler: deleteChannel },
    {
      operation: 'ListChannels',
      method: 'GET',
      path: '/channels',
      handler: (req) => {
        const page = list(req, Object.values(pkg.channels).map(describeChannel));
        return jsonResponse(200, { channels: page.items, nextToken: page.nextToken });
      },
    },
    {
      operation: 'CreateOriginEndpoint',
      method: 'POST',
      path: '/origin_endpoints',
      handler: createOriginEndpoint,
    },
    {
      operation: 'DescribeOriginEndpoint',
      method: 'GET',
      path: '/origin_endpoints/{id}',
      handler: (req) => jsonResponse(200, describeEndpoint(findEndpoint(req.params.id ?? ''))),
    },
    {
      operation: 'UpdateOriginEndpoint',
      method: 'PUT',
      path: '/origin_endpoints/{id}',
      handler: updateOriginEndpoint,
    },
    {
      operation: 'DeleteOriginEndpoint',
      method: 'DELETE',
      path: '/origin_endpoints/{id}',
      handler: deleteOriginEndpoint,
    },
    {
      operation: 'ListOriginEndpoints',
      method: 'GET',
      path: '/origin_endpoints',
      handler: (req) => {
        const channelId = req.query.get('channelId');
        const endpoints = Object.values(pkg.endpoints).filter(
          (endpoint) => channelId === null || endpoint.channelId === channelId,
        );
        const page = list(req, endpoints.map(describeEndpoint));
        return jsonResponse(200, { originEndpoints: page.items, nextToken: page.nextToken });
      },
    },
  ];
}

export function endpointUrl(hlsBaseUrl: string, endpoint: OriginEndpointRecord): string {
  return `${hlsBaseUrl.replace(/\/+$/, '')}/out/v1/${endpoint.hash}/${endpoint.manifestName}.m3u8`;
}

/** The HlsPackage as MediaPackage stores it: validated, with AWS's defaults filled in. */
function normalizeHlsPackage(raw: JsonObject): JsonObject {
  const hls: JsonObject = {
    adMarkers: 'NONE',
    includeDvbSubtitles: false,
    includeIframeOnlyStream: false,
    playlistType: 'NONE',
    playlistWindowSeconds: 60,
    programDateTimeIntervalSeconds: 0,
    segmentDurationSeconds: 6,
    useAudioRenditionGroup: false,
    ...raw,
  };
  const positiveInteger = (key: string, max = Number.MAX_SAFE_INTEGER) => {
    const value = hls[key];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
      throw invalid(`hlsPackage.${key} must be an integer between 1 and ${max}.`);
    }
  };
  positiveInteger('segmentDurationSeconds', MAX_SEGMENT_DURATION_SECONDS);
  positiveInteger('playlistWindowSeconds');
  const oneOf = (object: JsonObject, key: string, allowed: string[], path: string) => {
    const value = object[key];
    if (typeof value !== 'string' || !allowed.includes(value)) {
      throw invalid(`${path}.${key} must be one of ${allowed.join(', ')}.`);
    }
  };
  oneOf(hls, 'playlistType', PLAYLIST_TYPES, 'hlsPackage');
  oneOf(hls, 'adMarkers', AD_MARKERS, 'hlsPackage');
  if (hls.encryption !== undefined && hls.encryption !== null) {
    if (!isJsonObject(hls.encryption)) throw invalid('hlsPackage.encryption must be an object.');
    const encryption: JsonObject = {
      encryptionMethod: 'AES_128',
      keyRotationIntervalSeconds: 60,
      repeatExtXKey: false,
      ...hls.encryption,
    };
    oneOf(encryption, 'encryptionMethod', ENCRYPTION_METHODS, 'hlsPackage.encryption');
    const rotation = encryption.keyRotationIntervalSeconds;
    if (typeof rotation !== 'number' || !Number.isInteger(rotation) || rotation < 0) {
      throw invalid('hlsPackage.encryption.keyRotationIntervalSeconds must be a non-negative integer.');
    }
    // HLS encryption in MediaPackage always goes through a SPEKE key provider.
    const speke = encryption.spekeKeyProvider;
    if (!isJsonObject(speke)) throw invalid('hlsPackage.encryption.spekeKeyProvider is required.');
    for (const key of ['resourceId', 'url', 'roleArn']) {
      if (typeof speke[key] !== 'string' || speke[key] === '') {
        throw invalid(`hlsPackage.encryption.spekeKeyProvider.${key} is required.`);
      }
    }
    const systemIds = speke.systemIds;
    if (
      !Array.isArray(systemIds) ||
      systemIds.length === 0 ||
      !systemIds.every((s) => typeof s === 'string')
    ) {
      throw invalid('hlsPackage.encryption.spekeKeyProvider.systemIds needs at least one system id.');
    }
    hls.encryption = encryption;
  }
  return hls;
}
