import { afterEach, describe, expect, it } from 'vitest';
import { createLocalStepFunctions } from '../../../../infra/local/stepfunctions/index.js';
import { requestTo, send, signer } from '../../../support/sigv4.js';
import {
  aMachine,
  CREDENTIALS,
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

/** A request as the AWS CLI sends it: signed, JSON 1.0, the operation in X-Amz-Target. */
async function post(url: string, target: string, body: string) {
  const request = requestTo(
    url,
    'POST',
    { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': target },
    body,
  );
  const answer = await send(await signer(CREDENTIALS, 'states').sign(request));
  return { status: answer.status, json: JSON.parse(answer.text) as unknown };
}

describe('the Step Functions JSON protocol', () => {
  it('answers an operation with a JSON 1.0 body', async () => {
    running = await startLocalSfn({ stateMachines: [pass] });
    const answer = await post(
      running.url,
      'AWSStepFunctions.ListExecutions',
      JSON.stringify({ stateMachineArn: pass.arn }),
    );
    expect(answer).toEqual({ status: 200, json: { executions: [] } });
  });

  it('answers errors with HTTP 400 and {"__type","message"}', async () => {
    running = await startLocalSfn({ stateMachines: [pass] });
    const answer = await post(running.url, 'AWSStepFunctions.DescribeExecution', '{}');
    expect(answer.status).toBe(400);
    expect(answer.json).toEqual({
      __type: 'ValidationException',
      message: expect.stringContaining('executionArn'),
    });
  });

  it('refuses an operation it does not implement and a body that is not JSON', async () => {
    running = await startLocalSfn({ stateMachines: [pass] });
    expect((await post(running.url, 'AWSStepFunctions.CreateStateMachine', '{}')).json).toMatchObject({
      __type: 'UnknownOperationException',
    });
    expect((await post(running.url, 'AWSStepFunctions.ListExecutions', '{oops')).json).toMatchObject({
      __type: 'SerializationException',
    });
  });

  it('refuses an out-of-range maxResults as the model does', async () => {
    running = await startLocalSfn({ stateMachines: [pass] });
    const body = JSON.stringify({ stateMachineArn: pass.arn, maxResults: 1001 });
    expect((await post(running.url, 'AWSStepFunctions.ListExecutions', body)).json).toMatchObject({
      __type: 'ValidationException',
    });
  });

  it('refuses to start with a definition that is not valid ASL', async () => {
    const broken = aMachine('Broken', { StartAt: 'Missing', States: { P: { Type: 'Pass', End: true } } });
    const dataDir = await newDataDir();
    expect(() =>
      createLocalStepFunctions({ dataDir, stateMachines: [broken], invokeLambda: async () => null }),
    ).toThrow(/state machine Broken/);
  });
});
