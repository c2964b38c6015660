/**
 * MediaPackage v1 (2017-10-12, REST-JSON): channels and HLS origin endpoints, as the task Lambdas
 * use them. Endpoint URLs have the real path shape `<hlsBaseUrl>/out/v1/<32 hex>/<ManifestName>.m3u8`;
 * the media plane serves them. MediaPackage v1 has no BadRequest or Conflict error in its model:
 * every invalid request is a 422.
 */
import { AwsError } from '../../aws-server/aws-error.js';
import { Fields, isString } from '../../aws-server/fields.js';
import { jsonReply, parseJson, type Route, type RouteRequest } from '../../aws-server/protocols.js';
import type { ControlState, JsonObject, OriginEndpointRecord, PackageChannelRecord } from './state.js';
import { newHexHash } from './wire.js';

const ID = /^[A-Za-z0-9_-]{1,256}$/;
/** MediaPackage v1 limits: startover windows up to 14 days, HLS segments of 1 to 30 seconds. */
const MAX_STARTOVER_WINDOW_SECONDS = 1_209_600;
const MAX_SEGMENT_DURATION_SECONDS = 30;

const invalid = (message: string) => new AwsError('UnprocessableEntityException', message, 422);

export function endpointUrl(hlsBaseUrl: string, endpoint: OriginEndpointRecord): string {
  return `${hlsBaseUrl.replace(/\/+$/, '')}/out/v1/${endpoint.hash}/${endpoint.manifestName}.m3u8`;
}

export function mediaPackageRoutes(ctx: {
  state: ControlState;
  save(): void;
  arn(kind: string, id: string): string;
  hlsBaseUrl: string;
}): Route[] {
  const pkg = ctx.state.mediapackage;
  const body = (req: RouteRequest) => new Fields(parseJson(req.body, invalid), invalid);
  const find = <T>(records: Record<string, T>, what: string, id = '') => {
    const record = records[id];
    if (!record) throw new AwsError('NotFoundException', `${what} ${id} does not exist.`, 404);
    return record;
  };

  const describeChannel = ({ ingestEndpoints, ...channel }: PackageChannelRecord) => ({
    ...channel,
    hlsIngest: {
      ingestEndpoints: ingestEndpoints.map(({ path, ...endpoint }) => ({
        ...endpoint,
        url: `${ctx.hlsBaseUrl}${path}`,
      })),
    },
  });
  const describeEndpoint = (endpoint: OriginEndpointRecord) => {
    const { hash: _hash, ...wire } = endpoint;
    return { ...wire, url: endpointUrl(ctx.hlsBaseUrl, endpoint) };
  };

  /** The members Create and Update share, applied to `endpoint`. */
  const apply = (fields: Fields, endpoint: OriginEndpointRecord) => {
    for (const other of ['cmafPackage', 'dashPackage', 'mssPackage']) {
      if (other in fields.raw)
        throw invalid(`${other} is not supported by the local media service: use hlsPackage.`);
    }
    const hls = fields.object('hlsPackage');
    if (hls) endpoint.hlsPackage = hlsPackage(hls);
    endpoint.manifestName = fields.string('manifestName', { pattern: ID }) ?? endpoint.manifestName;
    endpoint.startoverWindowSeconds =
      fields.integer('startoverWindowSeconds', 0, MAX_STARTOVER_WINDOW_SECONDS) ??
      endpoint.startoverWindowSeconds;
    endpoint.timeDelaySeconds = fields.integer('timeDelaySeconds', 0, 86_400) ?? endpoint.timeDelaySeconds;
    endpoint.origination = fields.string('origination', { oneOf: ['ALLOW', 'DENY'] }) ?? endpoint.origination;
    endpoint.description = fields.string('description') ?? endpoint.description;
    endpoint.whitelist = fields.list('whitelist', isString, 'CIDR blocks') ?? endpoint.whitelist;
  };

  return [
    {
      method: 'POST',
      path: '/channels',
      handle(req) {
        const fields = body(req);
        const id = fields.string('id', { required: true, pattern: ID });
        if (pkg.channels[id]) throw invalid(`A channel with id ${id} already exists.`);
        const hash = newHexHash();
        const description = fields.string('description');
        pkg.channels[id] = {
          id,
          arn: ctx.arn('channels', hash),
          createdAt: new Date().toISOString(),
          // Two ingest endpoints, one per MediaLive pipeline, as on AWS.
          ingestEndpoints: [0, 1].map(() => ({
            id: newHexHash(),
            path: `/in/v2/${hash}/${newHexHash()}/channel`,
            username: newHexHash(),
            password: newHexHash(),
          })),
          tags: (fields.object('tags')?.raw ?? {}) as Record<string, string>,
          ...(description !== undefined && { description }),
        };
        ctx.save();
        return jsonReply(200, describeChannel(pkg.channels[id]));
      },
    },
    {
      method: 'GET',
      path: '/channels/{id}',
      handle: (req) => jsonReply(200, describeChannel(find(pkg.channels, 'Channel', req.params.id))),
    },
    {
      method: 'DELETE',
      path: '/channels/{id}',
      handle(req) {
        const channel = find(pkg.channels, 'Channel', req.params.id);
        const endpoints = Object.values(pkg.endpoints).filter((e) => e.channelId === channel.id);
        if (endpoints.length > 0) {
          throw invalid(
            `Channel ${channel.id} has origin endpoints (${endpoints.map((e) => e.id).join(', ')}); delete them first.`,
          );
        }
        delete pkg.channels[channel.id];
        ctx.save();
        return jsonReply(202, {});
      },
    },
    {
      method: 'POST',
      path: '/origin_endpoints',
      handle(req) {
        const fields = body(req);
        const id = fields.string('id', { required: true, pattern: ID });
        if (pkg.endpoints[id]) throw invalid(`An origin endpoint with id ${id} already exists.`);
        const channelId = fields.string('channelId', { required: true });
        if (!pkg.channels[channelId]) throw invalid(`Channel ${channelId} does not exist.`);
        if (!fields.object('hlsPackage'))
          throw invalid('The local media service packages HLS only: hlsPackage is required.');
        const hash = newHexHash();
        const endpoint: OriginEndpointRecord = {
          id,
          arn: ctx.arn('origin_endpoints', hash),
          hash,
          channelId,
          createdAt: new Date().toISOString(),
          manifestName: 'index',
          startoverWindowSeconds: 0,
          timeDelaySeconds: 0,
          origination: 'ALLOW',
          whitelist: [],
          hlsPackage: {},
          tags: (fields.object('tags')?.raw ?? {}) as Record<string, string>,
        };
        apply(fields, endpoint);
        pkg.endpoints[id] = endpoint;
        ctx.save();
        return jsonReply(200, describeEndpoint(endpoint));
      },
    },
    {
      method: 'GET',
      path: '/origin_endpoints/{id}',
      handle: (req) =>
        jsonReply(200, describeEndpoint(find(pkg.endpoints, 'Origin endpoint', req.params.id))),
    },
    {
      method: 'PUT',
      path: '/origin_endpoints/{id}',
      handle(req) {
        const current = find(pkg.endpoints, 'Origin endpoint', req.params.id);
        // Changed on a copy, so a refused update changes nothing.
        const next = structuredClone(current);
        apply(body(req), next);
        pkg.endpoints[current.id] = next;
        ctx.save();
        return jsonReply(200, describeEndpoint(next));
      },
    },
    {
      method: 'DELETE',
      path: '/origin_endpoints/{id}',
      handle(req) {
        delete pkg.endpoints[find(pkg.endpoints, 'Origin endpoint', req.params.id).id];
        ctx.save();
        return jsonReply(202, {});
      },
    },
  ];
}

