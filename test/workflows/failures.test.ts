/**
 * The machines' Retry and Catch paths, run from the deployed definitions with the bundled task
 * functions: MediaLive's faults are answered by the local double over the wire (so the SDK's own
 * retries run first, as on AWS), and a channel that hangs or fails is shown to the tasks through
 * DescribeChannel.
 */
import { DescribeChannelCommand, DescribeInputCommand } from '@aws-sdk/client-medialive';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { StreamRecord } from '../../core/stream.js';
import { type Fault, INTERNAL_ERROR, SDK_ATTEMPTS, THROTTLED } from '../support/control-plane-faults.js';
import {
  NO_RESOURCES,
  startWorkflowHarness,
  statesEntered,
  type WorkflowHarness,
} from '../support/workflow-harness.js';

let h: WorkflowHarness;
const faults: Fault[] = [];
const inject = (fault: Fault) => {
  faults.push(fault);
  return fault;
};

// A clean clone synthesizes the definitions first (a CDK synth: tens of seconds on 2 busy cores).
beforeAll(async () => {
  h = await startWorkflowHarness();
}, 180_000);

afterEach(() => {
  for (const fault of faults.splice(0)) fault.remove();
  h?.functions.setClockOffset(0);
});

afterAll(async () => {
  await h?.close();
});

async function failedLambdaErrors(executionArn: string, stateName: string): Promise<string[]> {
  const events = await h.history(executionArn);
  const errors: string[] = [];
  let current: string | undefined;
  for (const event of events) {
    if (event.type?.endsWith('StateEntered')) current = event.stateEnteredEventDetails?.name;
    if (event.type === 'LambdaFunctionFailed' && current === stateName)
      errors.push(event.lambdaFunctionFailedEventDetails?.error ?? '');
  }
  return errors;
}

describe('a throttled MediaLive call', () => {
  it('is retried by the machine and the start succeeds', async () => {
    const idle = await h.idleStream();
    // Two invocations' worth: the SDK retries each call itself before the task gives up.
    const fault = inject(h.faults.fail('StartChannel', THROTTLED, { times: 2 * SDK_ATTEMPTS }));

    const run = await h.act('POST', `/streams/${idle.id}/start`, {});

    expect(fault.hits).toBe(2 * SDK_ATTEMPTS);
    expect(run.execution.status).toBe('SUCCEEDED');
    expect(run.record?.status).toBe('RUNNING');
    expect(run.record?.error).toBeNull();
    expect(await failedLambdaErrors(run.execution.executionArn, 'Start channel')).toEqual([
      'TooManyRequestsException',
      'TooManyRequestsException',
    ]);
    // Retried in place: the failures never reached a Catch.
    expect(statesEntered(await h.history(run.execution.executionArn))).not.toContain(
      'Stop channel after failed start',
    );
  });
});

describe('a channel that ends CREATE_FAILED', () => {
  it('is compensated: everything created is deleted, the double holds nothing, the record is FAILED with the reason', async () => {
    // MediaLive shows CREATE_FAILED until the channel is deleted; the double's channel is real
    // underneath, so DeleteChannel and the DELETED wait reach it. Set before the create starts
    // (its channel id is not known yet): no other workflow runs meanwhile.
    inject(
      h.faults.reportChannelState('any', (state) =>
        state === 'CREATING' || state === 'IDLE' ? 'CREATE_FAILED' : state,
      ),
    );
    const answer = await h.call('POST', '/streams', { name: 'Doomed' });
    const id = answer.body.id as string;

    const execution = await h.waitForExecution((answer.body.execution as { arn: string }).arn);

    expect(execution.status).toBe('FAILED');
    expect(execution.error).toBe('ChannelFailed');
    const failed = await h.store.get(id);
    expect(failed.status).toBe('FAILED');
    expect(failed.error).toMatchObject({ code: 'ChannelFailed', action: 'create' });
    expect(failed.error?.message).toContain('CREATE_FAILED');
    const path = statesEntered(await h.history(execution.executionArn));
    expect(path).toEqual(
      expect.arrayContaining([
        'Clean up: Delete channel',
        'Clean up: Delete input',
        'Clean up: Delete origin endpoint',
        'Clean up: Delete package channel',
        'Record failure',
      ]),
    );
    await expect.poll(() => h.resourcesOf(id), { timeout: 5_000 }).toEqual(NO_RESOURCES);
    await expect(
      h.aws.medialive.send(new DescribeInputCommand({ InputId: failed.live_input_id as string })),
    ).resolves.toMatchObject({ State: 'DELETED' });
  });
});

