import { GetAccountCommand } from '@aws-sdk/client-api-gateway';
import { GetRoleCommand, IAMServiceException, NoSuchEntityException } from '@aws-sdk/client-iam';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { CONTEXT_OPTIONS } from '../../../infra/aws/config.js';
import {
  CLOUDWATCH_ROLE_OPTION,
  checkApiGatewayCloudWatchRole,
  deployCreatesCloudWatchRole,
} from '../../../infra/aws/doctor/api-gateway-role.js';
import { ACCOUNT, accessDeniedMessage, apiGatewayError, mockedClients, REGION } from './doctor-harness.js';

const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/service/ApiGatewayLogs`;
const SET_IT = `aws apigateway update-account --region ${REGION} --patch-operations op=replace,path=/cloudwatchRoleArn,value=<ARN of a role that apigateway.amazonaws.com can assume, with the AmazonAPIGatewayPushToCloudWatchLogs policy>`;

let m: ReturnType<typeof mockedClients>;
beforeEach(() => {
  m = mockedClients();
});
const run = (deployCreatesRole = false) =>
  checkApiGatewayCloudWatchRole(
    { apigateway: m.clients.regional.apigateway, iam: m.clients.iam },
    REGION,
    deployCreatesRole,
  );

describe('checkApiGatewayCloudWatchRole', () => {
  it("is ok when the account's role is set and exists: the deploy uses it as is", async () => {
    m.apigateway.on(GetAccountCommand).resolves({ cloudwatchRoleArn: ROLE_ARN });
    m.iam.on(GetRoleCommand, { RoleName: 'ApiGatewayLogs' }).resolves({
      Role: {
        RoleName: 'ApiGatewayLogs',
        Arn: ROLE_ARN,
        Path: '/service/',
        RoleId: 'AROA',
        CreateDate: new Date(0),
      },
    });
    expect(await run()).toEqual({
      id: 'apigateway-cloudwatch-role',
      title: `API Gateway CloudWatch role (${REGION})`,
      verdict: 'ok',
      detail: `set to ${ROLE_ARN}; the deploy uses it and does not change it`,
    });
    expect(m.iam).toHaveReceivedCommandWith(GetRoleCommand, { RoleName: 'ApiGatewayLogs' });
  });

  it('fails when the account has no role and the deploy does not create one, with the command that sets it', async () => {
    m.apigateway.on(GetAccountCommand).resolves({ throttleSettings: { rateLimit: 10000, burstLimit: 5000 } });
    const result = await run();
    expect(result.verdict).toBe('fail');
    expect(result.detail).toBe('not set: the API stage (access logging on) fails to deploy without it');
    expect(result.fix?.startsWith(SET_IT)).toBe(true);
  });

  it('is ok without a role when the deploy creates it', async () => {
    m.apigateway.on(GetAccountCommand).resolves({});
    expect(await run(true)).toMatchObject({
      verdict: 'ok',
      detail: `not set; the deploy creates one and sets it (${CLOUDWATCH_ROLE_OPTION}=true)`,
    });
  });

  it("warns that the deploy would replace an account's existing role", async () => {
    m.apigateway.on(GetAccountCommand).resolves({ cloudwatchRoleArn: ROLE_ARN });
    const result = await run(true);
    expect(result.verdict).toBe('warn');
    expect(result.detail).toContain(`set to ${ROLE_ARN}; the deploy will replace it with its own role`);
    expect(result.fix).toBe(`deploy with -c ${CLOUDWATCH_ROLE_OPTION}=false to keep the account's role`);
  });

  it('fails when the role the account points at was deleted', async () => {
    m.apigateway.on(GetAccountCommand).resolves({ cloudwatchRoleArn: ROLE_ARN });
    m.iam.on(GetRoleCommand).rejects(
      new NoSuchEntityException({
        message: 'The role with name ApiGatewayLogs cannot be found.',
        $metadata: {},
      }),
    );
    const result = await run();
    expect(result.verdict).toBe('fail');
    expect(result.detail).toBe(
      `set to ${ROLE_ARN}, but that role no longer exists: logging stages fail to deploy`,
    );
    expect(result.fix?.startsWith(SET_IT)).toBe(true);
  });

  it('warns, naming apigateway:GET, when the account settings cannot be read', async () => {
    m.apigateway
      .on(GetAccountCommand)
      .rejects(apiGatewayError('AccessDeniedException', accessDeniedMessage('apigateway:GET')));
    const result = await run();
    expect(result).toMatchObject({
      verdict: 'warn',
      detail: `could not check: apigateway:GET on the account (/account) in ${REGION} was denied (AccessDeniedException)`,
    });
    expect(result.fix).toContain(`allow apigateway:GET on the account (/account) in ${REGION}`);
  });

  it('warns, naming iam:GetRole, when the role cannot be looked up', async () => {
    m.apigateway.on(GetAccountCommand).resolves({ cloudwatchRoleArn: ROLE_ARN });
    m.iam.on(GetRoleCommand).rejects(
      new IAMServiceException({
        name: 'AccessDenied',
        message: accessDeniedMessage('iam:GetRole'),
        $fault: 'client',
        $metadata: {},
      }),
    );
    const result = await run();
    expect(result.verdict).toBe('warn');
    expect(result.fix).toBe(`allow iam:GetRole on ${ROLE_ARN}, then run the doctor again`);
  });
});

describe('deployCreatesCloudWatchRole', () => {
  const known = (CONTEXT_OPTIONS as readonly string[]).includes(CLOUDWATCH_ROLE_OPTION);

  it('creates the role unless the option says false (the app knows the option)', () => {
    expect(known).toBe(true);
    expect(deployCreatesCloudWatchRole({ [CLOUDWATCH_ROLE_OPTION]: 'true' })).toBe(true);
    expect(deployCreatesCloudWatchRole({ [CLOUDWATCH_ROLE_OPTION]: true })).toBe(true);
    expect(deployCreatesCloudWatchRole({ [CLOUDWATCH_ROLE_OPTION]: 'false' })).toBe(false);
    expect(deployCreatesCloudWatchRole({ [CLOUDWATCH_ROLE_OPTION]: false })).toBe(false);
    expect(deployCreatesCloudWatchRole({})).toBe(true);
  });

  it('names the same option as the app, if the app has one for this role', () => {
    const roleOptions = (CONTEXT_OPTIONS as readonly string[]).filter((o) =>
      /cloud_?watch.*role|role.*cloud_?watch/i.test(o),
    );
    expect(roleOptions.every((o) => o === CLOUDWATCH_ROLE_OPTION)).toBe(true);
  });
});
