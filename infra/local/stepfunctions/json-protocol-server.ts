import type { Server } from 'node:http';
import { createAwsJsonServer, type Operation } from '../aws-json-protocol.js';

export type { Operation } from '../aws-json-protocol.js';

/** Step Functions speaks AWS JSON 1.0 with the target prefix `AWSStepFunctions.`. */
export function createJsonProtocolServer(operations: Record<string, Operation>): Server {
  return createAwsJsonServer({
    service: 'Step Functions',
    targetPrefix: 'AWSStepFunctions.',
    contentType: 'application/x-amz-json-1.0',
    // Inputs are at most 256 KiB; a definition-sized margin on top is plenty.
    maxBodyBytes: 2 * 1024 * 1024,
    internalErrorType: 'InternalFailure',
    operations,
    log: (line) => console.error(`[local stepfunctions] ${line}`),
  });
}
