/**
 * The REST API: one API Gateway method per entry of api/routes.ts ROUTES, all proxied to the API
 * Lambda, every one behind IAM (SigV4) or a Cognito user pool authorizer, but the routes that
 * answer links the API signed itself (`auth: 'signature'`: a clip's playlist). The Lambda validates
 * bodies itself (one schema per route, field-level 400s), so API Gateway request validation is off.
 */
import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import {
  AccessLogFormat,
  AuthorizationType,
  CognitoUserPoolsAuthorizer,
  Cors,
  EndpointType,
  LambdaIntegration,
  LogGroupLogDestination,
  Method,
  type MethodOptions,
  ResponseType,
  RestApi,
} from 'aws-cdk-lib/aws-apigateway';
import type { IUserPool } from 'aws-cdk-lib/aws-cognito';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ROUTES } from '../../api/routes.js';

/** Headers a browser console sends besides the CORS-safelisted ones. */
export const CORS_ALLOWED_HEADERS = [...Cors.DEFAULT_HEADERS, 'Idempotency-Key'] as const;

export interface StreamRestApiProps {
  handler: IFunction;
  /** A user pool to authorize with; without one every method requires IAM (SigV4). */
  userPool: IUserPool | null;
  /** Browser origin allowed by CORS; `null` answers no preflight. */
  consoleOrigin: string | null;
  throttle: { rateLimit: number; burstLimit: number };
  logRetention: RetentionDays;
  /**
   * Create the account's API Gateway CloudWatch role and set it (`AWS::ApiGateway::Account`),
   * retained when the stack goes: the stage logs need it, and other APIs of the account may too.
   */
  cloudWatchRole: boolean;
  /** @default 'v1' */
  stageName?: string;
}

export class StreamRestApi extends Construct {
  readonly api: RestApi;
  /** The methods made from ROUTES, keyed `METHOD path`. */
  readonly methods: ReadonlyMap<string, Method>;

