/**
 * Clip records, in the stream table beside the stream's sessions:
 *
 *     clip:  pk `STREAM#<stream id>`  sk `CLIP#<clip id>`   (clip ids sort by creation time)
 *
 * A deleted stream keeps its session and clip items (only the stream record and its execution
 * items go): the archive is kept on purpose, and so is its index, so a deleted stream's sessions
 * and clips stay listable, playable and exportable.
 *
 * Listing is a Query on the stream's partition, newest first; `session_id` filters it
 * (FilterExpression: a page may hold fewer than `limit` clips, the next token still goes on).
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { ClipExport, ClipRecord } from './clip.js';
import type { ClipChangedDetail, ClipEventPublisher } from './clip-events.js';
import { ClipNotFound } from './errors.js';
import { decodeToken, encodeToken, invalidToken, type Page } from './stream-store.js';

/** BatchWriteItem takes at most 25 requests (DynamoDB API reference, BatchWriteItem). */
const BATCH = 25;
const UNPROCESSED_RETRIES = 8;

const clipKey = (streamId: string, clipId: string) => ({ pk: `STREAM#${streamId}`, sk: `CLIP#${clipId}` });

export interface ClipPageRequest {
  limit: number;
  next_token?: string | undefined;
  session_id?: string | undefined;
}

export class ClipStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly now: () => Date = () => new Date(),
    private readonly events?: ClipEventPublisher,
  ) {}

  /** Writes new clips (BatchWriteItem, 25 a request) and publishes their "Clip Changed" events. */
  async putClips(clips: ClipRecord[]): Promise<void> {
    for (let i = 0; i < clips.length; i += BATCH) {
      let requests: Array<Record<string, unknown>> = clips.slice(i, i + BATCH).map((clip) => ({
        PutRequest: { Item: { ...clipKey(clip.stream_id, clip.id), ...clip } },
      }));
      for (let attempt = 0; requests.length > 0; attempt++) {
        if (attempt > UNPROCESSED_RETRIES) throw new Error('DynamoDB left clip writes unprocessed; retry');
        if (attempt > 0) await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
        const out = await this.doc.send(
          new BatchWriteCommand({ RequestItems: { [this.tableName]: requests as never } }),
        );
        requests = (out.UnprocessedItems?.[this.tableName] ?? []) as Array<Record<string, unknown>>;
      }
    }
    await this.events?.publish(clips.map((clip) => this.detail(clip, 'CREATED')));
  }

  async find(streamId: string, clipId: string): Promise<ClipRecord | undefined> {
    const out = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: clipKey(streamId, clipId), ConsistentRead: true }),
    );
    return out.Item ? toClip(out.Item) : undefined;
  }

  async get(streamId: string, clipId: string): Promise<ClipRecord> {
    const clip = await this.find(streamId, clipId);
    if (!clip) throw new ClipNotFound(streamId, clipId);
    return clip;
  }

  async list(streamId: string, page: ClipPageRequest): Promise<Page<ClipRecord>> {
    const start = page.next_token ? decodeToken(page.next_token, 'clip') : undefined;
    // DynamoDB rejects a start key outside the query's partition with a ValidationException (a 500).
    if (start && (start.pk !== `STREAM#${streamId}` || !String(start.sk).startsWith('CLIP#')))
      throw invalidToken();
    const values: Record<string, unknown> = { ':pk': `STREAM#${streamId}`, ':c': 'CLIP#' };
    if (page.session_id !== undefined) values[':session'] = page.session_id;
    const out = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :c)',
        ...(page.session_id !== undefined ? { FilterExpression: 'session_id = :session' } : {}),
        ExpressionAttributeValues: values,
        ScanIndexForward: false,
        // A clip just written by a split is listed at once (the console reloads its list after one).
        ConsistentRead: true,
        Limit: page.limit,
        ExclusiveStartKey: start,
      }),
    );
    return {
      items: (out.Items ?? []).map(toClip),
      next_token: out.LastEvaluatedKey ? encodeToken(out.LastEvaluatedKey, 'clip') : null,
    };
  }

  /** Removes the record; false when it was already gone. */
  async delete(clip: ClipRecord): Promise<boolean> {
    try {
      await this.doc.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: clipKey(clip.stream_id, clip.id),
          ConditionExpression: 'attribute_exists(pk)',
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
    await this.events?.publish([this.detail(clip, 'DELETED')]);
    return true;
  }

  /**
   * Writes one export of the clip (a new one, or its new status), only while the clip exists.
   * Throws ClipNotFound when the clip is gone.
   */
  async putExport(
    clip: Pick<ClipRecord, 'stream_id' | 'id' | 'session_id'>,
    item: ClipExport,
  ): Promise<void> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: clipKey(clip.stream_id, clip.id),
          UpdateExpression: 'SET #exports.#id = :export',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: { '#exports': 'exports', '#id': item.id },
          ExpressionAttributeValues: { ':export': item },
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw new ClipNotFound(clip.stream_id, clip.id);
      throw error;
    }
    await this.events?.publish([
      {
        ...this.detail(clip, 'EXPORT'),
        export_id: item.id,
        export_status: item.status,
        reason: item.error,
      },
    ]);
  }

  private detail(
    clip: Pick<ClipRecord, 'stream_id' | 'id' | 'session_id'>,
    change: ClipChangedDetail['change'],
  ): ClipChangedDetail {
    return {
      stream_id: clip.stream_id,
      clip_id: clip.id,
      session_id: clip.session_id,
      change,
      export_id: null,
      export_status: null,
      reason: null,
      at: this.now().toISOString(),
    };
  }
}

function toClip(item: Record<string, unknown>): ClipRecord {
  const { pk: _pk, sk: _sk, ...clip } = item;
  return clip as unknown as ClipRecord;
}
