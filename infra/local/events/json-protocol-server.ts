import type { Server } from 'node:http';
import { createAwsJsonServer, type Operation } from '../aws-json-protocol.js';

export type { Operation, RequestBody } from '../aws-json-protocol.js';

/** EventBridge speaks AWS JSON 1.1 with the target prefix `AWSEvents.`. */
export function createJsonProtocolServer(
  operations: Record<string, Operation>,
  log: (line: string) => void,
): Server {
  return createAwsJsonServer({
    service: 'EventBridge',
    targetPrefix: 'AWSEvents.',
    contentType: 'application/x-amz-json-1.1',
    // PutEvents takes at most 256 KiB of entries; the margin covers JSON escaping.
    maxBodyBytes: 1024 * 1024,
    internalErrorType: 'InternalException',
    operations,
    log: (line) => log(`[events] ${line}`),
  });
}
