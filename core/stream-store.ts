/**
 * DynamoDB store of stream records and their recording sessions.
 *
 * Key design (one table):
 * - stream:      pk `STREAM#<id>`  sk `STREAM`
 * - session:     pk `STREAM#<id>`  sk `SESSION#<started_at>#<session id>` (sorted by start)
 * - idempotency: pk `IDEMPOTENCY#<hash>` sk `IDEMPOTENCY`, with TTL `expires_at`
 * - archive:     pk `ARCHIVE#<prefix>`  sk `ARCHIVE`: the session that owns an archive prefix
 * - alert:       pk `STREAM#<id>`  sk `ALERT#<alarm id>`: a MediaLive channel alert, with TTL
 *
 * The listing queries the GSI `by-created` (partition `list_pk` = `STREAM`, sort
 * `<created_at>#<id>`) with `Limit` and `ExclusiveStartKey`: a bounded Query per page instead of
 * the seed's unbounded Scan, in creation order, and it never reads sessions or idempotency items.
 * One GSI partition holds every stream: a deployment runs at most a few hundred channels (MediaLive
 * quotas), far below one partition's 3,000 reads/1,000 writes per second, so sharding would only
 * cost a scatter-gather on every page.
 *
 * Every write of a stream is conditional on its `version` (optimistic locking) and a status change
 * is checked against `TRANSITIONS`, so two racing writers never both win.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import {
  InvalidRequest,
  InvalidTransition,
  SessionNotFound,
  StreamNotFound,
  VersionConflict,
} from './errors.js';
import { type InputChangedDetail, type StatusEventPublisher, statusChanged } from './status-events.js';
import {
  canTransition,
  epochString,
  type RecordingSession,
  type StreamExecution,
  type StreamRecord,
} from './stream.js';
import { ALERT_RETENTION_SECONDS, type AlertChange, type ChannelAlert } from './stream-alerts.js';

export const LIST_INDEX = 'by-created';
const LIST_PARTITION = 'STREAM';
const STREAM_SK = 'STREAM';

export interface Page<T> {
  items: T[];
  next_token: string | null;
}

export interface PageRequest {
  limit: number;
  next_token?: string | undefined;
}

type Changes = Partial<Omit<StreamRecord, 'id' | 'version' | 'created_at'>>;

const streamKey = (id: string) => ({ pk: `STREAM#${id}`, sk: STREAM_SK });

export class StreamStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly now: () => Date = () => new Date(),
    /** Publishes a "Stream Status Changed" event after each status write (core/status-events.ts). */
    private readonly events?: StatusEventPublisher,
  ) {}

  async find(id: string): Promise<StreamRecord | undefined> {
    const out = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: streamKey(id), ConsistentRead: true }),
    );
    return out.Item ? fromItem(out.Item) : undefined;
  }

  async get(id: string): Promise<StreamRecord> {
    const record = await this.find(id);
    if (!record) throw new StreamNotFound(id);
    return record;
  }

  /** Writes a new record; fails if the id exists. */
  async create(record: StreamRecord): Promise<StreamRecord> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: toItem(record),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      await this.events?.publish(statusChanged(null, record, record.status, this.now()));
      return record;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw new VersionConflict(record.id, 0);
      throw error;
    }
  }

  /**
   * Applies `changes` to the record read as `current`, if nobody wrote it since (same `version`).
   * A status change must be allowed by `TRANSITIONS`. Returns the new record.
   */
  async update(
    current: StreamRecord,
    changes: Changes,
    options: { anyTransition?: boolean } = {},
  ): Promise<StreamRecord> {
    // `anyTransition` is for putting a status back after a workflow could not even start.
    if (
      changes.status !== undefined &&
      !options.anyTransition &&
      !canTransition(current.status, changes.status)
    ) {
      throw new InvalidTransition(current.id, current.status, changes.status);
    }
    const next: StreamRecord = {
      ...current,
      ...changes,
      version: current.version + 1,
      last_update: epochString(this.now()),
    };
    const fields = Object.keys(changes).filter((k) => (changes as Record<string, unknown>)[k] !== undefined);
    const names: Record<string, string> = { '#version': 'version', '#last_update': 'last_update' };
    const values: Record<string, unknown> = {
      ':expected': current.version,
      ':version': next.version,
      ':last_update': next.last_update,
    };
    const sets = ['#version = :version', '#last_update = :last_update'];
    fields.forEach((field, i) => {
      if (field === 'last_update') return;
      names[`#f${i}`] = field;
      values[`:f${i}`] = (next as unknown as Record<string, unknown>)[field];
      sets.push(`#f${i} = :f${i}`);
    });
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: streamKey(current.id),
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: 'attribute_exists(pk) AND #version = :expected',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
      if (next.status !== current.status)
        await this.events?.publish(statusChanged(current, next, next.status, this.now()));
      return next;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        if (!(await this.find(current.id))) throw new StreamNotFound(current.id);
        throw new VersionConflict(current.id, current.version);
      }
      throw error;
    }
  }

  /** Removes the record if nobody changed it since it was read. */
  async delete(current: StreamRecord): Promise<void> {
    try {
      await this.doc.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: streamKey(current.id),
          ConditionExpression: '#version = :expected',
          ExpressionAttributeNames: { '#version': 'version' },
          ExpressionAttributeValues: { ':expected': current.version },
        }),
      );
      await this.events?.publish(statusChanged(current, current, 'DELETED', this.now()));
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        if (!(await this.find(current.id))) return;
        throw new VersionConflict(current.id, current.version);
      }
      throw error;
    }
  }

  async list(page: PageRequest): Promise<Page<StreamRecord>> {
    const out = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: LIST_INDEX,
        KeyConditionExpression: 'list_pk = :p',
        ExpressionAttributeValues: { ':p': LIST_PARTITION },
        Limit: page.limit,
        ExclusiveStartKey: page.next_token ? decodeToken(page.next_token, 'stream') : undefined,
      }),
    );
    return {
      items: (out.Items ?? []).map(fromItem),
      next_token: out.LastEvaluatedKey ? encodeToken(out.LastEvaluatedKey, 'stream') : null,
    };
  }

  /** Who holds an archive prefix, if anyone (see `reserveArchivePrefix`). */
  async archivePrefixOwner(prefix: string): Promise<{ streamId: string; execution: string } | undefined> {
    const out = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: `ARCHIVE#${prefix}`, sk: 'ARCHIVE' },
        ConsistentRead: true,
      }),
    );
    return out.Item
      ? { streamId: String(out.Item.stream_id), execution: String(out.Item.execution) }
      : undefined;
  }

  /**
   * Makes `prefix` the archive of one session of one stream, for good: no other session, of this
   * stream or another, may ever write there. `owner` identifies the attempt (the execution), so a
   * retried step finds its own reservation. False when someone else holds the prefix.
   */
  async reserveArchivePrefix(
    prefix: string,
    owner: { streamId: string; execution: string },
  ): Promise<boolean> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            pk: `ARCHIVE#${prefix}`,
            sk: 'ARCHIVE',
            stream_id: owner.streamId,
            execution: owner.execution,
            reserved_at: this.now().toISOString(),
          },
          ConditionExpression: 'attribute_not_exists(pk) OR (stream_id = :stream AND execution = :execution)',
          ExpressionAttributeValues: { ':stream': owner.streamId, ':execution': owner.execution },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async putSession(streamId: string, session: RecordingSession): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { pk: `STREAM#${streamId}`, sk: sessionSk(session), stream_id: streamId, ...session },
      }),
    );
  }

  async getSession(streamId: string, sessionId: string): Promise<RecordingSession> {
    // Sessions are few per stream and the id is not the sort key's prefix: a keyed Query with a
    // filter reads only this stream's sessions.
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :s)',
          FilterExpression: 'id = :id',
          ExpressionAttributeValues: { ':pk': `STREAM#${streamId}`, ':s': 'SESSION#', ':id': sessionId },
          ExclusiveStartKey: start,
        }),
      );
      const item = out.Items?.[0];
      if (item) return toSession(item);
      start = out.LastEvaluatedKey;
    } while (start);
    throw new SessionNotFound(streamId, sessionId);
  }

  /** Remembers a lifecycle execution of the stream, for `GET /streams/{id}/executions`. */
  async putExecution(streamId: string, execution: StreamExecution): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          pk: `STREAM#${streamId}`,
          sk: `EXEC#${execution.started_at}#${execution.name}`,
          ...execution,
        },
      }),
    );
  }

  /** The stream's latest executions, newest first. */
  async listExecutions(streamId: string, limit: number): Promise<StreamExecution[]> {
    const out = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :e)',
        ExpressionAttributeValues: { ':pk': `STREAM#${streamId}`, ':e': 'EXEC#' },
        ScanIndexForward: false,
        Limit: limit,
      }),
    );
    return (out.Items ?? []).map(
      ({ pk: _pk, sk: _sk, ...execution }) => execution as unknown as StreamExecution,
    );
  }

  /** Removes the stream's execution items (the executions themselves stay in Step Functions). */
  async deleteExecutions(streamId: string): Promise<void> {
    await this.deleteItems(streamId, 'EXEC#');
  }

  /** Deletes the stream's items whose sort key starts with `prefix`, a page at a time. */
  private async deleteItems(streamId: string, prefix: string): Promise<void> {
    for (;;) {
      const out = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': `STREAM#${streamId}`, ':prefix': prefix },
          ProjectionExpression: 'pk, sk',
          Limit: 25,
        }),
      );
      const items = out.Items ?? [];
      if (items.length === 0) return;
      await Promise.all(
        items.map((item) =>
          this.doc.send(new DeleteCommand({ TableName: this.tableName, Key: { pk: item.pk, sk: item.sk } })),
        ),
      );
    }
  }

  /**
   * Records a MediaLive channel alert (SET or CLEARED). Events are best effort and may arrive out
   * of order: an event older than the one the item already holds changes nothing. Returns the
   * alert as recorded, and whether this event changed whether it is active.
   */
  async recordAlert(
    streamId: string,
    change: AlertChange,
  ): Promise<{ alert: ChannelAlert; changed: boolean } | undefined> {
    const key = { pk: `STREAM#${streamId}`, sk: `ALERT#${change.id}` };
    const out = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }),
    );
    const before = out.Item as (ChannelAlert & { event_at?: string }) | undefined;
    if (before?.event_at && before.event_at > change.at) return undefined;
    const wasActive = before !== undefined && before.cleared_at === null;
    const alert: ChannelAlert = {
      id: change.id,
      pipeline: change.pipeline,
      type: change.type,
      message: change.message || (before?.message ?? ''),
      // A SET of an alert already active keeps its start; a CLEARED keeps when it was set.
      set_at:
        change.state === 'SET' ? (wasActive ? before.set_at : change.at) : (before?.set_at ?? change.at),
      cleared_at: change.state === 'SET' ? null : change.at,
    };
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...key,
            ...alert,
            event_at: change.at,
            expires_at: Math.floor(this.now().getTime() / 1000) + ALERT_RETENTION_SECONDS,
          },
          ConditionExpression: 'attribute_not_exists(pk) OR event_at <= :at',
          ExpressionAttributeValues: { ':at': change.at },
        }),
      );
    } catch (error) {
      // A newer event of the same alarm was recorded meanwhile: it wins.
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
    return { alert, changed: wasActive !== (change.state === 'SET') };
  }

  /** The stream's alerts set or still active since `since` (ISO), newest first. */
  async listAlerts(streamId: string, since: string | null): Promise<ChannelAlert[]> {
    const alerts: ChannelAlert[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :a)',
          ExpressionAttributeValues: { ':pk': `STREAM#${streamId}`, ':a': 'ALERT#' },
          ExclusiveStartKey: start,
        }),
      );
      for (const item of out.Items ?? []) {
        const { id, pipeline, type, message, set_at, cleared_at } = item as ChannelAlert;
        if (since && set_at < since && (cleared_at === null || cleared_at < since)) continue;
        alerts.push({ id, pipeline, type, message, set_at, cleared_at: cleared_at ?? null });
      }
      start = out.LastEvaluatedKey;
    } while (start);
    return alerts.sort((a, b) => (a.set_at < b.set_at ? 1 : a.set_at > b.set_at ? -1 : 0));
  }

  /** Removes the stream's alert items. */
  async deleteAlerts(streamId: string): Promise<void> {
    await this.deleteItems(streamId, 'ALERT#');
  }

  /** Puts "Stream Input Lost/Restored" on the bus (core/status-events.ts), when the store has one. */
  async publishInputChange(detail: InputChangedDetail): Promise<void> {
    await this.events?.publishInput?.(detail);
  }

  async listSessions(streamId: string, page: PageRequest): Promise<Page<RecordingSession>> {
    const start = page.next_token ? decodeToken(page.next_token, 'session') : undefined;
    // DynamoDB rejects a start key outside the query's partition with a ValidationException (a 500).
    if (start && (start.pk !== `STREAM#${streamId}` || !String(start.sk).startsWith('SESSION#')))
      throw invalidToken();
    const out = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :s)',
        ExpressionAttributeValues: { ':pk': `STREAM#${streamId}`, ':s': 'SESSION#' },
        Limit: page.limit,
        ExclusiveStartKey: start,
      }),
    );
    return {
      items: (out.Items ?? []).map(toSession),
      next_token: out.LastEvaluatedKey ? encodeToken(out.LastEvaluatedKey, 'session') : null,
    };
  }
}

