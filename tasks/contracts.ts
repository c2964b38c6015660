/**
 * The contract between the state machines and their task Lambdas: every task's input and output,
 * in one place. The definitions in state-machines/ build these inputs (Payload) and read these
 * outputs (ResultPath); the tasks in tasks/<action>/ implement them.
 */
import type { ClipRange } from '../core/clip-planner.js';
import type { RecordingSession } from '../core/stream.js';

export interface StreamTaskInput {
  stream_id: string;
}

export interface ConfigureSessionInput {
  stream_id: string;
  options: { path?: string };
  requested_at: string;
  /** The execution's name: the archive prefix is reserved for this run (a retried step keeps it). */
  execution_name?: string;
}

export type PendingSession = Omit<RecordingSession, 'started_at' | 'stopped_at'>;

export interface RecordRunningInput {
  stream_id: string;
  session: PendingSession;
  /**
   * When the wait saw the channel RUNNING: the archive's file 0 starts with the channel, so clip
   * offsets count from here rather than from when this step happens to run.
   */
  running_at?: string;
}

export interface RecordStoppedInput {
  stream_id: string;
}

export interface RecordFailureInput {
  stream_id: string;
  action: string;
  /** What Step Functions' Catch puts at its ResultPath. */
  error: { Error?: string; Cause?: string };
  /** IDLE: the channel is stopped and usable; KEEP: leave the status as it is. */
  status: 'FAILED' | 'IDLE' | 'KEEP';
}

export interface ClaimInput {
  stream_id: string;
  action: 'start' | 'stop';
  request_id: string;
  execution_name: string;
  execution_arn: string;
}

export type TargetState = 'IDLE' | 'RUNNING' | 'DELETED';

export interface WaitInput {
  stream_id: string;
  target: TargetState;
  timeout_seconds: number;
  /** ISO time of the first call; null on the first call. */
  since: string | null;
}

export interface WaitOutput {
  done: boolean;
  state: string;
  since: string;
  /** When the target state was first seen (done), or the last poll: the session's start for RUNNING. */
  at: string;
}

export interface SplitInput {
  stream_id: string;
  session: RecordingSession;
  timestamp_list: ClipRange[];
  name_modifier: string;
}

export interface ClipResult {
  /** The clip's record (GET /streams/{id}/clips/{clip_id}); null when no file could be played. */
  clip_id: string | null;
  index: string | null;
  key: string | null;
  start: number;
  end: number;
  covered_start: number | null;
  covered_end: number | null;
  segments: number;
  /** Parts of the range without a file in either pipeline (input lost, or not recorded). */
  missing: ClipRange[];
  /** Part of the range not recorded yet (live session): split again later to get it. */
  not_available_yet: ClipRange | null;
}

export interface SplitOutput {
  indexes: string[];
  clips: ClipResult[];
}

export interface MediaLiveEvent {
  'detail-type': string;
  time: string;
  resources?: string[];
  detail: {
    channel_arn?: string;
    state?: string;
    pipeline?: string;
    alarm_state?: string;
    alarm_id?: string;
    alert_type?: string;
    message?: string;
  };
}

export type DriftOutcome =
  | 'ignored:not-ours'
  | 'ignored:stale'
  | 'ignored:no-change'
  | 'recorded:stopped'
  | 'recorded:running'
  | 'recorded:deleted'
  | 'scheduled:input-loss-stop'
  | 'cleared:input-loss-stop';

/** "Step Functions Execution Status Change", as EventBridge delivers it. */
export interface ExecutionStatusEvent {
  'detail-type': string;
  time: string;
  detail: {
    executionArn: string;
    stateMachineArn: string;
    name: string;
    status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED' | 'PENDING_REDRIVE';
    /** The execution's input (JSON), when the event carries it. */
    input?: string | null;
    error?: string | null;
    cause?: string | null;
  };
}

export type ExecutionEndOutcome = 'ignored:finished' | 'ignored:not-ours' | 'ignored:settled' | 'recorded';

/** ExportClip's input (core/workflows.ts `ExportInput`), as each of its tasks receives it. */
export interface ExportTaskInput {
  stream_id: string;
  clip_id: string;
  export_id: string;
}

/** What "Export with MediaConvert" keeps of MediaConvert's GetJob answer. */
export interface ExportJobResult {
  job_id: string;
  output_group_details?: Array<{ OutputDetails?: Array<{ DurationInMs?: number }> }>;
}

export interface RecordExportInput extends ExportTaskInput {
  /** The finished job (COMPLETE). */
  job?: ExportJobResult;
  /** Or the error Step Functions caught (Catch `ResultPath`). */
  error?: { Error?: string; Cause?: string };
}
