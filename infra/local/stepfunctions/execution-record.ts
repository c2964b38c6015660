import type { DescribedExecution, ExecutionStatus } from './types.js';

/**
 * One history event as stored: the wire shape of GetExecutionHistory's `HistoryEvent`, except the
 * timestamp (epoch milliseconds here, epoch seconds on the wire) and the details, kept under
 * `detailsKey` (`stateEnteredEventDetails`, `lambdaFunctionFailedEventDetails`, ...).
 */
export interface StoredHistoryEvent {
  id: number;
  previousEventId: number;
  timestamp: number;
  type: string;
  detailsKey?: string;
  details?: Record<string, unknown>;
}

/** An execution with its history: what is persisted, one JSON file per execution. */
export interface ExecutionRecord {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: ExecutionStatus;
  /** Epoch milliseconds. */
  startDate: number;
  stopDate?: number;
  input: string;
  output?: string;
  error?: string;
  cause?: string;
  traceHeader?: string;
  events: StoredHistoryEvent[];
}

export const isTerminal = (status: ExecutionStatus): boolean => status !== 'RUNNING';

export function describe(record: ExecutionRecord): DescribedExecution {
  return {
    executionArn: record.executionArn,
    stateMachineArn: record.stateMachineArn,
    name: record.name,
    status: record.status,
    startDate: new Date(record.startDate),
    ...(record.stopDate !== undefined && { stopDate: new Date(record.stopDate) }),
    input: record.input,
    ...(record.output !== undefined && { output: record.output }),
    ...(record.error !== undefined && { error: record.error }),
    ...(record.cause !== undefined && { cause: record.cause }),
  };
}

/** Appends an event with the next id; previousEventId is the event before it, like a linear AWS history. */
export function appendEvent(
  record: ExecutionRecord,
  type: string,
  details?: { key: string; value: Record<string, unknown> },
  timestamp = Date.now(),
): void {
  const previous = record.events.at(-1);
  const id = (previous?.id ?? 0) + 1;
  record.events.push({
    id,
    previousEventId: previous?.id ?? 0,
    timestamp,
    type,
    ...(details && { detailsKey: details.key, details: details.value }),
  });
}
