/**
 * What the task tests share: a real StreamStore on dynalite (conditional writes behave like
 * DynamoDB, so a task that writes a stale record fails here as it would on AWS), SDK clients that
 * aws-sdk-client-mock stubs, and a way to read back the exact inputs a stub received.
 */
import 'aws-sdk-client-mock-vitest/extend';
import { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { MediaLiveClient } from '@aws-sdk/client-medialive';
import { MediaPackageClient } from '@aws-sdk/client-mediapackage';
import { S3Client } from '@aws-sdk/client-s3';
import type { MetadataBearer } from '@smithy/types';
import type { AwsCommand, AwsStub } from 'aws-sdk-client-mock';
import type { StreamRecord } from '../../core/stream.js';
import { StreamStore } from '../../core/stream-store.js';
import { formatProblems, validateInput } from '../support/botocore-model.js';
import { type LocalDynamo, startDynalite, TEST_CREDENTIALS } from '../support/dynalite.js';

export const ROLE_ARN = 'arn:aws:iam::123456789012:role/live-medialive';
export const ARCHIVE_BUCKET = 'live-archive-test';
export const INPUT_SECURITY_GROUP_ID = '1234567';

const clientConfig = { region: 'us-east-1', credentials: TEST_CREDENTIALS };
export const newMediaLive = () => new MediaLiveClient(clientConfig);
export const newMediaPackage = () => new MediaPackageClient(clientConfig);
export const newCloudFront = () => new CloudFrontClient(clientConfig);
export const newS3 = () => new S3Client({ ...clientConfig, forcePathStyle: true });

export interface StoreFixture {
  db: LocalDynamo;
  store: StreamStore;
  /** Writes the record as a previous step left it, and returns it. */
  seed(record: StreamRecord): Promise<StreamRecord>;
  close(): Promise<void>;
}

export async function startStore(tableName = 'streams-tasks'): Promise<StoreFixture> {
  const db = await startDynalite(tableName);
  const store = new StreamStore(db.doc, db.tableName);
  return { db, store, seed: (record) => store.create(record), close: () => db.close() };
}

/** Every input a stub received for one command, in order, for exact (not partial) comparisons. */
export function inputsOf<TIn extends object, TOut extends MetadataBearer>(
  stub: AwsStub<object, MetadataBearer, unknown>,
  command: new (input: TIn) => AwsCommand<TIn, TOut>,
): TIn[] {
  return stub.commandCalls(command).map((call) => call.args[0].input);
}

/**
 * The request as the AWS API model defines it (required members, enums, limits), read from the
 * botocore data on the machine: a mocked client accepts any shape, AWS does not.
 */
export function modelProblems(service: string, operation: string, input: unknown): string {
  return formatProblems(validateInput(service, operation, input));
}