describe('a create whose answers were lost', () => {
  it('is retried, finds what it already made, and ends IDLE with one of each resource', async () => {
    // MediaPackage made the channel and the endpoint, but the first answers never came back: the
    // retries meet "already exists" (422) and look the resources up.
    const packageChannel = inject(h.faults.loseAnswer('mediapackage', 'CreateChannel', { times: 1 }));
    const endpoint = inject(h.faults.loseAnswer('mediapackage', 'CreateOriginEndpoint', { times: 1 }));
    // The input and channel steps ran to the end, but Step Functions never heard back.
    h.loseAnswers('create-input', 1);
    h.loseAnswers('create-channel', 1);

    const create = await h.act('POST', '/streams', { name: 'Unlucky network' });

    expect(packageChannel.hits).toBe(1);
    expect(endpoint.hits).toBe(1);
    expect(create.execution.status).toBe('SUCCEEDED');
    const record = create.record as StreamRecord;
    expect(record.status).toBe('IDLE');
    const resources = await h.resourcesOf(record.id);
    expect(resources.channels).toEqual([{ id: record.live_channel_id, state: 'IDLE' }]);
    expect(resources.inputs).toEqual([{ id: record.live_input_id, state: 'ATTACHED' }]);
    expect(resources.packageChannels).toEqual([record.package_channel_id]);
    expect(resources.originEndpoints).toEqual([record.package_endpoint_id]);
    const path = statesEntered(await h.history(create.execution.executionArn));
    expect(path.filter((s) => s === 'Create input')).toHaveLength(1);
    expect(await failedLambdaErrors(create.execution.executionArn, 'Create input')).toEqual([
      'Lambda.ServiceException',
    ]);
  });
});

describe('a create whose channel exists but was never recorded', () => {
  it('leaves nothing behind: the clean-up finds the channel and the input by their names', async () => {
    // Every answer of CreateChannel lost: MediaLive made the channel (one: the request id makes the
    // retries idempotent), the task never learned its id, and the create fails.
    inject(h.faults.loseAnswer('medialive', 'CreateChannel', { times: 1_000 }));

    const create = await h.act('POST', '/streams', { name: 'Lost channel' });

    expect(create.execution.status).toBe('FAILED');
    const failed = create.record as StreamRecord;
    expect(failed.status).toBe('FAILED');
    await expect.poll(() => h.resourcesOf(failed.id), { timeout: 10_000 }).toEqual(NO_RESOURCES);
  });

  it('finds the input the same way when it was the one never recorded', async () => {
    inject(h.faults.loseAnswer('medialive', 'CreateInput', { times: 1_000 }));

    const create = await h.act('POST', '/streams', { name: 'Lost input' });

    expect(create.execution.status).toBe('FAILED');
    const failed = create.record as StreamRecord;
    await expect.poll(() => h.resourcesOf(failed.id), { timeout: 10_000 }).toEqual(NO_RESOURCES);
  });
});

describe('a create that fails before its channel exists', () => {
  it('deletes what it created, and DELETE then removes the FAILED stream', async () => {
    const refused = inject(
      h.faults.fail('CreateChannel', {
        code: 'BadRequestException',
        status: 400,
        message: 'Invalid channel settings',
      }),
    );

    const create = await h.act('POST', '/streams', { name: 'Refused' });

    expect(refused.hits).toBe(1);
    expect(create.execution.status).toBe('FAILED');
    const failed = create.record as StreamRecord;
    expect(failed).toMatchObject({ status: 'FAILED', live_channel_id: null });
    expect(failed.error).toMatchObject({
      code: 'BadRequestException',
      action: 'create',
      message: 'Invalid channel settings',
    });
    await expect.poll(() => h.resourcesOf(failed.id), { timeout: 5_000 }).toEqual(NO_RESOURCES);

    const remove = await h.act('DELETE', `/streams/${failed.id}`);

    expect(remove.execution.status).toBe('SUCCEEDED');
    expect(remove.record).toBeUndefined();
  });
});

