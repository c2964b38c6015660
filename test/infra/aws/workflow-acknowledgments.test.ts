import { Stack } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { describe, expect, it } from 'vitest';
import type { StreamWorkflowsProps } from '../../../infra/aws/stream-workflows.js';
import { acknowledgeWorkflowFindings } from '../../../infra/aws/workflow-acknowledgments.js';
import { deploy, nagFindings } from './deployment-fixture.js';

/** Grants shaped like the lifecycle workflows' (MediaLive role, task roles), under one construct. */
function workflowLikeGrants(grant: (role: Role, props: StreamWorkflowsProps) => void) {
  return (scope: Construct, props: StreamWorkflowsProps) => {
    const root = new Construct(scope, 'WorkflowLike');
    const role = new Role(root, 'Role', { assumedBy: new ServicePrincipal('medialive.amazonaws.com') });
    grant(role, props);
    acknowledgeWorkflowFindings(root, props);
  };
}

const mediaGrants = (role: Role, props: StreamWorkflowsProps) => {
  const { region, account } = Stack.of(role);
  role.addToPolicy(
    new PolicyStatement({
      actions: ['medialive:CreateChannel'],
      resources: [`arn:aws:medialive:${region}:${account}:channel:*`],
    }),
  );
  role.addToPolicy(
    new PolicyStatement({
      actions: ['mediapackage:CreateChannel'],
      resources: [`arn:aws:mediapackage:${region}:${account}:channels/*`],
    }),
  );
  role.addToPolicy(
    new PolicyStatement({
      actions: ['logs:PutLogEvents'],
      resources: [`arn:aws:logs:${region}:${account}:log-group:ElementalMediaLive*`],
    }),
  );
  role.addToPolicy(
    new PolicyStatement({
      actions: ['s3:PutObject', 's3:GetObject'],
      resources: [props.archiveBucket.arnForObjects('*')],
    }),
  );
};

describe('acknowledgeWorkflowFindings', () => {
  it('acknowledges MediaLive, MediaPackage, MediaLive log and archive object wildcards', () => {
    const { app } = deploy({}, { decorate: workflowLikeGrants(mediaGrants) });
    expect(nagFindings(app)).toEqual([]);
  });

  it('recognizes an imported archive bucket by its name', () => {
    const { app } = deploy(
      { archive_bucket_name: 'my-live-archive' },
      { decorate: workflowLikeGrants(mediaGrants) },
    );
    expect(nagFindings(app)).toEqual([]);
  });

  it('leaves wildcard actions on the archive, such as those of grantRead', () => {
    const { app } = deploy(
      {},
      { decorate: workflowLikeGrants((role, props) => props.archiveBucket.grantRead(role)) },
    );
    const findings = nagFindings(app);
    expect(findings).toContainEqual(
      expect.stringMatching(/^error AwsSolutions-IAM5\[Action::s3:GetObject\*\]/),
    );
    expect(findings).toContainEqual(
      expect.stringMatching(/^error AwsSolutions-IAM5\[Resource::.*ArchiveBucket.*\/\*\]/),
    );
  });

  it('leaves objects of another bucket', () => {
    const other = (role: Role) =>
      role.addToPolicy(
        new PolicyStatement({ actions: ['s3:PutObject'], resources: ['arn:aws:s3:::somebody-else/*'] }),
      );
    const { app } = deploy(
      { archive_bucket_name: 'my-live-archive' },
      { decorate: workflowLikeGrants(other) },
    );
    expect(nagFindings(app)).toEqual([
      'error AwsSolutions-IAM5[Resource::arn:aws:s3:::somebody-else/*] LiveStreaming-Stateless/WorkflowLike/Role/DefaultPolicy/Resource',
    ]);
  });
});
