/**
 * The CDK app (`cdk.json` runs it with tsx). `npx cdk synth` must work offline without AWS
 * credentials: when the CLI found none, account and region fall back to placeholders, and nothing
 * in the app looks anything up.
 */
import { App } from 'aws-cdk-lib';
import { ConfigError, readDeploymentConfig } from './config.js';
import { buildDeployment } from './deployment.js';
import { streamWorkflows } from './workflow-machines.js';

const PLACEHOLDER_ACCOUNT = '123456789012';
const PLACEHOLDER_REGION = 'us-east-1';

const app = new App();
try {
  const config = readDeploymentConfig((name) => app.node.tryGetContext(name));
  buildDeployment(app, {
    config,
    env: {
      account: process.env.CDK_DEFAULT_ACCOUNT ?? PLACEHOLDER_ACCOUNT,
      region: process.env.CDK_DEFAULT_REGION ?? PLACEHOLDER_REGION,
    },
    workflows: streamWorkflows,
  });
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  // A bad option is the user's to fix: the message, not a stack trace.
  console.error(error.message);
  process.exit(1);
}
app.synth();