function sessionSk(session: RecordingSession): string {
  return `SESSION#${session.started_at}#${session.id}`;
}

function toSession(item: Record<string, unknown>): RecordingSession {
  const { pk: _pk, sk: _sk, stream_id: _s, ...session } = item;
  return session as unknown as RecordingSession;
}

function toItem(record: StreamRecord): Record<string, unknown> {
  return {
    ...streamKey(record.id),
    list_pk: LIST_PARTITION,
    list_sk: `${record.created_at}#${record.id}`,
    ...record,
  };
}

function fromItem(item: Record<string, unknown>): StreamRecord {
  const { pk: _pk, sk: _sk, list_pk: _lp, list_sk: _ls, ...record } = item;
  return record as unknown as StreamRecord;
}

/** Page tokens are opaque to clients: base64url JSON of the last key, checked on the way back in. */
export function encodeToken(key: Record<string, unknown>, kind: string): string {
  return Buffer.from(JSON.stringify({ k: kind, key })).toString('base64url');
}

export function invalidToken(): InvalidRequest {
  return new InvalidRequest([{ field: 'next_token', reason: 'is not a token this API returned' }]);
}

export function decodeToken(token: string, kind: string): Record<string, unknown> {
  const invalid = invalidToken;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (typeof parsed !== 'object' || parsed === null) throw invalid();
  const { k, key } = parsed as { k?: unknown; key?: unknown };
  if (k !== kind || typeof key !== 'object' || key === null) throw invalid();
  const entries = Object.entries(key as Record<string, unknown>);
  const allowed = kind === 'stream' ? ['pk', 'sk', 'list_pk', 'list_sk'] : ['pk', 'sk'];
  // DynamoDB answers a ValidationException (a 500 here) to an empty key value or a sort key over
  // 1,024 bytes; keys this store issues are short, so anything else was not issued by it.
  const issuable = (v: unknown) => typeof v === 'string' && v !== '' && Buffer.byteLength(v) <= 1024;
  if (entries.length !== allowed.length || entries.some(([n, v]) => !allowed.includes(n) || !issuable(v))) {
    throw invalid();
  }
  if (kind === 'stream' && (key as Record<string, unknown>).list_pk !== LIST_PARTITION) throw invalid();
  return key as Record<string, unknown>;
}
