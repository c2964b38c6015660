/**
 * StartStream, primary course: claim stream → configure session (UpdateChannel: the archive's new
 * prefix) → wait until IDLE → update origin endpoint (startover window) → start channel → wait until
 * RUNNING (≤ 10 min) → record running (session, auto-stop guard).
 * Failure before StartChannel: back to IDLE with the reason. After: stop the channel, wait IDLE,
 * record IDLE with the reason; if even that fails, FAILED.
 */
import { Chain, Succeed } from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { ChannelNotIdle } from '../core/errors.js';
import { ChannelWait, ClaimStream, RecordFailure, WAIT_BOUNDS } from './fragments.js';
import type { TaskFunctions } from './task-functions.js';
import { CHANNEL_SETTLING, catchInto, taskStep } from './task-step.js';

export function startDefinition(scope: Construct, tasks: TaskFunctions): Chain {
  const claim = new ClaimStream(scope, tasks, 'start');
  const session = taskStep(scope, 'Configure session', tasks['configure-session'], {
    payload: {
      'options.$': '$.options',
      'requested_at.$': '$.requested_at',
      'execution_name.$': '$$.Execution.Name',
    },
    resultPath: '$.session',
    retryOn: CHANNEL_SETTLING,
  });
  const updated = new ChannelWait(
    scope,
    'Wait for channel to be idle after update',
    tasks['wait-for-channel'],
    'IDLE',
    WAIT_BOUNDS.stoppedSeconds,
  );
  const origin = taskStep(scope, 'Update origin endpoint', tasks['update-origin-endpoint']);
  const start = taskStep(scope, 'Start channel', tasks['start-channel'], { retryOn: CHANNEL_SETTLING });
  const running = new ChannelWait(
    scope,
    'Wait for channel to be running',
    tasks['wait-for-channel'],
    'RUNNING',
    WAIT_BOUNDS.runningSeconds,
  );
  const record = taskStep(scope, 'Record running', tasks['record-running'], {
    payload: { 'session.$': '$.session', 'running_at.$': '$.wait.at' },
  });

  const backToIdle = new RecordFailure(scope, 'Record failure: channel idle', tasks['record-failure'], {
    action: 'start',
    status: 'IDLE',
    failName: 'Stream start failed',
  });
  const unknown = new RecordFailure(scope, 'Record failure: channel state unknown', tasks['record-failure'], {
    action: 'start',
    status: 'FAILED',
    failName: 'Stream start failed, channel state unknown',
  });
  // A channel that is not idle (a stream FAILED with its channel still running) is no stopped
  // channel: recording IDLE would leave it running unguarded, so that failure is FAILED.
  session.addCatch(unknown, { errors: [ChannelNotIdle.errorName], resultPath: '$.error' });
  catchInto([session, updated, origin], backToIdle);

  const stop = taskStep(scope, 'Stop channel after failed start', tasks['stop-channel']);
  const stopped = new ChannelWait(
    scope,
    'Wait for channel to be idle after failed start',
    tasks['wait-for-channel'],
    'IDLE',
    WAIT_BOUNDS.stoppedSeconds,
  );
  Chain.start(stop).next(stopped).next(backToIdle);
  catchInto([stop, stopped], unknown, '$.cleanup_error');
  catchInto([start, running, record], stop);

  return Chain.start(claim)
    .next(session)
    .next(updated)
    .next(origin)
    .next(start)
    .next(running)
    .next(record)
    .next(new Succeed(scope, 'Stream running'));
}
