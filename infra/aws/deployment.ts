/**
 * Builds the whole deployment into an app: the stateful stack, the stateless stack, and, when a
 * certificate for the live domain must be created outside us-east-1, a certificate stack in
 * us-east-1. cdk-nag's AwsSolutions checks run on all of it.
 */
import { Annotations, type App, type Environment, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { DeploymentConfig } from './config.js';
import { unknownContextOptions } from './config.js';
import { LiveCertificateStack } from './live-certificate-stack.js';
import { StatefulStack } from './stateful-stack.js';
import { StatelessStack } from './stateless-stack.js';
import { WildcardAcknowledgments } from './wildcard-acknowledgments.js';
import type { WorkflowsFactory } from './workflow-machines.js';

export interface DeploymentOptions {
  config: DeploymentConfig;
  /** Account and region: concrete values (the certificate placement depends on the region). */
  env: Required<Pick<Environment, 'account' | 'region'>>;
  /** @default streamWorkflows */
  workflows?: WorkflowsFactory;
}

export interface Deployment {
  stateful: StatefulStack;
  stateless: StatelessStack;
  /** Present when the live certificate is created and the deployment is not in us-east-1. */
  certificate?: LiveCertificateStack;
}

export const CERTIFICATE_REGION = 'us-east-1';

export function buildDeployment(app: App, options: DeploymentOptions): Deployment {
  const { config, env } = options;
  const prefix = config.stackPrefix;
  const cdn = config.liveCdn;

  const createsCertificate = cdn !== null && cdn.domainName !== null && cdn.certificateArn === null;
  const certificate =
    createsCertificate && env.region !== CERTIFICATE_REGION
      ? new LiveCertificateStack(app, `${prefix}-LiveCertificate`, {
          env: { account: env.account, region: CERTIFICATE_REGION },
          description: 'Live streaming: certificate of the live domain (CloudFront needs it in us-east-1)',
          cdn,
        })
      : undefined;

  const stateful = new StatefulStack(app, `${prefix}-Stateful`, {
    env,
    description: 'Live streaming: stream table, archive, input security group, users, live distribution',
    config,
    terminationProtection: config.deletionProtection,
    ...(certificate ? { liveCertificate: certificate.certificate, crossRegionReferences: true } : {}),
  });
  const stateless = new StatelessStack(app, `${prefix}-Stateless`, {
    env,
    description: 'Live streaming: API, lifecycle state machines and their task Lambdas',
    config,
    stateful,
    ...(options.workflows ? { workflows: options.workflows } : {}),
  });

  const unknown = unknownContextOptions(Object.keys(contextOf(app)));
  for (const key of unknown) {
    Annotations.of(stateful).addWarningV2(
      `live-streaming:unknown-context-${key}`,
      `Context option "${key}" is not an option of this app and is ignored (see infra/aws/config.ts).`,
    );
  }

  // cdk-nag 3 is a CDK policy-validation plugin: an unacknowledged error fails the synth. Plugins
  // run in order: the wildcard acknowledgments must be in place before AwsSolutionsChecks looks.
  Validations.of(app).addPlugins(
    new WildcardAcknowledgments(),
    new AwsSolutionsChecks(app, { verbose: true }),
  );
  return { stateful, stateless, ...(certificate ? { certificate } : {}) };
}

/** Every context value set on the app (cdk.json, -c, the App's own context). */
function contextOf(app: App): Record<string, unknown> {
  return app.node.getAllContext() as Record<string, unknown>;
}
