/**
 * dynalite on a free loopback port, as local mode serves it (SigV4 required), with the stream table
 * created: real conditional-write semantics.
 */
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createTableInput } from '../../core/table-schema.js';
import { newCredentials } from '../../infra/local/aws-server/credentials.js';
import { serveDynalite } from '../../infra/local/aws-server/stores.js';

export interface LocalDynamo {
  endpoint: string;
  client: DynamoDBClient;
  doc: DynamoDBDocumentClient;
  tableName: string;
  close(): Promise<void>;
}

/** This test process's key pair: the local endpoints it starts accept only it. */
export const TEST_CREDENTIALS = newCredentials();

export async function startDynalite(tableName = 'streams-test'): Promise<LocalDynamo> {
  const server = await serveDynalite({ port: 0, credentials: TEST_CREDENTIALS });
  const endpoint = server.url;
  const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: TEST_CREDENTIALS });
  await client.send(new CreateTableCommand(createTableInput(tableName)));
  const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  return {
    endpoint,
    client,
    doc,
    tableName,
    close: async () => {
      client.destroy();
      await server.close();
    },
  };
}
