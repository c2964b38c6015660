/** The channel spec of a stream for a given archive prefix: shared by create and each start. */
import { archiveUrls, pipelinesOf } from './archive-naming.js';
import type { ChannelSpec } from './encoder-profile.js';
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
  };
}
