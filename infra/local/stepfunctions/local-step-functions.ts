import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createJsonProtocolServer, type Operation } from './json-protocol-server.js';
import { StepFunctionsService } from './step-functions-service.js';
import type { LocalStepFunctions, LocalStepFunctionsOptions } from './types.js';

/**
 * The local Step Functions endpoint: the Step Functions JSON protocol over HTTP, executions run by
 * aws-local-stepfunctions with task Lambdas called in-process, executions and histories persisted
 * under `dataDir`. Throws at once if a definition is not valid ASL.
 */
export function createLocalStepFunctions(opts: LocalStepFunctionsOptions): LocalStepFunctions {
  const service = new StepFunctionsService(opts);
  const call =
    (operation: (body: Record<string, unknown>) => Promise<object>): Operation =>
    async (body) => {
      await service.ready;
      return operation.call(service, body);
    };
  const operations: Record<string, Operation> = {
    StartExecution: call(service.startExecution),
    StartSyncExecution: call(service.startSyncExecution),
    DescribeExecution: call(service.describeExecution),
    ListExecutions: call(service.listExecutions),
    GetExecutionHistory: call(service.getExecutionHistory),
    StopExecution: call(service.stopExecution),
    DescribeStateMachine: call(service.describeStateMachine),
    ListStateMachines: call(service.listStateMachines),
  };
  let server: Server | undefined;

  return {
    async listen(port, host = '127.0.0.1') {
      await service.ready;
      const listening = createJsonProtocolServer(operations);
      await new Promise<void>((resolve, reject) => {
        listening.once('error', reject);
        listening.listen(port, host, () => {
          listening.off('error', reject);
          resolve();
        });
      });
      server = listening;
      const { port: actual } = listening.address() as AddressInfo;
      const urlHost = host.includes(':') ? `[${host}]` : host;
      return { url: `http://${urlHost}:${actual}` };
    },

    async close() {
      const closing = server;
      server = undefined;
      if (closing) {
        const closed = new Promise<void>((resolve) => closing.close(() => resolve()));
        // SDK clients keep connections alive; without this close() waits for them to time out.
        closing.closeAllConnections();
        await closed;
      }
      await service.close();
    },

    waitForExecution(executionArn, timeoutMs) {
      return service.waitForExecution(executionArn, timeoutMs);
    },
  };
}
