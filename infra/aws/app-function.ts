/**
 * One Lambda function of the app, built from its entry in the function registry (infra/functions.ts):
 * the bundle of infra/bundling (the very file the tests and local mode run), Node 22 on arm64,
 * tracing, JSON logs in a log group of its own, and a role of its own. `bind` adds the registry's
 * environment variables and IAM statements once the deployment's resources exist (the state
 * machines need the functions first, and some functions need the machines' ARNs).
 */
import { Duration, Validations } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import {
  Architecture,
  type CfnFunction,
  Code,
  Function as LambdaFunction,
  LoggingFormat,
  Runtime,
  Tracing,
} from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { BUNDLE_HANDLER, bundleAllSync } from '../bundling/bundle.js';
import {
  type EnvironmentValues,
  FUNCTIONS,
  type FunctionName,
  type ResourceName,
  resolveEnvironment,
  resolvePermissions,
} from '../functions.js';

export const FUNCTION_METADATA_KEY = 'live:function';

export interface AppFunctionProps {
  name: FunctionName;
  logRetention: RetentionDays;
}

export class AppFunction extends Construct {
  readonly name: FunctionName;
  readonly fn: LambdaFunction;
  readonly role: Role;

  constructor(scope: Construct, id: string, props: AppFunctionProps) {
    super(scope, id);
    this.name = props.name;
    const spec = FUNCTIONS[props.name];
    const logGroup = new LogGroup(this, 'Logs', { retention: props.logRetention });
    // An explicit role: the default one carries the managed AWSLambdaBasicExecutionRole policy,
    // which may write to every log group of the account.
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Live streaming: ${spec.description}`.slice(0, 1000),
    });
    logGroup.grantWrite(this.role);
    this.fn = new LambdaFunction(this, 'Function', {
      // The folder of the function's own bundle (infra/bundling), hashed by its content: what the
      // tests and local mode run is, byte for byte, what Lambda runs.
      code: Code.fromAsset(bundleAllSync()[props.name].dir),
      handler: BUNDLE_HANDLER,
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: 'memorySize' in spec ? spec.memorySize : 256,
      timeout: Duration.seconds('timeoutSeconds' in spec ? spec.timeoutSeconds : 60),
      role: this.role,
      logGroup,
      loggingFormat: LoggingFormat.JSON,
      tracing: Tracing.ACTIVE,
      description: spec.description.slice(0, 256),
      environment: { POWERTOOLS_SERVICE_NAME: spec.service },
    });
    // Names the function in the template (the IAM conformance test finds each function's role by it).
    (this.fn.node.defaultChild as CfnFunction).addMetadata(FUNCTION_METADATA_KEY, props.name);
    Validations.of(this.fn).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'Node.js 22 is the runtime the project builds and tests for (esbuild target node22); moving to a newer runtime is a deliberate upgrade.',
    });
  }

  /** The registry's environment variables and IAM statements, with the deployment's values and ARNs. */
  bind(
    values: EnvironmentValues,
    arns: Readonly<Partial<Record<ResourceName, string | readonly string[]>>>,
  ): void {
    const spec = FUNCTIONS[this.name];
    for (const [key, value] of Object.entries(resolveEnvironment(spec, values)))
      this.fn.addEnvironment(key, value);
    for (const statement of resolvePermissions(spec, arns)) {
      this.role.addToPolicy(
        new PolicyStatement({
          actions: statement.actions,
          resources: statement.resources,
          ...(statement.conditions ? { conditions: statement.conditions } : {}),
        }),
      );
    }
  }
}