  constructor(scope: Construct, id: string, props: StreamRestApiProps) {
    super(scope, id);
    const accessLogs = new LogGroup(this, 'AccessLogs', { retention: props.logRetention });

    this.api = new RestApi(this, 'Api', {
      description: 'Live-streaming workflow API',
      // Operators call it from a few places; an edge-optimized endpoint adds a CloudFront hop for nothing.
      endpointTypes: [EndpointType.REGIONAL],
      // The thumbnail route answers a JPEG: with a Lambda proxy integration, API Gateway turns the
      // function's base64 body into bytes only when the request's Accept names a binary media type
      // of the API ("Return binary media from a Lambda proxy integration", API Gateway guide).
      // Only image/jpeg: a wildcard would also hand JSON request bodies to the function as base64.
      binaryMediaTypes: ['image/jpeg'],
      // API Gateway refuses a stage with logging ("CloudWatch Logs role ARN must be set in account
      // settings") in a region where the account has no logging role: create it unless told not to.
      cloudWatchRole: props.cloudWatchRole,
      ...(props.cloudWatchRole ? { cloudWatchRoleRemovalPolicy: RemovalPolicy.RETAIN } : {}),
      deployOptions: {
        stageName: props.stageName ?? 'v1',
        accessLogDestination: new LogGroupLogDestination(accessLogs),
        accessLogFormat: AccessLogFormat.jsonWithStandardFields({
          caller: true,
          httpMethod: true,
          ip: true,
          protocol: true,
          requestTime: true,
          resourcePath: true,
          responseLength: true,
          status: true,
          user: true,
        }),
        throttlingRateLimit: props.throttle.rateLimit,
        throttlingBurstLimit: props.throttle.burstLimit,
        tracingEnabled: true,
      },
      ...(props.consoleOrigin
        ? {
            defaultCorsPreflightOptions: {
              allowOrigins: [props.consoleOrigin],
              allowMethods: ['GET', 'POST', 'DELETE', 'OPTIONS'],
              allowHeaders: [...CORS_ALLOWED_HEADERS],
            },
          }
        : {}),
    });
    if (props.cloudWatchRole) {
      Validations.of(this.api).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
        reason:
          "The account's API Gateway logging role (one per account and region, used by every REST API there) carries AWS's own policy for it, as API Gateway's documentation sets it up.",
      });
    }

    if (props.consoleOrigin) {
      // Answers API Gateway gives itself (403 from IAM, 429 from throttling) must carry the CORS
      // header too, or the browser hides them from the console.
      const responseHeaders = { 'Access-Control-Allow-Origin': `'${props.consoleOrigin}'`, Vary: "'Origin'" };
      this.api.addGatewayResponse('Default4xx', { type: ResponseType.DEFAULT_4XX, responseHeaders });
      this.api.addGatewayResponse('Default5xx', { type: ResponseType.DEFAULT_5XX, responseHeaders });
    }

    const methodOptions: MethodOptions = props.userPool
      ? {
          authorizationType: AuthorizationType.COGNITO,
          authorizer: new CognitoUserPoolsAuthorizer(this, 'Authorizer', {
            cognitoUserPools: [props.userPool],
            identitySource: 'method.request.header.Authorization',
          }),
        }
      : { authorizationType: AuthorizationType.IAM };

    // One integration, one permission for the whole API: a permission per method would put two
    // dozen statements in the function's resource policy.
    const integration = new LambdaIntegration(props.handler, { scopePermissionToMethod: false });
    const methods = new Map<string, Method>();
    for (const route of ROUTES) {
      const resource = this.api.root.resourceForPath(route.path);
      const signed = route.auth === 'signature';
      const method = resource.addMethod(route.method, integration, {
        // A signed link is played by players that send no credentials: the API checks its signature.
        ...(signed ? { authorizationType: AuthorizationType.NONE } : methodOptions),
        operationName: route.operationId,
      });
      methods.set(`${route.method} ${route.path}`, method);
      if (signed) {
        const reason =
          "The clip's playlist link is played by hls.js, Safari and VLC, which send no credentials: the Lambda answers only a request carrying an expiry and an HMAC-SHA256 signature it made itself with the clip's secret (403 otherwise), and its segments are presigned S3 URLs.";
        Validations.of(method).acknowledge({ id: 'AwsSolutions-APIG4', reason });
        Validations.of(method).acknowledge({ id: 'AwsSolutions-COG4', reason });
        continue;
      }
      if (!props.userPool) {
        Validations.of(method).acknowledge({
          id: 'AwsSolutions-COG4',
          reason:
            'The method requires IAM (SigV4) authorization; a Cognito authorizer is the auth=cognito option.',
        });
      }
    }
    this.methods = methods;

    this.suppressPreflightFindings();
    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-APIG2',
      reason:
        'The Lambda validates every request with one schema per route and answers 400 naming the field and the reason; API Gateway validation would answer differently for the same mistakes.',
    });
    Validations.of(this.api.deploymentStage).acknowledge({
      id: 'AwsSolutions-APIG3',
      reason:
        'Every method needs IAM or Cognito auth and the stage is throttled; WAF (billed per web ACL and request) can be attached by the operator.',
    });
    Validations.of(this.api.deploymentStage).acknowledge({
      id: 'AwsSolutions-APIG6',
      reason:
        'Execution logging needs the account-wide API Gateway CloudWatch role, which this app must not overwrite; access logs and the Lambda logs record every request.',
    });
  }

  /** CORS preflights are OPTIONS requests browsers send without credentials: they cannot need auth. */
  private suppressPreflightFindings(): void {
    for (const child of this.api.root.node.findAll()) {
      if (!(child instanceof Method) || child.httpMethod !== 'OPTIONS') continue;
      const reason =
        'CORS preflight: browsers send OPTIONS without credentials (Fetch standard); it is a MOCK integration that reaches no backend.';
      Validations.of(child).acknowledge({ id: 'AwsSolutions-APIG4', reason });
      Validations.of(child).acknowledge({ id: 'AwsSolutions-COG4', reason });
    }
  }
}
