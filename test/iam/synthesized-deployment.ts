/**
 * The deployment as `cdk synth` builds it (the real state machines and functions, bundling skipped),
 * read back from its CloudFormation templates: every role with its policies as deployed, each with
 * the intrinsic functions resolved to the names local mode and the tests use (the table, the bucket,
 * the functions, the machines, the bus, the schedule group), so that a call recorded against local
 * mode and a policy of the template name the same resources.
 */
import { App } from 'aws-cdk-lib';
import { FUNCTION_METADATA_KEY } from '../../infra/aws/app-function.js';
import { readDeploymentConfig } from '../../infra/aws/config.js';
import { buildDeployment } from '../../infra/aws/deployment.js';
import { FUNCTION_NAMES, type FunctionName } from '../../infra/functions.js';
import {
  LOCAL_ACCOUNT,
  LOCAL_REGION,
  localFunctionArn,
  localMachineArn,
} from '../../infra/local/definitions.js';
import { WORKFLOW_DEFINITIONS } from '../../state-machines/workflows.js';
import { LOCAL_IDENTITIES } from './local-identities.js';

interface CfnResource {
  Type: string;
  Properties?: Record<string, unknown>;
  Metadata?: Record<string, unknown>;
}
interface CfnTemplate {
  Resources: Record<string, CfnResource>;
  Outputs?: Record<string, { Value: unknown; Export?: { Name: string } }>;
}

export interface PolicyDocument {
  Version?: string;
  Statement: Array<Record<string, unknown>>;
}

export interface SynthesizedRole {
  /** How the tests name this principal: a function name, `MediaLiveRole`, `SchedulerRole`, `<machine>Role`. */
  principal: string;
  roleArn: string;
  policies: Array<{ name: string; policy: PolicyDocument }>;
}

export interface SynthesizedDeployment {
  templates: Record<string, CfnTemplate>;
  functions: Record<FunctionName, SynthesizedRole>;
  mediaLiveRole: SynthesizedRole;
  schedulerRole: SynthesizedRole;
  /** The role ExportClip passes to Elemental MediaConvert. */
  mediaConvertRole: SynthesizedRole;
  /**
   * Each state machine's role, the task functions its definition invokes, and the service
   * integrations it uses (`arn:aws:states:::mediaconvert:createJob.sync`).
   */
  machines: Array<{ name: string; role: SynthesizedRole; invokes: string[]; integrations: string[] }>;
}

/** The app with CloudFront, as `npx cdk synth -c using_cloudfront=true` builds it, in local mode's account and region. */
export function synthesizeDeployment(context: Record<string, unknown> = {}): SynthesizedDeployment {
  const app = new App({
    context: {
      'aws:cdk:bundling-stacks': [],
      input_cidrs: ['203.0.113.0/24'],
      using_cloudfront: 'true',
      archive_bucket_name: LOCAL_IDENTITIES.archiveBucket,
      ...context,
    },
  });
  const config = readDeploymentConfig((name) => app.node.tryGetContext(name));
  buildDeployment(app, { config, env: { account: LOCAL_ACCOUNT, region: LOCAL_REGION } });
  const assembly = app.synth();
  const templates = Object.fromEntries(
    assembly.stacks.map((stack) => [stack.stackName, stack.template as CfnTemplate]),
  );
  return readDeployment(templates, config.stackPrefix);
}

