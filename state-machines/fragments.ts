/**
 * The steps several machines share, as `StateMachineFragment`s: the bounded wait for a channel
 * state, the teardown of a stream's resources, the failure recorder every Catch ends in, and the
 * claim a scheduled execution starts with.
 */
import { Duration } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import {
  Chain,
  Choice,
  Condition,
  Fail,
  type IChainable,
  type INextable,
  Pass,
  Result,
  type State,
  StateMachineFragment,
} from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { InputNotDetached } from '../core/errors.js';
import type { TaskFunctions } from './task-functions.js';
import { CHANNEL_SETTLING, catchInto, taskStep } from './task-step.js';

/** Bounds of the waits (the MediaLive SDK waiters' budgets): start 10 min, stop 5 min, delete 7 min. */
export const WAIT_BOUNDS = {
  createdSeconds: 300,
  runningSeconds: 600,
  stoppedSeconds: 300,
  deletedSeconds: 420,
};

export type ChannelTarget = 'IDLE' | 'RUNNING' | 'DELETED';

/**
 * Pass (start the clock) → `wait-for-channel` (polls up to 20 s) → Choice (there yet?) ↺.
 * The task fails the wait on a failure state or past `timeoutSeconds` (bounds from the SDK waiters:
 * running 10 min, stopped 5 min, deleted 7 min). The state name is `name`; the result is at `$.wait`
 * (`$.wait.at`: when the target state was first seen).
 */
export class ChannelWait extends StateMachineFragment {
  readonly startState: State;
  readonly endStates: INextable[];

  constructor(scope: Construct, name: string, fn: IFunction, target: ChannelTarget, timeoutSeconds: number) {
    super(scope, name);
    const begin = new Pass(this, `${name}: start the clock`, {
      result: Result.fromObject({ since: null, done: false }),
      resultPath: '$.wait',
    });
    const poll = taskStep(this, name, fn, {
      payload: { target, timeout_seconds: timeoutSeconds, 'since.$': '$.wait.since' },
      resultPath: '$.wait',
    });
    const there = new Choice(this, `${name}: reached ${target}?`);
    begin.next(poll);
    poll.next(there);
    there.otherwise(poll);
    this.startState = begin;
    // The loop leaves through the Choice, which is not chainable itself: what follows the wait becomes
    // the Choice's "reached" branch, with no extra state (each one is a billed transition).
    this.endStates = [
      {
        next: (state: IChainable) => {
          there.when(Condition.booleanEquals('$.wait.done', true), state);
          return Chain.start(state);
        },
      },
    ];
  }
}

/** An input stays ATTACHED for a while after its channel is deleted: about 6 minutes of retries. */
const INPUT_DETACHING = {
  errors: [InputNotDetached.errorName],
  interval: Duration.seconds(5),
  backoffRate: 1.3,
  maxAttempts: 12,
};

/**
 * Delete channel → wait DELETED → delete input (once detached) → delete origin endpoint → delete
 * package channel: the order MediaLive and MediaPackage require. Every step treats "already gone" as
 * done, so a retry after a partial delete finishes the job. DeleteStream's course, and CreateStream's
 * clean-up (with its states prefixed).
 */
export class Teardown extends StateMachineFragment {
  readonly startState: State;
  readonly endStates: INextable[];

  constructor(scope: Construct, id: string, tasks: TaskFunctions) {
    super(scope, id);
    const channel = taskStep(this, 'Delete channel', tasks['delete-channel'], { retryOn: CHANNEL_SETTLING });
    const deleted = new ChannelWait(
      this,
      'Wait for channel to be deleted',
      tasks['wait-for-channel'],
      'DELETED',
      WAIT_BOUNDS.deletedSeconds,
    );
    const input = taskStep(this, 'Delete input', tasks['delete-input'], { retryOn: INPUT_DETACHING });
    const endpoint = taskStep(this, 'Delete origin endpoint', tasks['delete-origin-endpoint']);
    const packageChannel = taskStep(this, 'Delete package channel', tasks['delete-package-channel']);
    Chain.start(channel).next(deleted).next(input).next(endpoint).next(packageChannel);
    this.startState = channel;
    this.endStates = [packageChannel];
  }
}

/** Where `record-failure` leaves the stream: FAILED, IDLE (channel known stopped), or as it was. */
export type FailureStatus = 'FAILED' | 'IDLE' | 'KEEP';

/**
 * Records the failure on the stream (`record-failure`), then fails the execution with the original
 * error. If even recording fails, the execution still fails (and the console shows both errors).
 */
export class RecordFailure extends StateMachineFragment {
  readonly startState: State;
  readonly endStates: INextable[] = [];

  constructor(
    scope: Construct,
    name: string,
    fn: IFunction,
    failure: { action: string; status: FailureStatus; failName: string },
  ) {
    super(scope, name);
    const record = taskStep(this, name, fn, {
      payload: { action: failure.action, status: failure.status, 'error.$': '$.error' },
    });
    const fail = new Fail(this, failure.failName, { causePath: '$.error.Cause', errorPath: '$.error.Error' });
    record.next(fail);
    record.addCatch(fail, { resultPath: '$.record_error' });
    this.startState = record;
  }
}

/**
 * First step of the machines a schedule may start: claims the stream (or finds it claimed by the
 * API for this very execution). A refused claim records what happened and ends the execution.
 */
export class ClaimStream extends StateMachineFragment {
  readonly startState: State;
  readonly endStates: INextable[];

  constructor(scope: Construct, tasks: TaskFunctions, action: 'start' | 'stop') {
    super(scope, `Claim stream for ${action}`);
    const claim = taskStep(this, `Claim stream for ${action}`, tasks['claim-stream'], {
      payload: {
        action,
        'request_id.$': '$.request_id',
        'execution_name.$': '$$.Execution.Name',
        'execution_arn.$': '$$.Execution.Id',
      },
    });
    const skipped = new RecordFailure(this, `Record failure: ${action} skipped`, tasks['record-failure'], {
      action,
      status: 'KEEP',
      failName: `Stream ${action} not possible now`,
    });
    catchInto([claim], skipped);
    this.startState = claim;
    this.endStates = [claim];
  }
}
