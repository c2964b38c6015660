/**
 * The web console on AWS (with `auth=cognito`): the built console (`dist/console`) in a private
 * bucket behind CloudFront with Origin Access Control, security headers on every answer, a
 * `console-config.json` generated next to it, and the user pool's Hosted UI with an app client for
 * the OAuth authorization code flow with PKCE (callback = the console's URL).
 *
 * Why the Hosted UI with PKCE rather than SRP in the browser: the password, the MFA code and the
 * TOTP enrolment never touch our code, the browser holds no client secret (PKCE binds the code to
 * the tab that asked for it), and Cognito already implements every challenge the pool can answer
 * with (new password, TOTP setup, MFA): an SRP client would have to reimplement them all.
 *
 * Two-step construction: the API's CORS needs the console's origin before the API exists, and the
 * console needs the API's URL; `connectApi()` adds what depends on the API (the runtime config and
 * the API origin in the CSP). CloudFormation sees no cycle: the API only reads the distribution's
 * domain, and the deployment of the files reads the API's id.
 */
import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, Lazy, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import { S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import {
  type IUserPool,
  OAuthScope,
  UserPoolClient,
  UserPoolClientIdentityProvider,
  UserPoolDomain,
} from 'aws-cdk-lib/aws-cognito';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { BlockPublicAccess, Bucket, BucketEncryption, type CfnBucket } from 'aws-cdk-lib/aws-s3';
import { Asset } from 'aws-cdk-lib/aws-s3-assets';
import { BucketDeployment, CacheControl, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { ConfigError, type ContextReader } from './config.js';
import { acknowledgeWildcardResources } from './wildcard-acknowledgments.js';

/** Where `npm run build:console` writes the console (console/vite.config.ts). */
export const DEFAULT_CONSOLE_ASSETS_DIR = fileURLToPath(new URL('../../dist/console', import.meta.url));
export const CONSOLE_CONFIG_KEY = 'console-config.json';
/** Scopes the console asks for: the ID token is what the API's Cognito authorizer checks. */
export const CONSOLE_OAUTH_SCOPES = ['openid', 'email'] as const;

/** What the console reads from `/console-config.json` on AWS (console/src/console-config.ts). */
export interface ConsoleRuntimeConfig {
  apiBaseUrl: string;
  auth: 'cognito';
  mode: 'aws';
  cognito: {
    region: string;
    userPoolId: string;
    clientId: string;
    /** Base URL of the Hosted UI (`https://<prefix>.auth.<region>.amazoncognito.com`). */
    domain: string;
    scopes: string[];
  };
}

export interface ConsoleSiteOptions {
  /** Context `cognito_domain_prefix`; `null` derives one from the stack. */
  domainPrefix: string | null;
  /** Context `console_assets_dir`; `null` is dist/console. */
  assetsDir: string | null;
}

// Cognito refuses these words in a domain prefix (CreateUserPoolDomain).
const RESERVED_PREFIX_WORDS = /aws|amazon|cognito/;
const DOMAIN_PREFIX = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** Reads and checks the console's context options; throws a ConfigError listing every problem. */
export function readConsoleSiteOptions(read: ContextReader, cognito: boolean): ConsoleSiteOptions {
  const problems: string[] = [];
  const value = (name: string): unknown => {
    const v = read(name);
    return v === undefined || v === null || v === '' ? null : v;
  };
  let domainPrefix: string | null = null;
  const prefix = value('cognito_domain_prefix');
  if (prefix !== null) {
    if (typeof prefix !== 'string' || !DOMAIN_PREFIX.test(prefix) || RESERVED_PREFIX_WORDS.test(prefix)) {
      problems.push(
        `cognito_domain_prefix: ${JSON.stringify(prefix)} is not a Cognito domain prefix (1-63 lowercase letters, digits and hyphens, not starting or ending with a hyphen, without "aws", "amazon" or "cognito")`,
      );
    } else domainPrefix = prefix;
    if (!cognito) problems.push('cognito_domain_prefix is set but auth is not "cognito"');
  }
  let assetsDir: string | null = null;
  const dir = value('console_assets_dir');
  if (dir !== null) {
    if (typeof dir !== 'string') problems.push(`console_assets_dir: ${JSON.stringify(dir)} is not a path`);
    else assetsDir = resolve(dir);
    if (!cognito) problems.push('console_assets_dir is set but auth is not "cognito"');
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return { domainPrefix, assetsDir };
}

/**
 * A domain prefix unique to the deployment: the stack prefix plus a hash of account, region and
 * stack name (the prefix is global per region; the account id stays out of a public URL).
 */
export function defaultDomainPrefix(
  stackPrefix: string,
  account: string,
  region: string,
  stackName: string,
): string {
  const base = stackPrefix
    .toLowerCase()
    .replace(new RegExp(RESERVED_PREFIX_WORDS.source, 'g'), '')
    .replace(/[^a-z0-9-]/g, '')
    .replace(/-+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 40);
  const hash = createHash('sha256').update(`${account}/${region}/${stackName}`).digest('hex').slice(0, 10);
  return base ? `${base}-console-${hash}` : `console-${hash}`;
}

export interface ConsoleSiteProps {
  userPool: IUserPool;
  /** The Hosted UI's domain prefix (`<prefix>.auth.<region>.amazoncognito.com`). */
  domainPrefix: string;
  /** The built console; must hold index.html (`npm run build:console`). */
  assetsDir: string;
  /**
   * An origin the console is also served from (context `console_origin`): added to the callback URLs.
   * @default null
   */
  extraOrigin?: string | null;
  /**
   * Host of the live CloudFront distribution, allowed as a media origin in the CSP.
   * @default none
   */
  liveDomainName?: string;
  /**
   * The archive bucket's regional domain: clips play from presigned URLs of its objects.
   * @default none (clips do not play in the console)
   */
  archiveDomainName?: string;
  logRetention: RetentionDays;
}

export interface ConsoleApi {
  /** The stage's base URL (`https://<id>.execute-api.<region>.amazonaws.com/v1/`). */
  url: string;
  /** The API's origin (`https://<id>.execute-api.<region>.amazonaws.com`), for the CSP. */
  origin: string;
}

export class ConsoleSite extends Construct {
  readonly bucket: Bucket;
  readonly distribution: cloudfront.Distribution;
  readonly headers: cloudfront.ResponseHeadersPolicy;
  readonly domain: UserPoolDomain;
  readonly client: UserPoolClient;
  /** `https://<distribution domain>`: the console's origin, for CORS and the callback URL. */
  readonly origin: string;
  /** Set by connectApi(). */
  runtimeConfig?: ConsoleRuntimeConfig;
  deployment?: BucketDeployment;

  private api?: ConsoleApi;
  private readonly props: ConsoleSiteProps;

  constructor(scope: Construct, id: string, props: ConsoleSiteProps) {
    super(scope, id);
    this.props = props;
    requireBuiltConsole(props.assetsDir);
    const stack = Stack.of(this);

    this.bucket = new Bucket(this, 'Bucket', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      // A build artefact: `npm run build:console` recreates it, nothing is lost with the stack.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'Holds the built console only; viewers read it through CloudFront (Origin Access Control), the deployment writes it. Server access logs would go to the stateful log bucket, whose policy would then reference this stack (a cross-stack cycle).',
    });

    this.domain = new UserPoolDomain(this, 'HostedUiDomain', {
      userPool: props.userPool,
      cognitoDomain: { domainPrefix: props.domainPrefix },
    });

    this.headers = new cloudfront.ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'Web console: HSTS, CSP (self, the API, the Hosted UI, media origins), no framing',
      securityHeadersBehavior: {
        strictTransportSecurity: {
          accessControlMaxAge: Duration.days(730),
          includeSubdomains: true,
          override: true,
        },
        contentSecurityPolicy: {
          contentSecurityPolicy: Lazy.string({ produce: () => this.contentSecurityPolicy() }),
          override: true,
        },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        // The authorization code arrives in the URL: no Referer may carry it elsewhere.
        referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.NO_REFERRER, override: true },
      },
    });

    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: `Web console (${stack.stackName})`,
      defaultRootObject: 'index.html',
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: this.headers,
      },
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      enableIpv6: true,
    });
    this.origin = `https://${this.distribution.distributionDomainName}`;
    const acknowledgments = [
      {
        id: 'AwsSolutions-CFR1',
        reason: 'Operators run events from anywhere; sign-in to the API is what protects it, not geography.',
      },
      {
        id: 'AwsSolutions-CFR2',
        reason:
          'The distribution serves static build files with GET/HEAD; every action goes to the API, which needs a Cognito token. WAF (billed per web ACL and request) can be attached by the operator.',
      },
      {
        id: 'AwsSolutions-CFR3',
        reason:
          'The distribution serves public build files only; what operators do goes through the API, whose access logs record caller and request. Standard logs would need an ACL-enabled bucket for a few static files.',
      },
      {
        id: 'AwsSolutions-CFR4',
        reason:
          "The console is served from the distribution's *.cloudfront.net name, whose certificate and minimum TLS version CloudFront fixes; a custom domain is the console_origin option.",
      },
    ];
    for (const acknowledgment of acknowledgments)
      Validations.of(this.distribution).acknowledge(acknowledgment);

    const urls = [`${this.origin}/`, ...(props.extraOrigin ? [`${props.extraOrigin}/`] : [])];
    this.client = new UserPoolClient(this, 'Client', {
      userPool: props.userPool,
      userPoolClientName: 'web-console',
      // A browser cannot keep a secret; PKCE protects the code instead.
      generateSecret: false,
      // Sign-in only through the Hosted UI: no password flow reaches this client directly.
      authFlows: {
        user: false,
        userPassword: false,
        userSrp: false,
        custom: false,
        adminUserPassword: false,
      },
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [OAuthScope.OPENID, OAuthScope.EMAIL],
        callbackUrls: urls,
        logoutUrls: urls,
      },
      supportedIdentityProviders: [UserPoolClientIdentityProvider.COGNITO],
      preventUserExistenceErrors: true,
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      // The console keeps no refresh token (it signs in again); Cognito's minimum is one hour.
      refreshTokenValidity: Duration.hours(1),
      enableTokenRevocation: true,
    });
  }

  /** Adds what needs the API: the runtime config, the deployment of the files, the CSP's API origin. */
  connectApi(api: ConsoleApi): void {
    if (this.api) throw new Error('ConsoleSite.connectApi() was already called');
    this.api = api;
    const stack = Stack.of(this);
    this.runtimeConfig = {
      apiBaseUrl: api.url,
      auth: 'cognito',
      mode: 'aws',
      cognito: {
        region: stack.region,
        userPoolId: this.props.userPool.userPoolId,
        clientId: this.client.userPoolClientId,
        domain: this.domain.baseUrl(),
        scopes: [...CONSOLE_OAUTH_SCOPES],
      },
    };

    const logGroup = new LogGroup(this, 'DeploymentLogs', { retention: this.props.logRetention });
    // An explicit role, handed over immutable: BucketDeployment's own grants use wildcard actions
    // (s3:GetObject*, s3:List*, ...); the statements below list exactly what its handler calls.
    const role = new Role(this, 'DeploymentRole', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: 'Copies the built web console into its bucket',
    });
    logGroup.grantWrite(role);
    this.deployment = new BucketDeployment(this, 'Files', {
      sources: [Source.asset(this.props.assetsDir), Source.jsonData(CONSOLE_CONFIG_KEY, this.runtimeConfig)],
      destinationBucket: this.bucket,
      // Vite names assets by content hash, but index.html and console-config.json keep their names:
      // browsers revalidate (ETag) so a redeploy shows at the next load, without an invalidation.
      cacheControl: [CacheControl.noCache()],
      retainOnDelete: false,
      role: role.withoutPolicyUpdates(),
      logGroup,
    });
    const sources = this.deployment.node.children.filter((c): c is Asset => c instanceof Asset);
    role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['s3:GetObject'],
        resources: sources.map((asset) => asset.bucket.arnForObjects(asset.s3ObjectKey)),
      }),
    );
    role.addToPrincipalPolicy(
      new PolicyStatement({
        // sync lists the bucket; the delete path reads the owner tags before emptying it.
        actions: ['s3:ListBucket', 's3:GetBucketTagging'],
        resources: [this.bucket.bucketArn],
      }),
    );
    role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['s3:PutObject', 's3:DeleteObject'],
        resources: [this.bucket.arnForObjects('*')],
      }),
    );
    acknowledgeWildcardResources(role, [
      {
        resource: new RegExp(
          `^<${stack.getLogicalId(this.bucket.node.defaultChild as CfnBucket)}\\.Arn>/\\*$`,
        ),
        actions: /^s3:(PutObject|DeleteObject)$/,
        reason:
          "The console's file names come from its build (content-hashed assets), so the deployment writes and prunes any key of the console bucket, and only of that bucket.",
      },
    ]);
    // BucketDeployment's handler is a singleton placed at the stack's root, not under the deployment.
    for (const handler of stack.node.children.filter((c) =>
      c.node.id.startsWith('Custom::CDKBucketDeployment'),
    )) {
      Validations.of(handler).acknowledge({
        id: 'AwsSolutions-L1',
        reason:
          "aws-cdk-lib's BucketDeployment handler (Python, with the AWS CLI layer) runs on the runtime aws-cdk-lib pins for it, and only during deployments.",
      });
    }
  }

  private contentSecurityPolicy(): string {
    if (!this.api) throw new Error('ConsoleSite.connectApi() must be called: the CSP names the API');
    const region = Stack.of(this).region;
    // MediaPackage v1 origin endpoints are https://<id>.mediapackage.<region>.amazonaws.com.
    const media = [`https://*.mediapackage.${region}.amazonaws.com`];
    if (this.props.liveDomainName) media.push(`https://${this.props.liveDomainName}`);
    if (this.props.archiveDomainName) media.push(`https://${this.props.archiveDomainName}`);
    const cognito = this.domain.baseUrl();
    return [
      "default-src 'self'",
      "script-src 'self'",
      "style-src 'self'",
      "img-src 'self' data: blob:",
      `connect-src 'self' ${this.api.origin} ${cognito} ${media.join(' ')}`,
      // hls.js feeds the video element through MediaSource (blob:) and may run a blob: worker.
      `media-src 'self' blob: ${media.join(' ')}`,
      "worker-src 'self' blob:",
      "object-src 'none'",
      "base-uri 'self'",
      "form-action 'self'",
      "frame-ancestors 'none'",
    ].join('; ');
  }
}

/** Synth refuses to deploy a console that was not built: no build runs during synth. */
function requireBuiltConsole(dir: string): void {
  const index = resolve(dir, 'index.html');
  if (!existsSync(dir) || !statSync(dir).isDirectory() || !existsSync(index)) {
    throw new ConfigError([
      `auth=cognito deploys the web console, but ${index} does not exist: run \`npm run build:console\` before \`cdk synth\`/\`cdk deploy\` (or point console_assets_dir at a built console)`,
    ]);
  }
}
