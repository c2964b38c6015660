/**
 * A task Lambda with the project's defaults (Node 22, arm64, minified bundle with the SDK inside,
 * tracing, log retention). The task name is kept as metadata so local mode can run the same
 * module in-process for the function's ARN.
 */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

export const TASK_METADATA_KEY = 'live:task';
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface TaskFunctionProps {
  /** File name in tasks/ without extension, e.g. `create-channel`. */
  task: string;
  environment: Record<string, string>;
  logRetention: RetentionDays;
  /** @default 60 seconds: the wait tasks poll for 20 s per invocation. */
  timeout?: Duration;
}

export class TaskFunction extends Construct {
  readonly fn: NodejsFunction;

  constructor(scope: Construct, id: string, props: TaskFunctionProps) {
    super(scope, id);
    const logGroup = new LogGroup(this, 'Logs', { retention: props.logRetention });
    // An explicit role: the default one carries the managed AWSLambdaBasicExecutionRole policy,
    // which may write to every log group of the account. Grants add the task's own needs.
    const role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Live-streaming task ${props.task}`,
    });
    logGroup.grantWrite(role);
    this.fn = new NodejsFunction(this, 'Function', {
      role,
      entry: path.join(ROOT, 'tasks', `${props.task}.ts`),
      handler: 'handler',
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: 256,
      timeout: props.timeout ?? Duration.seconds(60),
      tracing: Tracing.ACTIVE,
      environment: { POWERTOOLS_SERVICE_NAME: 'live-streaming-tasks', ...props.environment },
      logGroup,
      bundling: {
        minify: true,
        sourceMap: false,
        format: OutputFormat.CJS,
        target: 'node22',
        // Bundle the SDK: the version we test is the version that runs.
        externalModules: [],
      },
    });
    (this.fn.node.defaultChild as CfnFunction).addMetadata(TASK_METADATA_KEY, props.task);
  }
}