/** The HlsPackage as MediaPackage stores it: checked, with AWS's defaults filled in. */
function hlsPackage(fields: Fields): JsonObject {
  fields.integer('segmentDurationSeconds', 1, MAX_SEGMENT_DURATION_SECONDS);
  fields.integer('playlistWindowSeconds', 1, Number.MAX_SAFE_INTEGER);
  fields.string('playlistType', { oneOf: ['NONE', 'EVENT', 'VOD'] });
  fields.string('adMarkers', { oneOf: ['NONE', 'SCTE35_ENHANCED', 'PASSTHROUGH', 'DATERANGE'] });
  const encryption = fields.object('encryption');
  if (encryption) {
    encryption.string('encryptionMethod', { oneOf: ['AES_128', 'SAMPLE_AES'] });
    encryption.integer('keyRotationIntervalSeconds', 0, Number.MAX_SAFE_INTEGER);
    // HLS encryption in MediaPackage always goes through a SPEKE key provider.
    const speke = encryption.object('spekeKeyProvider', true);
    for (const member of ['resourceId', 'url', 'roleArn']) speke.string(member, { required: true, min: 1 });
    if (!(speke.list('systemIds', isString, 'system ids')?.length ?? 0))
      throw invalid('hlsPackage.encryption.spekeKeyProvider.systemIds needs a system id.');
  }
  return {
    adMarkers: 'NONE',
    includeDvbSubtitles: false,
    includeIframeOnlyStream: false,
    playlistType: 'NONE',
    playlistWindowSeconds: 60,
    programDateTimeIntervalSeconds: 0,
    segmentDurationSeconds: 6,
    useAudioRenditionGroup: false,
    ...fields.raw,
    ...(encryption && {
      encryption: {
        encryptionMethod: 'AES_128',
        keyRotationIntervalSeconds: 60,
        repeatExtXKey: false,
        ...encryption.raw,
      },
    }),
  };
}
