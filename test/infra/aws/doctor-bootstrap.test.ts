import { DescribeStacksCommand, type Stack } from '@aws-sdk/client-cloudformation';
import {
  AccessDeniedException,
  GetParameterCommand,
  ParameterNotFound,
  ThrottlingException,
} from '@aws-sdk/client-ssm';
import { Template } from 'aws-cdk-lib/assertions';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  type BootstrapTarget,
  checkBootstrap,
  REQUIRED_BOOTSTRAP_VERSION,
} from '../../../infra/aws/doctor/bootstrap.js';
import { deploy } from './deployment-fixture.js';
import {
  ACCOUNT,
  accessDeniedMessage,
  cloudFormationError,
  mockedClients,
  REGION,
} from './doctor-harness.js';

const target: BootstrapTarget = {
  account: ACCOUNT,
  region: REGION,
  toolkitStackName: 'CDKToolkit',
  qualifier: 'hnb659fds',
};
const check = { id: 'bootstrap', title: `CDK bootstrap (${REGION})` };
const FIX = `npx cdk bootstrap aws://${ACCOUNT}/${REGION}`;

let m: ReturnType<typeof mockedClients>;
beforeEach(() => {
  m = mockedClients();
});
const run = () => checkBootstrap(m.clients.regional, target, check);

function toolkit(status: string, version?: number): Stack {
  return {
    StackName: 'CDKToolkit',
    StackStatus: status,
    CreationTime: new Date(0),
    Outputs: version === undefined ? [] : [{ OutputKey: 'BootstrapVersion', OutputValue: String(version) }],
  } as Stack;
}
const missingStack = () => cloudFormationError('ValidationError', 'Stack with id CDKToolkit does not exist');
const denied = (action: string) => cloudFormationError('AccessDenied', accessDeniedMessage(action));
const ssmDenied = () =>
  new AccessDeniedException({
    message: accessDeniedMessage('ssm:GetParameter'),
    Message: accessDeniedMessage('ssm:GetParameter'),
    $metadata: {},
  });

describe('the bootstrap version the app needs', () => {
  it('is the one every synthesized template of the app checks in its CheckBootstrapVersion rule', () => {
    const fixture = deploy();
    for (const stack of [fixture.stateful, fixture.stateless]) {
      const rule = Template.fromStack(stack).toJSON().Rules.CheckBootstrapVersion;
      const refused = rule.Assertions[0].Assert['Fn::Not'][0]['Fn::Contains'][0] as string[];
      const required = Math.max(...refused.map(Number)) + 1;
      expect(required).toBe(REQUIRED_BOOTSTRAP_VERSION);
      expect(rule.Assertions[0].AssertDescription).toContain(
        `version ${REQUIRED_BOOTSTRAP_VERSION} required`,
      );
    }
  });
});

