import type { ExecutionRecord, StoredHistoryEvent } from './execution-record.js';

/** awsJson 1.0 timestamps are epoch seconds (fractional allowed). */
export const wireTime = (epochMs: number): number => epochMs / 1000;

const included = { included: true };

/** DescribeExecution / StartSyncExecution body; `withData: false` is includedData METADATA_ONLY. */
export function executionDescription(record: ExecutionRecord, withData = true): Record<string, unknown> {
  return {
    executionArn: record.executionArn,
    stateMachineArn: record.stateMachineArn,
    name: record.name,
    status: record.status,
    startDate: wireTime(record.startDate),
    ...(record.stopDate !== undefined && { stopDate: wireTime(record.stopDate) }),
    ...(withData && { input: record.input, inputDetails: included }),
    ...(withData && record.output !== undefined && { output: record.output, outputDetails: included }),
    ...(record.error !== undefined && { error: record.error }),
    ...(record.cause !== undefined && { cause: record.cause }),
    ...(record.traceHeader !== undefined && { traceHeader: record.traceHeader }),
  };
}

export function executionListItem(record: ExecutionRecord): Record<string, unknown> {
  return {
    executionArn: record.executionArn,
    stateMachineArn: record.stateMachineArn,
    name: record.name,
    status: record.status,
    startDate: wireTime(record.startDate),
    ...(record.stopDate !== undefined && { stopDate: wireTime(record.stopDate) }),
  };
}

/**
 * Data members left out when GetExecutionHistory's includeExecutionData is false (TaskScheduled's
 * `parameters` stays: the model requires it).
 */
const DATA_MEMBERS = new Set(['input', 'inputDetails', 'output', 'outputDetails']);

export function historyEvent(event: StoredHistoryEvent, withData: boolean): Record<string, unknown> {
  const wire: Record<string, unknown> = {
    timestamp: wireTime(event.timestamp),
    type: event.type,
    id: event.id,
    previousEventId: event.previousEventId,
  };
  if (event.detailsKey && event.details) {
    wire[event.detailsKey] = withData
      ? event.details
      : Object.fromEntries(Object.entries(event.details).filter(([key]) => !DATA_MEMBERS.has(key)));
  }
  return wire;
}
