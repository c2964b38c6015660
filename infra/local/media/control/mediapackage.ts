/**
 * MediaPackage v1 (2017-10-12, REST-JSON): channels and HLS origin endpoints, as the task Lambdas
 * use them. Endpoint URLs have the real path shape `<hlsBaseUrl>/out/v1/<32 hex>/<ManifestName>.m3u8`;
 * the media plane serves them. MediaPackage v1 has no BadRequest or Conflict error in its model:
 * every invalid request is a 422.
 */
import { AwsError, found } from '../../aws-server/aws-error.js';
import { Fields } from '../../aws-server/fields.js';
import { jsonReply, on, parseJson, type Route, type RouteRequest } from '../../aws-server/protocols.js';
import type { ControlState, OriginEndpointRecord, PackageChannelRecord } from './state.js';
import { newHexHash, notFound, tagsOf } from './wire.js';

const ID = /^[A-Za-z0-9_-]{1,256}$/;
/** MediaPackage v1 limits: startover windows up to 14 days, HLS segments of 1 to 30 seconds. */
const MAX_STARTOVER_WINDOW_SECONDS = 1_209_600;
/** MediaPackage's defaults for what an HlsPackage leaves out. */
const HLS_DEFAULTS = {
  adMarkers: 'NONE',
  includeDvbSubtitles: false,
  includeIframeOnlyStream: false,
  playlistType: 'NONE',
  playlistWindowSeconds: 60,
  programDateTimeIntervalSeconds: 0,
  segmentDurationSeconds: 6,
  useAudioRenditionGroup: false,
};

const invalid = (message: string) => new AwsError('UnprocessableEntityException', message, 422);

export const endpointUrl = (hlsBaseUrl: string, { hash, manifestName }: OriginEndpointRecord): string =>
  `${hlsBaseUrl}/out/v1/${hash}/${manifestName}.m3u8`;

export function mediaPackageRoutes(ctx: {
  state: ControlState;
  save(): void;
  arn(kind: string, id: string): string;
  hlsBaseUrl: string;
}): Route[] {
  const { channels, endpoints } = ctx.state.mediapackage;
  const body = (req: RouteRequest) => new Fields(parseJson(req.body, invalid), invalid);
  const channel = (req: RouteRequest) => found(channels[req.params.id ?? ''], notFound('Channel'));
  const endpoint = (req: RouteRequest) => found(endpoints[req.params.id ?? ''], notFound('Origin endpoint'));
  const describeChannel = ({ ingestEndpoints, ...record }: PackageChannelRecord) => {
    const ingest = ingestEndpoints.map(({ path, ...e }) => ({ ...e, url: `${ctx.hlsBaseUrl}${path}` }));
    return { ...record, hlsIngest: { ingestEndpoints: ingest } };
  };
  const describeEndpoint = (record: OriginEndpointRecord) => {
    const { hash: _, ...wire } = record;
    return { ...wire, url: endpointUrl(ctx.hlsBaseUrl, record) };
  };
  const saved = <T>(status: number, answer: T) => {
    ctx.save();
    return jsonReply(status, answer);
  };

  /** The members Create and Update share, applied to `record`. */
  const apply = (fields: Fields, record: OriginEndpointRecord) => {
    for (const other of ['cmafPackage', 'dashPackage', 'mssPackage']) {
      if (other in fields.raw)
        throw invalid(`${other} is not supported by the local media service: use hlsPackage.`);
    }
    const hls = fields.object('hlsPackage');
    if (hls) {
      hls.integer('segmentDurationSeconds', 1, 30);
      hls.integer('playlistWindowSeconds', 1, Number.MAX_SAFE_INTEGER);
      hls.string('playlistType', { oneOf: ['NONE', 'EVENT', 'VOD'] });
      hls.string('adMarkers', { oneOf: ['NONE', 'SCTE35_ENHANCED', 'PASSTHROUGH', 'DATERANGE'] });
      // HLS encryption in MediaPackage always goes through a SPEKE key provider.
      const encryption = hls.object('encryption');
      encryption?.object('spekeKeyProvider', true).string('url', { required: true, min: 1 });
      record.hlsPackage = { ...HLS_DEFAULTS, ...hls.raw };
      const defaults = { encryptionMethod: 'AES_128', keyRotationIntervalSeconds: 60, repeatExtXKey: false };
      if (encryption) record.hlsPackage.encryption = { ...defaults, ...encryption.raw };
    }
    // The members the tasks send; AWS's defaults stand for the others (origination, time delay...).
    record.manifestName = fields.string('manifestName', { pattern: ID }) ?? record.manifestName;
    const window = fields.integer('startoverWindowSeconds', 0, MAX_STARTOVER_WINDOW_SECONDS);
    record.startoverWindowSeconds = window ?? record.startoverWindowSeconds;
  };

  return [
    on('POST', '/channels', (req) => {
      const fields = body(req);
      const id = fields.string('id', { required: true, pattern: ID });
      if (channels[id]) throw invalid(`A channel with id ${id} already exists.`);
      const hash = newHexHash();
      const description = fields.string('description');
      channels[id] = {
        id,
        arn: ctx.arn('channels', hash),
        createdAt: new Date().toISOString(),
        // Two ingest endpoints, one per MediaLive pipeline, as on AWS.
        ingestEndpoints: [0, 1].map(() => {
          const [id, username, password] = [newHexHash(), newHexHash(), newHexHash()];
          return { id, path: `/in/v2/${hash}/${newHexHash()}/channel`, username, password };
        }),
        tags: tagsOf(fields),
        ...(description !== undefined && { description }),
      };
      return saved(200, describeChannel(channels[id]));
    }),
    on('GET', '/channels/{id}', (req) => jsonReply(200, describeChannel(channel(req)))),
    on('DELETE', '/channels/{id}', (req) => {
      const { id } = channel(req);
      const children = Object.values(endpoints).filter((e) => e.channelId === id);
      if (children.length > 0) throw invalid(`Channel ${id} has origin endpoints: delete them first.`);
      delete channels[id];
      return saved(202, {});
    }),
    on('POST', '/origin_endpoints', (req) => {
      const fields = body(req);
      const id = fields.string('id', { required: true, pattern: ID });
      if (endpoints[id]) throw invalid(`An origin endpoint with id ${id} already exists.`);
      const channelId = fields.string('channelId', { required: true });
      if (!channels[channelId]) throw invalid(`Channel ${channelId} does not exist.`);
      if (!fields.object('hlsPackage'))
        throw invalid('The local media service packages HLS only: hlsPackage is required.');
      const hash = newHexHash();
      const record: OriginEndpointRecord = {
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
        tags: tagsOf(fields),
      };
      apply(fields, record);
      endpoints[id] = record;
      return saved(200, describeEndpoint(record));
    }),
    on('GET', '/origin_endpoints/{id}', (req) => jsonReply(200, describeEndpoint(endpoint(req)))),
    on('PUT', '/origin_endpoints/{id}', (req) => {
      // Changed on a copy, so a refused update changes nothing.
      const next = structuredClone(endpoint(req));
      apply(body(req), next);
      endpoints[next.id] = next;
      return saved(200, describeEndpoint(next));
    }),
    on('DELETE', '/origin_endpoints/{id}', (req) => {
      delete endpoints[endpoint(req).id];
      return saved(202, {});
    }),
  ];
}
