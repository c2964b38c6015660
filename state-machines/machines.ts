/**
 * The lifecycle state machines' definitions. Each function builds one machine's chain from the task
 * Lambdas; state names read like the runbook a person would follow in the console.
 */
import { Duration } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import {
  Choice,
  Condition,
  type IChainable,
  type INextable,
  JsonPath,
  type State,
  Succeed,
} from 'aws-cdk-lib/aws-stepfunctions';
import type { LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import { CHANNEL_SETTLING, catchInto, channelWait, failureRecorder, taskStep } from './steps.js';

export const TASKS = [
  'create-package-channel',
  'create-origin-endpoint',
  'create-input',
  'create-channel',
  'wait-for-channel',
  'record-created',
  'configure-session',
  'update-origin-endpoint',
  'start-channel',
  'record-running',
  'stop-channel',
  'record-stopped',
  'record-failure',
  'delete-channel',
  'delete-input',
  'delete-origin-endpoint',
  'delete-package-channel',
  'remove-stream',
  'go-live',
  'end-live',
  'split-archive',
  'claim-stream',
  'delete-schedules',
] as const;
export type TaskName = (typeof TASKS)[number];
export type TaskFunctions = Record<TaskName, IFunction>;

/**
 * First step of the machines a schedule may start: claims the stream (or finds it claimed by the
 * API for this very execution). A refused claim records what happened and ends the execution.
 */
function claim(scope: Construct, fns: TaskFunctions, action: 'start' | 'stop'): LambdaInvoke {
  const step = taskStep(scope, `Claim stream for ${action}`, fns['claim-stream'], {
    payload: {
      action,
      'request_id.$': '$.request_id',
      'execution_name.$': '$$.Execution.Name',
      'execution_arn.$': '$$.Execution.Id',
    },
  });
  catchInto(
    [step],
    failureRecorder(
      scope,
      `Record skipped ${action}`,
      fns['record-failure'],
      action,
      'KEEP',
      `Stream ${action} not possible now`,
    ),
  );
  return step;
}

/** Bounds of the waits (the MediaLive SDK waiters' budgets): start 10 min, stop 5 min, delete 7 min. */
export const WAIT_BOUNDS = {
  createdSeconds: 300,
  runningSeconds: 600,
  stoppedSeconds: 300,
  deletedSeconds: 420,
};

/** Whole-machine limits: the sum of the waits and retries with room, never unbounded. */
export const MACHINE_TIMEOUTS = {
  create: Duration.minutes(30),
  start: Duration.minutes(20),
  stop: Duration.minutes(10),
  delete: Duration.minutes(30),
  live: Duration.minutes(10),
  split: Duration.minutes(5),
};

/** An input that stays ATTACHED for a while after its channel is deleted: about 6 minutes of retries. */
const INPUT_DETACHING = {
  errors: ['InputNotDetached'],
  interval: Duration.seconds(5),
  backoffRate: 1.3,
  maxAttempts: 12,
};

function chain(
  first: State & INextable,
  ...rest: Array<State & INextable>
): { start: State; end: State & INextable } {
  let end = first;
  for (const s of rest) {
    end.next(s);
    end = s;
  }
  return { start: first, end };
}

interface Teardown {
  start: State;
  tasks: LambdaInvoke[];
  continueWith(next: IChainable): void;
}

/**
 * Channel → wait DELETED → input (once detached) → origin endpoint → package channel: the order
 * MediaLive and MediaPackage require. Every step treats "already gone" as done, so a retry after a
 * partial delete finishes the job. Used by DeleteStream and by CreateStream's compensation.
 */
function teardown(scope: Construct, fns: TaskFunctions, prefix: string): Teardown {
  const delChannel = taskStep(scope, `${prefix}Delete MediaLive channel`, fns['delete-channel'], {
    retryOn: CHANNEL_SETTLING,
  });
  const waitDeleted = channelWait(
    scope,
    `${prefix}Wait for channel to be deleted`,
    fns['wait-for-channel'],
    'DELETED',
    WAIT_BOUNDS.deletedSeconds,
  );
  const delInput = taskStep(scope, `${prefix}Delete RTMP input`, fns['delete-input'], {
    retryOn: INPUT_DETACHING,
  });
  const delEndpoint = taskStep(scope, `${prefix}Delete HLS origin endpoint`, fns['delete-origin-endpoint']);
  const delPackage = taskStep(scope, `${prefix}Delete MediaPackage channel`, fns['delete-package-channel']);
  delChannel.next(waitDeleted.start);
  waitDeleted.next(delInput);
  delInput.next(delEndpoint).next(delPackage);
  return {
    start: delChannel,
    tasks: [delChannel, ...waitDeleted.tasks, delInput, delEndpoint, delPackage],
    continueWith: (next) => {
      delPackage.next(next);
    },
  };
}

/**
 * CreateStream, primary course: MediaPackage channel → HLS origin endpoint → RTMP input →
 * MediaLive channel → wait until IDLE → record IDLE.
 * On any failure: delete whatever was created (teardown), record FAILED with the reason.
 */
export function createStreamDefinition(scope: Construct, fns: TaskFunctions): IChainable {
  const pkg = taskStep(scope, 'Create MediaPackage channel', fns['create-package-channel']);
  const endpoint = taskStep(scope, 'Create HLS origin endpoint', fns['create-origin-endpoint']);
  const input = taskStep(scope, 'Create RTMP input', fns['create-input']);
  const channel = taskStep(scope, 'Create MediaLive channel', fns['create-channel']);
  const idle = channelWait(
    scope,
    'Wait for channel to be idle',
    fns['wait-for-channel'],
    'IDLE',
    WAIT_BOUNDS.createdSeconds,
  );
  const record = taskStep(scope, 'Record stream as idle', fns['record-created']);
  chain(pkg, endpoint, input, channel);
  channel.next(idle.start);
  idle.next(record);
  record.next(new Succeed(scope, 'Stream created'));

  const failed = failureRecorder(
    scope,
    'Record stream as failed',
    fns['record-failure'],
    'create',
    'FAILED',
    'Stream creation failed',
  );
  const cleanup = teardown(scope, fns, 'Clean up: ');
  cleanup.continueWith(failed);
  // A failing clean-up still ends in FAILED, with the original reason; the ids stay on the record so
  // DELETE /streams/{id} can finish the job.
  catchInto(cleanup.tasks, failed, '$.cleanup_error');
  catchInto([pkg, endpoint, input, channel, ...idle.tasks, record], cleanup.start);
  return pkg;
}

/**
 * StartStream, primary course: new session (UpdateChannel with its archive prefix) → wait IDLE →
 * apply startover window to the origin → StartChannel → wait RUNNING (≤ 10 min) → record RUNNING.
 * Failure before StartChannel: back to IDLE with the reason. After: stop the channel, wait IDLE,
 * record IDLE with the reason; if even that fails, FAILED.
 */
export function startStreamDefinition(scope: Construct, fns: TaskFunctions): IChainable {
  const session = taskStep(scope, 'Point archive at new session', fns['configure-session'], {
    payload: { 'options.$': '$.options', 'requested_at.$': '$.requested_at' },
    resultPath: '$.session',
    retryOn: CHANNEL_SETTLING,
  });
  const updated = channelWait(
    scope,
    'Wait for channel update',
    fns['wait-for-channel'],
    'IDLE',
    WAIT_BOUNDS.stoppedSeconds,
  );
  const origin = taskStep(scope, 'Apply startover window to origin', fns['update-origin-endpoint']);
  const start = taskStep(scope, 'Start MediaLive channel', fns['start-channel'], {
    retryOn: CHANNEL_SETTLING,
  });
  const running = channelWait(
    scope,
    'Wait for channel to be running',
    fns['wait-for-channel'],
    'RUNNING',
    WAIT_BOUNDS.runningSeconds,
  );
  const record = taskStep(scope, 'Record stream as running', fns['record-running'], {
    payload: { 'session.$': '$.session', 'running_at.$': '$.wait.at' },
  });
  session.next(updated.start);
  updated.next(origin);
  origin.next(start);
  start.next(running.start);
  running.next(record);
  record.next(new Succeed(scope, 'Stream running'));
  const claimed = claim(scope, fns, 'start');
  claimed.next(session);

  const backToIdle = failureRecorder(
    scope,
    'Record start failure (channel idle)',
    fns['record-failure'],
    'start',
    'IDLE',
    'Stream start failed',
  );
  const unknown = failureRecorder(
    scope,
    'Record start failure (channel state unknown)',
    fns['record-failure'],
    'start',
    'FAILED',
    'Stream start failed, channel state unknown',
  );
  catchInto([session, ...updated.tasks, origin], backToIdle);

  const stop = taskStep(scope, 'Stop channel after failed start', fns['stop-channel']);
  const stopped = channelWait(
    scope,
    'Wait for channel to stop after failed start',
    fns['wait-for-channel'],
    'IDLE',
    WAIT_BOUNDS.stoppedSeconds,
  );
  stop.next(stopped.start);
  stopped.next(backToIdle);
  catchInto([stop, ...stopped.tasks], unknown, '$.cleanup_error');
  catchInto([start, ...running.tasks, record], stop);
  return claimed;
}

/** StopStream, primary course: StopChannel → wait IDLE (≤ 5 min) → record IDLE, session closed. */
export function stopStreamDefinition(scope: Construct, fns: TaskFunctions): IChainable {
  const stop = taskStep(scope, 'Stop MediaLive channel', fns['stop-channel']);
  const idle = channelWait(
    scope,
    'Wait for channel to be idle',
    fns['wait-for-channel'],
    'IDLE',
    WAIT_BOUNDS.stoppedSeconds,
  );
  const record = taskStep(scope, 'Record stream as stopped', fns['record-stopped']);
  stop.next(idle.start);
  idle.next(record);
  record.next(new Succeed(scope, 'Stream stopped'));
  const failed = failureRecorder(
    scope,
    'Record stop failure',
    fns['record-failure'],
    'stop',
    'FAILED',
    'Stream stop failed',
  );
  catchInto([stop, ...idle.tasks, record], failed);
  const claimed = claim(scope, fns, 'stop');
  claimed.next(stop);
  return claimed;
}

/**
 * DeleteStream, primary course: off the CDN → stop the channel if it runs (force) → wait IDLE →
 * teardown → remove the record. The archive stays. On failure: FAILED with the reason; the ids stay
 * on the record, and DELETE again finishes the job.
 */
export function deleteStreamDefinition(scope: Construct, fns: TaskFunctions): IChainable {
  const offCdn = taskStep(scope, 'Take stream off the CDN', fns['end-live'], {
    retryOn: {
      errors: ['PreconditionFailed'],
      interval: Duration.seconds(2),
      backoffRate: 2,
      maxAttempts: 5,
    },
  });
  const stop = taskStep(scope, 'Stop channel if running', fns['stop-channel'], { resultPath: '$.stop' });
  // A retry after a partial delete finds the channel deleted (or never created): it never gets IDLE.
  const channelLeft = new Choice(scope, 'Channel left to stop?');
  const idle = channelWait(
    scope,
    'Wait for channel to be idle',
    fns['wait-for-channel'],
    'IDLE',
    WAIT_BOUNDS.stoppedSeconds,
  );
  const down = teardown(scope, fns, '');
  const remove = taskStep(scope, 'Remove stream record', fns['remove-stream']);
  offCdn.next(stop);
  stop.next(channelLeft);
  const gone = ['NONE', 'DELETING', 'DELETED'].map((state) => Condition.stringEquals('$.stop.state', state));
  channelLeft.when(Condition.or(...gone), down.start).otherwise(idle.start);
  idle.next(down.start);
  down.continueWith(remove);
  remove.next(new Succeed(scope, 'Stream deleted'));
  const failed = failureRecorder(
    scope,
    'Record delete failure',
    fns['record-failure'],
    'delete',
    'FAILED',
    'Stream delete failed',
  );
  const unschedule = taskStep(scope, 'Delete schedules', fns['delete-schedules']);
  unschedule.next(offCdn);
  catchInto([unschedule, offCdn, stop, ...idle.tasks, ...down.tasks, remove], failed);
  return unschedule;
}

const CDN_RACE = {
  errors: ['PreconditionFailed'],
  interval: Duration.seconds(2),
  backoffRate: 2,
  maxAttempts: 5,
};

/** GoLive: add the stream's origin and cache behaviour to the live distribution. Status unchanged. */
export function goLiveDefinition(scope: Construct, fns: TaskFunctions): IChainable {
  const add = taskStep(scope, 'Add stream to the live distribution', fns['go-live'], { retryOn: CDN_RACE });
  add.next(new Succeed(scope, 'Stream on the CDN'));
  catchInto(
    [add],
    failureRecorder(
      scope,
      'Record CDN failure',
      fns['record-failure'],
      'go-live',
      'KEEP',
      'Could not put stream on the CDN',
    ),
  );
  return add;
}

/** EndLive: remove the stream's origin and cache behaviour from the live distribution. */
export function endLiveDefinition(scope: Construct, fns: TaskFunctions): IChainable {
  const remove = taskStep(scope, 'Remove stream from the live distribution', fns['end-live'], {
    retryOn: CDN_RACE,
  });
  remove.next(new Succeed(scope, 'Stream off the CDN'));
  catchInto(
    [remove],
    failureRecorder(
      scope,
      'Record CDN failure',
      fns['record-failure'],
      'end-live',
      'KEEP',
      'Could not take stream off the CDN',
    ),
  );
  return remove;
}

/**
 * SplitArchive (Express, run synchronously by the API): plan every clip from MediaLive's archive
 * naming and write the playlists. Errors reach the API by name (InvalidRequest → 400).
 */
export function splitArchiveDefinition(scope: Construct, fns: TaskFunctions): IChainable {
  const split = taskStep(scope, 'Plan clips and write playlists', fns['split-archive'], {
    payload: {
      'session.$': '$.session',
      'timestamp_list.$': '$.timestamp_list',
      'name_modifier.$': '$.name_modifier',
    },
    resultPath: '$.result',
  });
  const done = new Succeed(scope, 'Clips written', { outputPath: '$.result' });
  split.next(done);
  return split;
}

export const DISCARD = JsonPath.DISCARD;
