import { afterEach, describe, expect, it } from 'vitest';
import { createLocalStepFunctions } from '../../../../infra/local/stepfunctions/index.js';
import {
  aMachine,
  newDataDir,
  type RunningLocalSfn,
  removeDataDirs,
  startLocalSfn,
} from './local-sfn-fixture.js';

const pass = aMachine('Pass', { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } });

let running: RunningLocalSfn | undefined;

afterEach(async () => {
  await running?.stop();
  running = undefined;
  await removeDataDirs();
});

async function post(
  url: string,
  target: string,
  body: string,
): Promise<{ status: number; type: string | null; json: unknown }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-amz-json-1.0', 'X-Amz-Target': target },
    body,
  });
  return { status: response.status, type: response.headers.get('content-type'), json: await response.json() };
}

describe('the Step Functions JSON protocol', () => {
  it('answers an operation with a JSON 1.0 body', async () => {
    running = await startLocalSfn({ stateMachines: [pass] });
    const answer = await post(running.url, 'AWSStepFunctions.ListStateMachines', '{}');
    expect(answer.status).toBe(200);
    expect(answer.type).toBe('application/x-amz-json-1.0');
    expect(answer.json).toMatchObject({ stateMachines: [{ name: 'Pass', type: 'STANDARD' }] });
  });

  it('answers errors with HTTP 400 and {"__type","message"}', async () => {
    running = await startLocalSfn({ stateMachines: [pass] });
    const answer = await post(running.url, 'AWSStepFunctions.DescribeExecution', '{}');
    expect(answer.status).toBe(400);
    expect(answer.json).toEqual({
      __type: 'ValidationException',
      message: expect.stringContaining("'executionArn'"),
    });
  });

  it('refuses an unknown operation and a body that is not JSON', async () => {
    running = await startLocalSfn({ stateMachines: [pass] });
    expect((await post(running.url, 'AWSStepFunctions.CreateStateMachine', '{}')).json).toMatchObject({
      __type: 'UnknownOperationException',
    });
    expect((await post(running.url, 'AWSStepFunctions.ListStateMachines', '{oops')).json).toMatchObject({
      __type: 'SerializationException',
    });
  });

  it('refuses an out-of-range maxResults as the model does', async () => {
    running = await startLocalSfn({ stateMachines: [pass] });
    const answer = await post(running.url, 'AWSStepFunctions.ListStateMachines', '{"maxResults":1001}');
    expect(answer.json).toMatchObject({ __type: 'ValidationException' });
  });

  it('refuses to start with a definition that is not valid ASL', async () => {
    const broken = aMachine('Broken', { StartAt: 'Missing', States: { P: { Type: 'Pass', End: true } } });
    const dataDir = await newDataDir();
    expect(() =>
      createLocalStepFunctions({ dataDir, stateMachines: [broken], invokeLambda: async () => null }),
    ).toThrow(/state machine Broken/);
  });
});
