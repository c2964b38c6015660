/**
 * The API Lambda: api/handler.ts bundled by the local esbuild, with its own log group and a role
 * that only writes to that log group until grants add the table and the state machines.
 */
import { fileURLToPath } from 'node:url';
import { Duration, Validations } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, LoggingFormat, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { acknowledgeWildcardResources, TRACING_AND_LOG_DELIVERY } from './wildcard-acknowledgments.js';

export const API_HANDLER_ENTRY = fileURLToPath(new URL('../../api/handler.ts', import.meta.url));
export const API_SERVICE_NAME = 'live-streaming-api';

export interface ApiFunctionProps {
  /** Environment of api/handler.ts (table, machine ARNs, feature switches). */
  environment: Record<string, string>;
  logRetention: RetentionDays;
}

export class ApiFunction extends Construct {
  readonly fn: NodejsFunction;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: ApiFunctionProps) {
    super(scope, id);
    this.logGroup = new LogGroup(this, 'Logs', { retention: props.logRetention });
    // An explicit role: the default one carries the managed AWSLambdaBasicExecutionRole policy,
    // which may write to every log group of the account.
    const role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: 'Live-streaming API Lambda',
    });
    this.logGroup.grantWrite(role);

    this.fn = new NodejsFunction(this, 'Function', {
      entry: API_HANDLER_ENTRY,
      handler: 'handler',
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: 512,
      // API Gateway gives up on an integration after 29 s; running longer helps nobody.
      timeout: Duration.seconds(29),
      role,
      logGroup: this.logGroup,
      loggingFormat: LoggingFormat.JSON,
      tracing: Tracing.ACTIVE,
      environment: {
        POWERTOOLS_SERVICE_NAME: API_SERVICE_NAME,
        POWERTOOLS_LOG_LEVEL: 'INFO',
        ...props.environment,
      },
      bundling: {
        minify: true,
        sourceMap: false,
        target: 'node22',
        format: OutputFormat.ESM,
        // ESM builds of the SDK and Powertools tree-shake better than their CommonJS builds.
        mainFields: ['module', 'main'],
        // A CommonJS dependency inside an ESM bundle still calls require() for Node built-ins.
        banner:
          "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
        // Bundle the SDK too: the version we test is the version that runs, and cold starts do not
        // resolve the runtime's copy from disk.
        bundleAwsSDK: true,
        externalModules: [],
      },
    });

    acknowledgeWildcardResources(role, [TRACING_AND_LOG_DELIVERY]);
    Validations.of(this.fn).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'Node.js 22 is the runtime the project builds and tests for (esbuild target node22, CI on the same major); moving to a newer runtime is a deliberate upgrade.',
    });
  }
}