describe('a start that never reaches RUNNING', () => {
  /**
   * The wait's bound is 600 s from its first poll. Rather than wait 10 minutes, the functions' clock
   * (Date.now in their execution environments) jumps 11 minutes ahead once the wait has started.
   */
  async function jumpPastTheStartBound(executionArn: string): Promise<void> {
    await vi.waitFor(
      async () => {
        const path = statesEntered(await h.history(executionArn));
        if (!path.includes('Wait for channel to be running: reached RUNNING?'))
          throw new Error('the wait has not polled yet');
      },
      { timeout: 10_000, interval: 20 },
    );
    h.functions.setClockOffset(11 * 60_000);
  }

  it('times out after 600 s, stops the channel and records IDLE with the timeout', async () => {
    const idle = await h.idleStream();
    const channelId = idle.live_channel_id as string;
    inject(h.faults.reportChannelState(channelId, (state) => (state === 'RUNNING' ? 'STARTING' : state)));

    const answer = await h.call('POST', `/streams/${idle.id}/start`, {});
    const arn = (answer.body.execution as { arn: string }).arn;
    await jumpPastTheStartBound(arn);
    const execution = await h.waitForExecution(arn);

    expect(execution.status).toBe('FAILED');
    expect(execution.error).toBe('ChannelStateTimeout');
    const path = statesEntered(await h.history(arn));
    expect(path).toContain('Stop channel after failed start');
    expect(path).not.toContain('Record running');
    const record = await h.store.get(idle.id);
    expect(record).toMatchObject({
      status: 'IDLE',
      started: false,
      current_session_id: null,
      archives_path: {},
    });
    expect(record.error).toMatchObject({ code: 'ChannelStateTimeout', action: 'start' });
    expect(record.error?.message).toMatch(/did not reach RUNNING within 600 s/);
    const channel = await h.aws.medialive.send(new DescribeChannelCommand({ ChannelId: channelId }));
    expect(channel.State).toBe('IDLE');
  });

  it('records FAILED, channel state unknown, when the channel cannot be stopped either', async () => {
    const idle = await h.idleStream();
    const channelId = idle.live_channel_id as string;
    const hanging = inject(
      h.faults.reportChannelState(channelId, (state) => (state === 'RUNNING' ? 'STARTING' : state)),
    );
    const stopFault = inject(h.faults.fail('StopChannel', INTERNAL_ERROR));

    const answer = await h.call('POST', `/streams/${idle.id}/start`, {});
    const arn = (answer.body.execution as { arn: string }).arn;
    await jumpPastTheStartBound(arn);
    const execution = await h.waitForExecution(arn);

    expect(execution.status).toBe('FAILED');
    // The first invocation and the Retry's six, each with the SDK's own attempts.
    expect(stopFault.hits).toBe(7 * SDK_ATTEMPTS);
    expect(statesEntered(await h.history(arn))).toContain('Record failure: channel state unknown');
    const record = await h.store.get(idle.id);
    expect(record.status).toBe('FAILED');
    expect(record.error).toMatchObject({ code: 'ChannelStateTimeout', action: 'start' });
    // The channel really is still running: FAILED tells the operator to look, stop is allowed.
    hanging.remove();
    const channel = await h.aws.medialive.send(new DescribeChannelCommand({ ChannelId: channelId }));
    expect(channel.State).toBe('RUNNING');
  });
});