function readDeployment(templates: Record<string, CfnTemplate>, prefix: string): SynthesizedDeployment {
  const stateless = templates[`${prefix}-Stateless`];
  if (!stateless) throw new Error(`no ${prefix}-Stateless stack`);
  const resolver = new Resolver(templates, `${prefix}-Stateless`, {
    // Names the templates hold as literals, and their local-mode counterparts.
    [`${prefix}-Stateless-streams`]: LOCAL_IDENTITIES.eventBus,
    [`${prefix}-Stateless/srt/`]: LOCAL_IDENTITIES.srtSecretPrefix,
  });
  const roles = new Map<string, SynthesizedRole>();
  const roleOf = (logicalId: string, principal: string): SynthesizedRole => {
    const found = roles.get(logicalId);
    if (found) return found;
    const role = stateless.Resources[logicalId];
    if (role?.Type !== 'AWS::IAM::Role') throw new Error(`${logicalId} is not a role`);
    const inline = (role.Properties?.Policies ?? []) as Array<{
      PolicyName: string;
      PolicyDocument: unknown;
    }>;
    const attached = Object.entries(stateless.Resources)
      .filter(
        ([, r]) =>
          r.Type === 'AWS::IAM::Policy' &&
          ((r.Properties?.Roles ?? []) as Array<{ Ref?: string }>).some((ref) => ref.Ref === logicalId),
      )
      .map(([id, r]) => ({
        name: id,
        policy: resolver.resolve(r.Properties?.PolicyDocument) as PolicyDocument,
      }));
    const synthesized: SynthesizedRole = {
      principal,
      roleArn: resolver.resolve({ 'Fn::GetAtt': [logicalId, 'Arn'] }) as string,
      policies: [
        ...inline.map((p) => ({
          name: p.PolicyName,
          policy: resolver.resolve(p.PolicyDocument) as PolicyDocument,
        })),
        ...attached,
      ],
    };
    roles.set(logicalId, synthesized);
    return synthesized;
  };
  const roleIdOf = (value: unknown): string => {
    const getAtt = (value as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt'];
    if (!getAtt) throw new Error(`not a role reference: ${JSON.stringify(value)}`);
    return getAtt[0];
  };

  const functions = {} as Record<FunctionName, SynthesizedRole>;
  for (const resource of Object.values(stateless.Resources)) {
    const name = resource.Metadata?.[FUNCTION_METADATA_KEY] as FunctionName | undefined;
    if (resource.Type !== 'AWS::Lambda::Function' || !name) continue;
    functions[name] = roleOf(roleIdOf(resource.Properties?.Role), name);
  }
  const missing = FUNCTION_NAMES.filter((name) => !functions[name]);
  if (missing.length > 0) throw new Error(`functions missing from the template: ${missing.join(', ')}`);

  const servicePrincipalRole = (service: string) => {
    const ids = Object.entries(stateless.Resources)
      .filter(
        ([, r]) =>
          r.Type === 'AWS::IAM::Role' &&
          JSON.stringify(r.Properties?.AssumeRolePolicyDocument).includes(`"${service}"`),
      )
      .map(([id]) => id);
    if (ids.length !== 1) throw new Error(`expected one role for ${service}, found ${ids.length}`);
    return ids[0] as string;
  };

  const machines = Object.entries(stateless.Resources)
    .filter(([, r]) => r.Type === 'AWS::StepFunctions::StateMachine')
    .map(([id, r]) => {
      const name = machineNameOf(id);
      const definition = JSON.parse(resolver.resolve(r.Properties?.DefinitionString) as string) as {
        States: Record<string, { Type: string; Resource?: string }>;
      };
      const resources = [
        ...new Set(
          Object.values(definition.States)
            .filter((state) => state.Type === 'Task' && state.Resource)
            .map((state) => state.Resource as string),
        ),
      ];
      const integration = (resource: string) => resource.includes(':states:::');
      return {
        name,
        role: roleOf(roleIdOf(r.Properties?.RoleArn), `${name}Role`),
        invokes: resources.filter((resource) => !integration(resource)),
        integrations: resources.filter(integration),
      };
    });

  return {
    templates,
    functions,
    mediaLiveRole: roleOf(servicePrincipalRole('medialive.amazonaws.com'), 'MediaLiveRole'),
    schedulerRole: roleOf(servicePrincipalRole('scheduler.amazonaws.com'), 'SchedulerRole'),
    mediaConvertRole: roleOf(servicePrincipalRole('mediaconvert.amazonaws.com'), 'MediaConvertRole'),
    machines,
  };
}

function machineNameOf(logicalId: string): string {
  const name = Object.values(WORKFLOW_DEFINITIONS)
    .map((w) => w.machineName)
    .find((n) => logicalId.includes(n));
  if (!name) throw new Error(`state machine ${logicalId} is none of the app's`);
  return name;
}

/**
 * Resolves the intrinsic functions the templates use, to local mode's names: resources the stack
 * names at deploy time (the table, the functions, the machines, the roles) resolve to what local
 * mode calls them; literals of `renames` are replaced the same way.
 */
class Resolver {
  constructor(
    private readonly templates: Record<string, CfnTemplate>,
    private readonly stackName: string,
    private readonly renames: Record<string, string>,
  ) {}

  resolve(value: unknown, stackName = this.stackName): unknown {
    if (typeof value === 'string') return this.rename(value);
    if (Array.isArray(value)) return value.map((v) => this.resolve(v, stackName));
    if (!value || typeof value !== 'object') return value;
    const entries = Object.entries(value);
    const [key, arg] = entries[0] ?? [];
    if (entries.length === 1 && key !== undefined) {
      switch (key) {
        case 'Ref':
          return this.ref(arg as string, stackName);
        case 'Fn::GetAtt':
          return this.getAtt(arg as [string, string], stackName);
        case 'Fn::Join': {
          const [separator, parts] = arg as [string, unknown[]];
          return (this.resolve(parts, stackName) as unknown[]).join(separator);
        }
        case 'Fn::Split': {
          const [separator, text] = arg as [string, unknown];
          return String(this.resolve(text, stackName)).split(separator);
        }
        case 'Fn::Select': {
          const [index, list] = arg as [number, unknown];
          return (this.resolve(list, stackName) as unknown[])[Number(index)];
        }
        case 'Fn::ImportValue':
          return this.importValue(String(this.resolve(arg, stackName)));
        case 'Fn::Sub':
          throw new Error('Fn::Sub is not used by the app; teach the resolver if it is');
      }
    }
    return Object.fromEntries(entries.map(([k, v]) => [k, this.resolve(v, stackName)]));
  }

  private rename(text: string): string {
    let result = text;
    for (const [from, to] of Object.entries(this.renames)) result = result.split(from).join(to);
    return result;
  }

  private importValue(exportName: string): unknown {
    for (const [stackName, template] of Object.entries(this.templates)) {
      for (const output of Object.values(template.Outputs ?? {})) {
        if (output.Export?.Name === exportName) return this.resolve(output.Value, stackName);
      }
    }
    throw new Error(`no export ${exportName}`);
  }

  private resource(logicalId: string, stackName: string): CfnResource {
    const resource = this.templates[stackName]?.Resources[logicalId];
    if (!resource) throw new Error(`no resource ${logicalId} in ${stackName}`);
    return resource;
  }

  private ref(logicalId: string, stackName: string): string {
    switch (logicalId) {
      case 'AWS::Partition':
        return 'aws';
      case 'AWS::Region':
        return LOCAL_REGION;
      case 'AWS::AccountId':
        return LOCAL_ACCOUNT;
      case 'AWS::URLSuffix':
        return 'amazonaws.com';
      case 'AWS::StackName':
        return stackName;
    }
    const resource = this.resource(logicalId, stackName);
    const name = resource.Properties?.Name;
    switch (resource.Type) {
      case 'AWS::DynamoDB::Table':
        return LOCAL_IDENTITIES.table;
      case 'AWS::S3::Bucket':
        return String(resource.Properties?.BucketName ?? logicalId.toLowerCase());
      case 'AWS::StepFunctions::StateMachine':
        return localMachineArn(machineNameOf(logicalId));
      case 'AWS::MediaLive::InputSecurityGroup':
        return LOCAL_IDENTITIES.inputSecurityGroup;
      case 'AWS::CloudFront::Distribution':
        return LOCAL_IDENTITIES.distributionId;
      case 'AWS::Events::EventBus':
        return this.rename(String(name));
      default:
        return typeof name === 'string' ? this.rename(name) : logicalId;
    }
  }

  private getAtt([logicalId, attribute]: [string, string], stackName: string): string {
    const resource = this.resource(logicalId, stackName);
    const arn = (service: string, resourcePart: string) =>
      `arn:aws:${service}:${LOCAL_REGION}:${LOCAL_ACCOUNT}:${resourcePart}`;
    if (attribute !== 'Arn') return `${logicalId}.${attribute}`;
    switch (resource.Type) {
      case 'AWS::DynamoDB::Table':
        return arn('dynamodb', `table/${this.ref(logicalId, stackName)}`);
      case 'AWS::S3::Bucket':
        return `arn:aws:s3:::${this.ref(logicalId, stackName)}`;
      case 'AWS::Lambda::Function': {
        const name = resource.Metadata?.[FUNCTION_METADATA_KEY];
        return typeof name === 'string'
          ? localFunctionArn(name as FunctionName)
          : arn('lambda', `function:${logicalId}`);
      }
      case 'AWS::IAM::Role': {
        const document = JSON.stringify(resource.Properties?.AssumeRolePolicyDocument);
        if (document.includes('"medialive.amazonaws.com"')) return LOCAL_IDENTITIES.mediaLiveRoleArn;
        if (document.includes('"scheduler.amazonaws.com"')) return LOCAL_IDENTITIES.schedulerRoleArn;
        if (document.includes('"mediaconvert.amazonaws.com"')) return LOCAL_IDENTITIES.mediaConvertRoleArn;
        return `arn:aws:iam::${LOCAL_ACCOUNT}:role/${logicalId}`;
      }
      case 'AWS::Events::EventBus':
        return arn('events', `event-bus/${this.ref(logicalId, stackName)}`);
      case 'AWS::Logs::LogGroup':
        return arn('logs', `log-group:${logicalId}:*`);
      case 'AWS::Scheduler::ScheduleGroup':
        return arn('scheduler', `schedule-group/${this.rename(String(resource.Properties?.Name))}`);
      default:
        return arn(resource.Type.split('::')[1]?.toLowerCase() ?? 'unknown', logicalId);
    }
  }
}