describe('checkBootstrap', () => {
  it('is ok with a complete CDKToolkit stack and a recent version', async () => {
    m.cloudformation.on(DescribeStacksCommand, { StackName: 'CDKToolkit' }).resolves({
      Stacks: [toolkit('UPDATE_COMPLETE', 30)],
    });
    m.ssm.on(GetParameterCommand, { Name: '/cdk-bootstrap/hnb659fds/version' }).resolves({
      Parameter: { Value: '30' },
    });
    const result = await run();
    expect(result).toMatchObject({ id: 'bootstrap', verdict: 'ok' });
    expect(result.detail).toBe(
      'CDKToolkit UPDATE_COMPLETE, version 30 from /cdk-bootstrap/hnb659fds/version (6+ needed)',
    );
  });

  it('fails with the bootstrap command when the region was never bootstrapped', async () => {
    m.cloudformation.on(DescribeStacksCommand).rejects(missingStack());
    m.ssm.on(GetParameterCommand).rejects(new ParameterNotFound({ message: 'not found', $metadata: {} }));
    const result = await run();
    expect(result).toMatchObject({ verdict: 'fail', fix: FIX });
    expect(result.detail).toBe(
      `not bootstrapped: no CDKToolkit stack and no /cdk-bootstrap/hnb659fds/version in ${REGION}`,
    );
  });

  it('fails when the bootstrap is older than the templates need, and says the command upgrades it', async () => {
    m.cloudformation.on(DescribeStacksCommand).resolves({ Stacks: [toolkit('CREATE_COMPLETE', 4)] });
    m.ssm.on(GetParameterCommand).resolves({ Parameter: { Value: '4' } });
    const result = await run();
    expect(result.verdict).toBe('fail');
    expect(result.detail).toBe("bootstrap version 4; this app's templates need 6 or later");
    expect(result.fix).toBe(`${FIX} (upgrades the bootstrap in place)`);
  });

  it('fails on a toolkit stack that CloudFormation cannot update, with the way out of that state', async () => {
    m.cloudformation.on(DescribeStacksCommand).resolves({ Stacks: [toolkit('ROLLBACK_COMPLETE')] });
    m.ssm.on(GetParameterCommand).rejects(new ParameterNotFound({ message: 'not found', $metadata: {} }));
    const result = await run();
    expect(result.verdict).toBe('fail');
    expect(result.detail).toBe('CDKToolkit is ROLLBACK_COMPLETE: cdk bootstrap cannot update it');
    expect(result.fix).toBe(
      `aws cloudformation delete-stack --stack-name CDKToolkit --region ${REGION}, then ${FIX}`,
    );

    m.cloudformation.on(DescribeStacksCommand).resolves({ Stacks: [toolkit('UPDATE_ROLLBACK_FAILED', 28)] });
    expect((await run()).fix).toBe(
      `aws cloudformation continue-update-rollback --stack-name CDKToolkit --region ${REGION}, then ${FIX}`,
    );
  });

  it('warns while the toolkit stack is being updated', async () => {
    m.cloudformation.on(DescribeStacksCommand).resolves({ Stacks: [toolkit('UPDATE_IN_PROGRESS', 28)] });
    m.ssm.on(GetParameterCommand).resolves({ Parameter: { Value: '28' } });
    expect(await run()).toMatchObject({ verdict: 'warn', detail: 'CDKToolkit is UPDATE_IN_PROGRESS' });
  });

  it('fails when the stack exists but the version parameter of the qualifier does not', async () => {
    m.cloudformation.on(DescribeStacksCommand).resolves({ Stacks: [toolkit('CREATE_COMPLETE', 28)] });
    m.ssm.on(GetParameterCommand).rejects(new ParameterNotFound({ message: 'not found', $metadata: {} }));
    const result = await run();
    expect(result).toMatchObject({ verdict: 'fail', fix: FIX });
    expect(result.detail).toContain('bootstrapped with another qualifier?');
  });

  it('warns when the region was bootstrapped under another toolkit stack name', async () => {
    m.cloudformation.on(DescribeStacksCommand).rejects(missingStack());
    m.ssm.on(GetParameterCommand).resolves({ Parameter: { Value: '28' } });
    const result = await run();
    expect(result.verdict).toBe('warn');
    expect(result.fix).toContain('"toolkitStackName" in cdk.json');
  });

  it('reads the version from the stack output when ssm:GetParameter is denied', async () => {
    m.cloudformation.on(DescribeStacksCommand).resolves({ Stacks: [toolkit('CREATE_COMPLETE', 28)] });
    m.ssm.on(GetParameterCommand).rejects(ssmDenied());
    const result = await run();
    expect(result.verdict).toBe('ok');
    expect(result.detail).toContain('version 28 from the CDKToolkit output (ssm:GetParameter denied)');
  });

  it('warns, naming both permissions, when both reads are denied', async () => {
    m.cloudformation.on(DescribeStacksCommand).rejects(denied('cloudformation:DescribeStacks'));
    m.ssm.on(GetParameterCommand).rejects(ssmDenied());
    const result = await run();
    expect(result.verdict).toBe('warn');
    expect(result.fix).toBe(
      'allow cloudformation:DescribeStacks on CDKToolkit and ssm:GetParameter on /cdk-bootstrap/hnb659fds/version, then run the doctor again',
    );
  });

  it('still judges the version when only cloudformation:DescribeStacks is denied', async () => {
    m.cloudformation.on(DescribeStacksCommand).rejects(denied('cloudformation:DescribeStacks'));
    m.ssm.on(GetParameterCommand).resolves({ Parameter: { Value: '3' } });
    expect((await run()).verdict).toBe('fail');
    m.ssm.on(GetParameterCommand).resolves({ Parameter: { Value: '28' } });
    const result = await run();
    expect(result.verdict).toBe('ok');
    expect(result.detail).toContain('CDKToolkit (status not read), version 28');
  });

  it('reads the parameter of a custom qualifier and the stack of a custom toolkit name', async () => {
    m.cloudformation.on(DescribeStacksCommand, { StackName: 'MyToolkit' }).resolves({
      Stacks: [toolkit('CREATE_COMPLETE', 28)],
    });
    m.ssm.on(GetParameterCommand, { Name: '/cdk-bootstrap/custom123/version' }).resolves({
      Parameter: { Value: '28' },
    });
    const result = await checkBootstrap(
      m.clients.regional,
      { ...target, toolkitStackName: 'MyToolkit', qualifier: 'custom123' },
      check,
    );
    expect(result.verdict).toBe('ok');
    expect(m.ssm).toHaveReceivedCommandWith(GetParameterCommand, {
      Name: '/cdk-bootstrap/custom123/version',
    });
  });

  it('warns that the check could not run when a read fails for another reason', async () => {
    m.cloudformation.on(DescribeStacksCommand).resolves({ Stacks: [toolkit('CREATE_COMPLETE', 28)] });
    m.ssm
      .on(GetParameterCommand)
      .rejects(
        new ThrottlingException({ message: 'Rate exceeded', Message: 'Rate exceeded', $metadata: {} }),
      );
    const result = await run();
    expect(result.verdict).toBe('warn');
    expect(result.detail).toBe(
      'could not check: ssm:GetParameter failed (ThrottlingException: Rate exceeded)',
    );
  });
});
