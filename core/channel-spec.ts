/** The channel spec of a stream for a given archive prefix: shared by create and each start. */
import { archiveUrls, pipelinesOf } from './archive-naming.js';
import type { ChannelSpec, SimulcastSpec } from './encoder-profile.js';
import { MissingResource } from './errors.js';
import type { StreamRecord } from './stream.js';

export function channelSpec(
  record: StreamRecord,
  opts: { roleArn: string; archiveBucket: string; archivePrefix: string },
): ChannelSpec {
  if (!record.live_input_id) throw new MissingResource(`stream ${record.id} has no MediaLive input`);
  if (!record.package_channel_id)
    throw new MissingResource(`stream ${record.id} has no MediaPackage channel`);
  return {
    name: `live-${record.id}`,
    channelClass: record.channel_class,
    inputId: record.live_input_id,
    roleArn: opts.roleArn,
    packageChannelId: record.package_channel_id,
    segmentLength: record.segment_length,
    archiveUrls: archiveUrls(opts.archiveBucket, opts.archivePrefix, pipelinesOf(record.channel_class)),
    tags: { stream_id: record.id },
    ...(record.destinations?.length ? { destinations: simulcast(record) } : {}),
  };
}

function simulcast(record: StreamRecord): SimulcastSpec[] {
  const pipelines = pipelinesOf(record.channel_class);
  return (record.destinations ?? []).map((d) => {
    if (!d.stream_key)
      throw new MissingResource(`destination ${d.name} of stream ${record.id} has no stream key`);
    return {
      name: d.name,
      urls: pipelines === 2 ? [d.url, d.backup_url ?? d.url] : [d.url],
      streamKey: d.stream_key,
      height: Number.parseInt(d.rendition, 10),
    };
  });
}
