/**
 * Runs that end without their Catch: stopped from the console (StopExecution), past the machine's
 * TimeoutSeconds, or failed in their Catch. Step Functions' "Execution Status Change" event reaches
 * the execution-events function (from its bundle, through the local EventBridge as through the rule
 * on AWS), which leaves the stream in a truthful status from the channel's real state.
 */
import { DescribeChannelCommand } from '@aws-sdk/client-medialive';
import { GetScheduleCommand } from '@aws-sdk/client-scheduler';
import { StopExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { StreamRecord } from '../../core/stream.js';
import type { Fault } from '../support/control-plane-faults.js';
import {
  NO_RESOURCES,
  startWorkflowHarness,
  statesEntered,
  type WorkflowHarness,
} from '../support/workflow-harness.js';

let h: WorkflowHarness;
const faults: Fault[] = [];

beforeAll(async () => {
  h = await startWorkflowHarness();
}, 180_000);
const clearFaults = () => {
  for (const fault of faults.splice(0)) fault.remove();
};
afterEach(clearFaults);
afterAll(async () => {
  await h?.close();
});

async function untilState(arn: string, state: string): Promise<void> {
  await expect
    .poll(async () => statesEntered(await h.history(arn)).includes(state), { timeout: 15_000, interval: 20 })
    .toBe(true);
}

async function settled(id: string, from: string): Promise<StreamRecord> {
  let record: StreamRecord | undefined;
  await expect
    .poll(
      async () => {
        record = await h.store.find(id);
        return record?.status;
      },
      { timeout: 15_000 },
    )
    .not.toBe(from);
  return record as StreamRecord;
}

const channelState = async (id: string) =>
  (await h.aws.medialive.send(new DescribeChannelCommand({ ChannelId: id }))).State;

describe('a start stopped from the console while its channel starts', () => {
  it('leaves the stream RUNNING with its auto-stop guard: a running channel is never unguarded', async () => {
    const idle = await h.idleStream({ max_duration_seconds: 3600 });
    const channelId = idle.live_channel_id as string;
    // The channel starts, but the machine's wait does not see it yet.
    faults.push(
      h.faults.reportChannelState(channelId, (state) => (state === 'RUNNING' ? 'STARTING' : state)),
    );
    const answer = await h.call('POST', `/streams/${idle.id}/start`, {});
    const arn = (answer.body.execution as { arn: string }).arn;
    await untilState(arn, 'Wait for channel to be running');

    await h.aws.sfn.send(new StopExecutionCommand({ executionArn: arn, cause: 'stopped from the console' }));

    const record = await settled(idle.id, 'STARTING');
    expect(record.status).toBe('RUNNING');
    expect(record.error).toMatchObject({ code: 'ExecutionAborted', action: 'start' });
    expect(record.error?.message).toContain('the channel runs');
    const guard = await h.aws.scheduler.send(
      new GetScheduleCommand({ Name: `${idle.id}-guard`, GroupName: h.scheduleGroup }),
    );
    expect(guard.ScheduleExpression).toMatch(/^at\(/);
    clearFaults();
    await expect.poll(() => channelState(channelId), { timeout: 10_000 }).toBe('RUNNING');

    // And it stops as any running stream does.
    const stop = await h.act('POST', `/streams/${idle.id}/stop`);
    expect(stop.record?.status).toBe('IDLE');
  });
});

describe('a stop stopped from the console while its channel stops', () => {
  it('leaves the stream IDLE with its session closed', async () => {
    const running = await h.runningStream();
    const channelId = running.live_channel_id as string;
    faults.push(h.faults.reportChannelState(channelId, (state) => (state === 'IDLE' ? 'STOPPING' : state)));
    const answer = await h.call('POST', `/streams/${running.id}/stop`);
    const arn = (answer.body.execution as { arn: string }).arn;
    await untilState(arn, 'Wait for channel to be idle');

    await h.aws.sfn.send(new StopExecutionCommand({ executionArn: arn }));

    const record = await settled(running.id, 'STOPPING');
    expect(record).toMatchObject({ status: 'IDLE', started: false });
    expect(record.error).toMatchObject({ code: 'ExecutionAborted', action: 'stop' });
    const session = await h.store.getSession(running.id, running.current_session_id as string);
    expect(session.stopped_at).not.toBeNull();
  });
});

describe('a delete stopped from the console midway', () => {
  it('records FAILED with the ids kept, and DELETE finishes the job', async () => {
    const idle = await h.idleStream();
    faults.push(
      h.faults.reportChannelState(idle.live_channel_id as string, (s) => (s === 'DELETED' ? 'DELETING' : s)),
    );
    const answer = await h.call('DELETE', `/streams/${idle.id}`);
    const arn = (answer.body.execution as { arn: string }).arn;
    await untilState(arn, 'Wait for channel to be deleted');

    await h.aws.sfn.send(new StopExecutionCommand({ executionArn: arn }));

    const record = await settled(idle.id, 'DELETING');
    expect(record.status).toBe('FAILED');
    expect(record.error).toMatchObject({ code: 'ExecutionAborted', action: 'delete' });
    expect(record.live_input_id).toBe(idle.live_input_id);
    clearFaults();

    const again = await h.act('DELETE', `/streams/${idle.id}`);
    expect(again.execution.status).toBe('SUCCEEDED');
    await expect.poll(() => h.resourcesOf(idle.id), { timeout: 10_000 }).toEqual(NO_RESOURCES);
  });
});

describe('a create stopped from the console midway', () => {
  it('records FAILED with what it made, and DELETE leaves nothing behind', async () => {
    faults.push(h.faults.reportChannelState('any', (s) => (s === 'IDLE' ? 'CREATING' : s)));
    const answer = await h.call('POST', '/streams', { name: 'Cut short' });
    const id = answer.body.id as string;
    const arn = (answer.body.execution as { arn: string }).arn;
    await untilState(arn, 'Wait for channel to be idle');

    await h.aws.sfn.send(new StopExecutionCommand({ executionArn: arn }));

    const record = await settled(id, 'CREATING');
    expect(record.status).toBe('FAILED');
    expect(record.error).toMatchObject({ code: 'ExecutionAborted', action: 'create' });
    expect(record.live_channel_id).not.toBeNull();
    clearFaults();

    const remove = await h.act('DELETE', `/streams/${id}`);
    expect(remove.execution.status).toBe('SUCCEEDED');
    await expect.poll(() => h.resourcesOf(id), { timeout: 10_000 }).toEqual(NO_RESOURCES);
  });
});

describe('a start that ran past its TimeoutSeconds', () => {
  /** Step Functions' event for an execution that timed out (no Catch runs). */
  const timedOut = (record: StreamRecord) => ({
    'detail-type': 'Step Functions Execution Status Change',
    source: 'aws.states',
    time: new Date().toISOString(),
    detail: {
      executionArn: record.execution?.arn as string,
      stateMachineArn: h.machines.start,
      name: record.execution?.name as string,
      status: 'TIMED_OUT',
      input: JSON.stringify({ stream_id: record.id }),
      error: 'States.Timeout',
      cause: null,
    },
  });

  it('leaves the stream IDLE with the timeout when the channel is idle', async () => {
    const idle = await h.idleStream();
    // As the API leaves a stream whose StartStream execution then timed out before StartChannel.
    const starting = await h.store.update(idle, {
      status: 'STARTING',
      execution: {
        action: 'start',
        name: `${idle.id}-start-x`,
        arn: `${h.machines.start.replace(':stateMachine:', ':execution:')}:${idle.id}-start-x`,
        started_at: new Date().toISOString(),
      },
    });

    const result = await h.functions.invoke('execution-events', timedOut(starting));

    expect(result).toEqual({ outcome: 'recorded', status: 'IDLE' });
    const record = await h.store.get(idle.id);
    expect(record.status).toBe('IDLE');
    expect(record.error).toMatchObject({ code: 'States.Timeout', action: 'start' });
    expect(record.error?.message).toContain('ran past its time limit');
  });

  it('changes nothing once another run owns the stream, or the Catch already recorded the end', async () => {
    const running = await h.runningStream();
    const stale = {
      ...timedOut(running),
      detail: {
        ...timedOut(running).detail,
        executionArn: 'arn:aws:states:us-east-1:000000000000:execution:StartStream:old',
      },
    };

    expect(await h.functions.invoke('execution-events', stale)).toEqual({ outcome: 'ignored:settled' });
    expect(await h.functions.invoke('execution-events', timedOut(running))).toEqual({
      outcome: 'ignored:settled',
    });
    expect((await h.store.get(running.id)).status).toBe('RUNNING');
  });
});

describe('a stream still in a transitional status that no workflow runs for', () => {
  it('is deleted with force=true, leaving no resource behind', async () => {
    const idle = await h.idleStream();
    // As a run whose end nothing reported would leave it (its execution long gone).
    const stuck = await h.store.update(idle, {
      status: 'STARTING',
      execution: {
        action: 'start',
        name: `${idle.id}-start-gone`,
        arn: `${h.machines.start.replace(':stateMachine:', ':execution:')}:${idle.id}-start-gone`,
        started_at: new Date().toISOString(),
      },
    });

    const refused = await h.call('DELETE', `/streams/${stuck.id}`);
    expect(refused.statusCode).toBe(409);
    const remove = await h.act('DELETE', `/streams/${stuck.id}`, undefined, { force: 'true' });

    expect(remove.execution.status).toBe('SUCCEEDED');
    expect(remove.record).toBeUndefined();
    await expect.poll(() => h.resourcesOf(idle.id), { timeout: 10_000 }).toEqual(NO_RESOURCES);
  });
});
