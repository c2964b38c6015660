/**
 * StartStream step: a new recording session. Points the channel's archive at the session's own
 * prefix with UpdateChannel (always with RoleArn: MediaLive drops the role when it is omitted) and
 * the stream's current segment length.
 */
import { randomBytes } from 'node:crypto';
import {
  ConflictException,
  DescribeChannelCommand,
  type MediaLiveClient,
  UpdateChannelCommand,
} from '@aws-sdk/client-medialive';
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { defaultArchivePrefix, InvalidArchivePath, normalizeArchivePath } from '../../core/archive-naming.js';
import { channelSpec } from '../../core/channel-spec.js';
import { buildUpdateChannelInput } from '../../core/encoder-profile.js';
import { ChannelNotIdle, MissingResource } from '../../core/errors.js';
import type { StreamStore } from '../../core/stream-store.js';
import * as clients from '../clients.js';
import type { ConfigureSessionInput, PendingSession } from '../contracts.js';
import { settings, taskHandler } from '../runtime.js';

export async function configureSession(
  deps: {
    medialive: MediaLiveClient;
    s3: S3Client;
    store: StreamStore;
    roleArn: string;
    archiveBucket: string;
    now?: () => Date;
  },
  input: ConfigureSessionInput,
): Promise<PendingSession> {
  const record = await deps.store.get(input.stream_id);
  const channelId = record.live_channel_id;
  if (!channelId) throw new MissingResource(`stream ${record.id} has no MediaLive channel`);
  const described = await deps.medialive.send(new DescribeChannelCommand({ ChannelId: channelId }));
  if (described.State !== 'IDLE') throw new ChannelNotIdle(channelId, described.State ?? 'UNKNOWN');
  const at = deps.now?.() ?? new Date();
  const prefix = input.options?.path
    ? normalizeArchivePath(input.options.path)
    : defaultArchivePrefix(record.id, at);
  // A session's archive is its own: never another stream's or another session's prefix, even when
  // two starts name the same `path` at once (the reservation is one conditional write).
  const taken = (reason: string) => new InvalidArchivePath(input.options?.path ?? prefix, reason);
  const owner = { streamId: record.id, execution: input.execution_name ?? input.requested_at };
  if (!(await deps.store.reserveArchivePrefix(prefix, owner))) {
    throw taken('is the archive of another recording session: choose another path');
  }
  const existing = await deps.s3.send(
    new ListObjectsV2Command({ Bucket: deps.archiveBucket, Prefix: `${prefix}/`, MaxKeys: 1 }),
  );
  if ((existing.KeyCount ?? 0) > 0) throw taken('already holds objects: choose an empty path');
  const spec = channelSpec(record, {
    roleArn: deps.roleArn,
    archiveBucket: deps.archiveBucket,
    archivePrefix: prefix,
  });
  try {
    await deps.medialive.send(new UpdateChannelCommand(buildUpdateChannelInput(channelId, spec)));
  } catch (error) {
    if (error instanceof ConflictException) throw new ChannelNotIdle(channelId, 'not updatable');
    throw error;
  }
  return {
    id: randomBytes(8).toString('hex').toUpperCase(),
    prefix,
    uri: `s3://${deps.archiveBucket}/${prefix}`,
    segment_length: record.segment_length,
    channel_class: record.channel_class,
  };
}

export const handler = taskHandler('configure-session', (input: ConfigureSessionInput) =>
  configureSession(
    {
      medialive: clients.medialive(),
      s3: clients.s3(),
      store: clients.store(),
      roleArn: settings.mediaLiveRoleArn(),
      archiveBucket: settings.archiveBucket(),
    },
    input,
  ),
);
