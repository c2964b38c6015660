/**
 * `Idempotency-Key` on POST routes: a retried request gets the first answer and starts nothing new.
 *
 * Follows the IETF draft "The Idempotency-Key HTTP Header Field": the key is scoped to the route
 * and compared with a fingerprint of the request; the same key with another request is 422, the same
 * key while the first request is still being answered is 409. Answers are kept 24 hours. Only final
 * answers (2xx, 4xx) are kept: after a 5xx the key is released so the client can retry.
 */

import { createHash } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { errorAnswer, HttpError } from './http.js';
import type { ApiLogger } from './logger.js';
import { idempotencyKey } from './schemas.js';
import { parseWith } from './validation.js';

const TTL_SECONDS = 24 * 3600;
/** A request that has not answered in this time is considered dead and its key reusable. */
const IN_PROGRESS_SECONDS = 60;

export type Claim =
  | { kind: 'new' }
  | { kind: 'replay'; response: APIGatewayProxyResult }
  | { kind: 'conflict' | 'mismatch' };

export interface IdempotencyStore {
  claim(scope: string, key: string, fingerprint: string): Promise<Claim>;
  complete(scope: string, key: string, response: APIGatewayProxyResult): Promise<void>;
  release(scope: string, key: string): Promise<void>;
}

export function fingerprint(...parts: string[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part).update('\0');
  return hash.digest('base64url');
}

/**
 * Answers `run` once per `Idempotency-Key` of the route (`scope`): a retry with the same key and body
 * gets the first answer, marked `idempotent-replayed`.
 */
export async function answerOnce(
  store: IdempotencyStore,
  logger: ApiLogger,
  request: { scope: string; key: string; body: string },
  run: () => Promise<APIGatewayProxyResult>,
): Promise<APIGatewayProxyResult> {
  const key = parseWith(idempotencyKey, request.key, 'Idempotency-Key');
  const { scope } = request;
  const claim = await store.claim(scope, key, fingerprint(request.body));
  if (claim.kind === 'replay') {
    return { ...claim.response, headers: { ...claim.response.headers, 'idempotent-replayed': 'true' } };
  }
  if (claim.kind === 'mismatch') {
    throw new HttpError(
      422,
      'IdempotencyKeyReused',
      'this Idempotency-Key was used with another request body',
    );
  }
  if (claim.kind === 'conflict') {
    throw new HttpError(
      409,
      'IdempotencyKeyInUse',
      'a request with this Idempotency-Key is still being answered',
    );
  }
  let response: APIGatewayProxyResult;
  try {
    response = await run();
  } catch (error) {
    response = errorAnswer(error, logger);
  }
  // The action has happened: a failure to record the answer must not turn it into a 500 that
  // invites a retry (the key stays claimed until IN_PROGRESS expires).
  const record =
    response.statusCode >= 500 ? store.release(scope, key) : store.complete(scope, key, response);
  await record.catch((e: unknown) => logger.error('could not record the idempotent answer', { error: e }));
  return response;
}

export class DynamoIdempotencyStore implements IdempotencyStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  private key(scope: string, key: string) {
    return { pk: `IDEMPOTENCY#${fingerprint(scope, key)}`, sk: 'IDEMPOTENCY' };
  }

  async claim(scope: string, key: string, print: string): Promise<Claim> {
    const nowSeconds = Math.floor(this.now().getTime() / 1000);
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...this.key(scope, key),
            fingerprint: print,
            state: 'IN_PROGRESS',
            locked_until: nowSeconds + IN_PROGRESS_SECONDS,
            expires_at: nowSeconds + TTL_SECONDS,
          },
          // dynalite has no TTL: an expired item is treated as absent here too.
          ConditionExpression:
            'attribute_not_exists(pk) OR expires_at < :now OR (#s = :p AND locked_until < :now)',
          ExpressionAttributeNames: { '#s': 'state' },
          ExpressionAttributeValues: { ':now': nowSeconds, ':p': 'IN_PROGRESS' },
        }),
      );
      return { kind: 'new' };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    const out = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: this.key(scope, key), ConsistentRead: true }),
    );
    const item = out.Item;
    if (!item) return this.claim(scope, key, print);
    if (item.fingerprint !== print) return { kind: 'mismatch' };
    if (item.state !== 'DONE') return { kind: 'conflict' };
    return { kind: 'replay', response: JSON.parse(String(item.response)) as APIGatewayProxyResult };
  }

  async complete(scope: string, key: string, response: APIGatewayProxyResult): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: this.key(scope, key),
        // `response` is a DynamoDB reserved word: it must go through a name placeholder.
        UpdateExpression: 'SET #s = :d, #r = :r',
        ExpressionAttributeNames: { '#s': 'state', '#r': 'response' },
        ExpressionAttributeValues: { ':d': 'DONE', ':r': JSON.stringify(response) },
      }),
    );
  }

  async release(scope: string, key: string): Promise<void> {
    await this.doc.send(new DeleteCommand({ TableName: this.tableName, Key: this.key(scope, key) }));
  }
}