describe('a delete that fails midway', () => {
  it('records FAILED with the ids kept, and a second DELETE finishes the job', async () => {
    const idle = await h.idleStream();
    const deleteInput = inject(h.faults.fail('DeleteInput', INTERNAL_ERROR));

    const first = await h.act('DELETE', `/streams/${idle.id}`);

    expect(first.execution.status).toBe('FAILED');
    expect(deleteInput.hits).toBe(7 * SDK_ATTEMPTS);
    const failed = first.record as StreamRecord;
    expect(failed.status).toBe('FAILED');
    expect(failed.error).toMatchObject({
      code: 'InternalServerErrorException',
      action: 'delete',
      message: 'We encountered an internal error',
    });
    expect(failed).toMatchObject({
      live_channel_id: idle.live_channel_id,
      live_input_id: idle.live_input_id,
      package_channel_id: idle.package_channel_id,
      package_endpoint_id: idle.package_endpoint_id,
    });
    // Channel gone, the rest still there: the delete stopped at the input.
    await expect(
      h.aws.medialive.send(new DescribeChannelCommand({ ChannelId: idle.live_channel_id as string })),
    ).resolves.toMatchObject({ State: 'DELETED' });
    const left = await h.resourcesOf(idle.id);
    expect(left.channels).toEqual([]);
    expect(left.inputs).toHaveLength(1);
    expect(left.packageChannels).toHaveLength(1);
    expect(left.originEndpoints).toHaveLength(1);

    deleteInput.remove();
    const second = await h.act('DELETE', `/streams/${idle.id}`);

    expect(second.execution.status).toBe('SUCCEEDED');
    expect(second.record).toBeUndefined();
    await expect.poll(() => h.resourcesOf(idle.id), { timeout: 5_000 }).toEqual(NO_RESOURCES);
    await expect
      .poll(
        async () =>
          (await h.aws.medialive.send(new DescribeInputCommand({ InputId: idle.live_input_id as string })))
            .State,
      )
      .toBe('DELETED');
  });
});

describe('a stream FAILED after a stop that did not work', () => {
  /** A running stream whose stop failed on every attempt: FAILED, its session open, its channel running. */
  async function failedWhileRunning(): Promise<StreamRecord> {
    const running = await h.runningStream();
    const stopFault = inject(h.faults.fail('StopChannel', INTERNAL_ERROR));
    const stop = await h.act('POST', `/streams/${running.id}/stop`);
    stopFault.remove();
    expect(stop.record).toMatchObject({ status: 'FAILED', started: true });
    return stop.record as StreamRecord;
  }

  it('refuses a start while its channel still runs: FAILED with the reason, never IDLE and unguarded', async () => {
    const failed = await failedWhileRunning();

    const start = await h.act('POST', `/streams/${failed.id}/start`, {});

    expect(start.execution.status).toBe('FAILED');
    expect(start.record).toMatchObject({ status: 'FAILED' });
    expect(start.record?.error?.code).toBe('ChannelNotIdle');
    expect(statesEntered(await h.history(start.execution.executionArn))).toContain(
      'Record failure: channel state unknown',
    );
    const channel = await h.aws.medialive.send(
      new DescribeChannelCommand({ ChannelId: failed.live_channel_id as string }),
    );
    expect(channel.State).toBe('RUNNING');
  });

  it('closes the session the failed stop left open when a later start fails with the channel stopped', async () => {
    const failed = await failedWhileRunning();
    const sessionId = failed.current_session_id as string;
    // Stopped in the console meanwhile; then a start that MediaLive refuses.
    const { StopChannelCommand } = await import('@aws-sdk/client-medialive');
    await h.aws.medialive.send(new StopChannelCommand({ ChannelId: failed.live_channel_id as string }));
    await expect
      .poll(
        async () =>
          (
            await h.aws.medialive.send(
              new DescribeChannelCommand({ ChannelId: failed.live_channel_id as string }),
            )
          ).State,
        { timeout: 10_000 },
      )
      .toBe('IDLE');
    inject(
      h.faults.fail('UpdateChannel', {
        code: 'BadRequestException',
        status: 400,
        message: 'Invalid settings',
      }),
    );

    const start = await h.act('POST', `/streams/${failed.id}/start`, {});

    expect(start.execution.status).toBe('FAILED');
    expect(start.record).toMatchObject({ status: 'IDLE', started: false });
    expect(start.record?.error).toMatchObject({ code: 'BadRequestException', action: 'start' });
    expect((await h.store.getSession(failed.id, sessionId)).stopped_at).not.toBeNull();
  });
});
