import {
  DescribeExecutionCommand,
  ExecutionDoesNotExist,
  GetExecutionHistoryCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { stepsOf } from '../../api/workflow-starter.js';
import { anIdleStream } from '../support/builders.js';
import { type ApiHarness, startApi } from './api-harness.js';

let api: ApiHarness;
beforeAll(async () => {
  api = await startApi();
});
afterAll(async () => api.close());
beforeEach(() => api.resetSfn());

const T = (s: number) => new Date(Date.UTC(2026, 10, 23, 12, 0, s));

describe('GET /streams/{id}/executions', () => {
  it('lists the executions the API started, newest first, with status and steps from Step Functions', async () => {
    const stream = await api.seed(anIdleStream());
    expect((await api.call('POST', `/streams/${stream.id}/start`)).statusCode).toBe(202);
    api.sfn.on(DescribeExecutionCommand).resolves({
      status: 'FAILED',
      error: 'ChannelFailed',
      cause: 'CREATE_FAILED',
      stopDate: T(9),
      startDate: T(0),
      executionArn: 'x',
      stateMachineArn: 'y',
    });
    api.sfn.on(GetExecutionHistoryCommand).resolves({
      events: [
        { id: 1, type: 'ExecutionStarted', timestamp: T(0) },
        {
          id: 2,
          type: 'TaskStateEntered',
          timestamp: T(1),
          stateEnteredEventDetails: { name: 'Claim stream for start' },
        },
        {
          id: 3,
          type: 'TaskStateExited',
          timestamp: T(2),
          stateExitedEventDetails: { name: 'Claim stream for start' },
        },
        {
          id: 4,
          type: 'TaskStateEntered',
          timestamp: T(3),
          stateEnteredEventDetails: { name: 'Configure session' },
        },
      ],
    });
    const answer = await api.call('GET', `/streams/${stream.id}/executions`);
    expect(answer.statusCode).toBe(200);
    expect(answer.body).toHaveLength(1);
    expect(answer.body[0]).toMatchObject({
      action: 'start',
      status: 'FAILED',
      error: 'ChannelFailed',
      steps: [
        {
          name: 'Claim stream for start',
          status: 'SUCCEEDED',
          entered_at: T(1).toISOString(),
          exited_at: T(2).toISOString(),
        },
        { name: 'Configure session', status: 'FAILED', exited_at: null },
      ],
    });
    expect(answer.body[0].name).toMatch(new RegExp(`^${stream.id}-start-`));
  });

  it('shows an execution Step Functions no longer knows as UNKNOWN instead of failing the answer', async () => {
    const stream = await api.seed(anIdleStream());
    await api.call('POST', `/streams/${stream.id}/start`);
    api.sfn
      .on(DescribeExecutionCommand)
      .rejects(new ExecutionDoesNotExist({ message: 'gone', $metadata: {} }));
    const answer = await api.call('GET', `/streams/${stream.id}/executions`);
    expect(answer.statusCode).toBe(200);
    expect(answer.body[0]).toMatchObject({ status: 'UNKNOWN', steps: [] });
  });

  it('answers 404 for an unknown stream and 400 for a limit over 10', async () => {
    expect((await api.call('GET', '/streams/00000000000000AA/executions')).statusCode).toBe(404);
    const stream = await api.seed(anIdleStream());
    const answer = await api.call('GET', `/streams/${stream.id}/executions`, { query: { limit: '11' } });
    expect(answer.statusCode).toBe(400);
  });

  it('marks a step still open when the execution runs as RUNNING', () => {
    const steps = stepsOf(
      [{ id: 1, type: 'TaskStateEntered', timestamp: T(1), stateEnteredEventDetails: { name: 'Wait' } }],
      'RUNNING',
    );
    expect(steps).toEqual([
      { name: 'Wait', status: 'RUNNING', entered_at: T(1).toISOString(), exited_at: null },
    ]);
  });
});
