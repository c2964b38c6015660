/**
 * The stream table's keys, in one place for the CDK table, local mode and tests.
 * See core/stream-store.ts for the key design.
 */
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { LIST_INDEX } from './stream-store.js';

export const TABLE_KEYS = {
  partitionKey: 'pk',
  sortKey: 'sk',
  listIndex: { name: LIST_INDEX, partitionKey: 'list_pk', sortKey: 'list_sk' },
  ttlAttribute: 'expires_at',
} as const;

/** CreateTable input for dynalite (local mode, tests); the CDK table declares the same keys. */
export function createTableInput(tableName: string): CreateTableCommandInput {
  const { partitionKey, sortKey, listIndex } = TABLE_KEYS;
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [partitionKey, sortKey, listIndex.partitionKey, listIndex.sortKey].map((name) => ({
      AttributeName: name,
      AttributeType: 'S',
    })),
    KeySchema: [
      { AttributeName: partitionKey, KeyType: 'HASH' },
      { AttributeName: sortKey, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: listIndex.name,
        KeySchema: [
          { AttributeName: listIndex.partitionKey, KeyType: 'HASH' },
          { AttributeName: listIndex.sortKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
    ],
  };
}
