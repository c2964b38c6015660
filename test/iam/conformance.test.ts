/**
 * IAM conformance: every AWS call each function made anywhere in the test suite (recorded by the
 * SDK middleware of core/aws-call-observer.ts, in test/support/aws-call-log.ts) is evaluated by a
 * real IAM policy evaluator (@cloud-copilot/iam-simulate) against that function's role as
 * synthesized in the CloudFormation template, with the resource ARNs IAM evaluates and the context
 * keys the call carries. So are the calls of the service roles: MediaLive's (archive writes, the
 * MediaPackage destination) for every channel the tests configured, Scheduler's for every schedule
 * they created, and each state machine's for every function its definition invokes.
 *
 * This file runs after every other test file (vitest.config.ts: its project's groupOrder), on the
 * calls of the whole suite. Run alone, it finds no calls and says so.
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { beforeAll, describe, expect, it } from 'vitest';
import { FUNCTION_NAMES, type FunctionName } from '../../infra/functions.js';
import { LOCAL_ACCOUNT, LOCAL_REGION } from '../../infra/local/definitions.js';
import type { AwsCall } from '../../infra/local/functions/local-functions.js';
import type { LocalJobRecord } from '../../infra/local/mediaconvert/local-mediaconvert.js';
import { MEDIACONVERT_JOBS_PREFIX } from '../support/aws-call-log.js';
import {
  ACKNOWLEDGED_GRANTS,
  type AcknowledgedGrant,
  FUNCTION_RUNTIME_GRANTS,
  MACHINE_SERVICE_GRANTS,
} from './acknowledged-grants.js';
import { type IamRequest, iamRequestsFor } from './iam-requests.js';
import {
  type SynthesizedDeployment,
  type SynthesizedRole,
  synthesizeDeployment,
} from './synthesized-deployment.js';

interface Evaluated extends IamRequest {
  principal: string;
  allowed: boolean;
}

let deployment: SynthesizedDeployment;
let calls: AwsCall[];
const evaluated: Evaluated[] = [];

let jobs: LocalJobRecord[];

/** The jobs the local MediaConvert ran in the suite (test/support/aws-call-log.ts). */
function recordedJobs(): LocalJobRecord[] {
  const dir = process.env.AWS_CALL_LOG_DIR;
  if (!dir) return [];
  return readdirSync(dir)
    .filter((f) => f.startsWith(MEDIACONVERT_JOBS_PREFIX))
    .flatMap((f) =>
      readFileSync(path.join(dir, f), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as LocalJobRecord),
    );
}

function recordedCalls(): AwsCall[] {
  const dir = process.env.AWS_CALL_LOG_DIR;
  if (!dir) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .flatMap((f) =>
      readFileSync(path.join(dir, f), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as AwsCall),
    );
}

async function evaluate(role: SynthesizedRole, request: IamRequest): Promise<Evaluated> {
  const result = await runSimulation(
    {
      request: {
        principal: role.roleArn,
        action: request.action,
        resource: { resource: request.resource, accountId: LOCAL_ACCOUNT },
        contextVariables: {
          'aws:PrincipalArn': role.roleArn,
          'aws:PrincipalAccount': LOCAL_ACCOUNT,
          'aws:RequestedRegion': LOCAL_REGION,
          ...request.context,
        },
      },
      identityPolicies: role.policies.map((p) => ({ name: p.name, policy: p.policy })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
    },
    { simulationMode: 'Strict' },
  );
  if (result.resultType === 'error') {
    throw new Error(
      `cannot evaluate ${request.action} on ${request.resource}: ${JSON.stringify(result.errors)}`,
    );
  }
  return { ...request, principal: role.principal, allowed: result.overallResult === 'Allowed' };
}

type Input = Record<string, unknown>;

/** What MediaLive does with its role for a channel configured by this call: archive writes, the MediaPackage destination. */
function mediaLiveRequests(call: AwsCall): IamRequest[] {
  if (call.client !== 'MediaLiveClient' || !/^(Create|Update)ChannelCommand$/.test(call.command)) return [];
  const input = call.input as Input;
  const described = `MediaLive, for ${call.function}'s ${call.command}`;
  const groups = ((input.EncoderSettings as Input)?.OutputGroups ?? []) as Input[];
  const archiveGroups = groups.filter((g) => (g.OutputGroupSettings as Input)?.ArchiveGroupSettings);
  const destinationIds = new Set(
    archiveGroups.map(
      (g) =>
        (((g.OutputGroupSettings as Input).ArchiveGroupSettings as Input).Destination as Input)
          ?.DestinationRefId as string,
    ),
  );
  const modifiers = archiveGroups.flatMap((g) =>
    ((g.Outputs ?? []) as Input[]).map(
      (o) => ((o.OutputSettings as Input)?.ArchiveOutputSettings as Input)?.NameModifier as string,
    ),
  );
  const requests: IamRequest[] = [];
  for (const destination of (input.Destinations ?? []) as Input[]) {
    for (const setting of (destination.MediaPackageSettings ?? []) as Input[]) {
      requests.push({
        action: 'mediapackage:DescribeChannel',
        resource: `arn:aws:mediapackage:${LOCAL_REGION}:${LOCAL_ACCOUNT}:channels/${setting.ChannelId}`,
        context: {},
        call: described,
      });
    }
    if (!destinationIds.has(destination.Id as string)) continue;
    for (const setting of (destination.Settings ?? []) as Input[]) {
      const url = new URL(String(setting.Url).replace(/^s3ssl:/, 's3:'));
      for (const modifier of modifiers) {
        // MediaLive names archive files <destination><name modifier>.<counter>.ts.
        requests.push({
          action: 's3:PutObject',
          resource: `arn:aws:s3:::${url.hostname}${url.pathname}${modifier}.000000.ts`,
          context: {},
          call: described,
        });
      }
    }
  }
  return requests;
}

/** What Scheduler does with its role when a schedule this call created fires. */
function schedulerRequests(call: AwsCall): IamRequest[] {
  if (call.client !== 'SchedulerClient' || call.command !== 'CreateScheduleCommand') return [];
  const target = (call.input as Input).Target as Input;
  return [
    {
      action: 'states:StartExecution',
      resource: String(target.Arn),
      context: {},
      call: `Scheduler, for ${call.function}'s schedule ${(call.input as Input).Name}`,
    },
  ];
}

/** The rule Step Functions manages to follow MediaConvert jobs (.sync): "StepFunctionsGetEventsFor<Service>JobRule". */
const MEDIACONVERT_SYNC_RULE = `arn:aws:events:${LOCAL_REGION}:${LOCAL_ACCOUNT}:rule/StepFunctionsGetEventsForMediaConvertJobRule`;

/**
 * What Step Functions does with the machine's role for one `mediaconvert:createJob.sync` job: creates
 * the job (on the account's default queue), passes the job's role to MediaConvert, follows the job
 * through its managed EventBridge rule and gets it (Step Functions: IAM policies for MediaConvert).
 */
function syncJobRequests(machine: string, job: LocalJobRecord): IamRequest[] {
  const described = `${machine}, createJob.sync of job ${job.jobId}`;
  const mediaconvert = (what: string) => `arn:aws:mediaconvert:${LOCAL_REGION}:${LOCAL_ACCOUNT}:${what}`;
  return [
    {
      action: 'mediaconvert:CreateJob',
      resource: mediaconvert('queues/Default'),
      context: {},
      call: described,
    },
    {
      action: 'iam:PassRole',
      resource: job.role,
      context: { 'iam:PassedToService': 'mediaconvert.amazonaws.com' },
      call: `${described} (passes ${job.role.split('/').pop()})`,
    },
    ...['events:PutTargets', 'events:PutRule', 'events:DescribeRule'].map((action) => ({
      action,
      resource: MEDIACONVERT_SYNC_RULE,
      context: {},
      call: described,
    })),
    {
      action: 'mediaconvert:GetJob',
      resource: mediaconvert(`jobs/${job.jobId}`),
      context: {},
      call: described,
    },
  ];
}

/** What MediaConvert does with the job's role: reads its inputs, writes its outputs. */
function mediaConvertRequests(job: LocalJobRecord): IamRequest[] {
  const described = `MediaConvert, job ${job.jobId}`;
  return [
    ...job.reads.map(({ bucket, key }) => ({
      action: 's3:GetObject',
      resource: `arn:aws:s3:::${bucket}/${key}`,
      context: {},
      call: described,
    })),
    ...job.writes.map(({ bucket, key }) => ({
      action: 's3:PutObject',
      resource: `arn:aws:s3:::${bucket}/${key}`,
      context: {},
      call: described,
    })),
  ];
}

beforeAll(async () => {
  calls = recordedCalls();
  jobs = recordedJobs();
  deployment = synthesizeDeployment();
  for (const call of calls) {
    const role = deployment.functions[call.function];
    for (const request of await iamRequestsFor(call)) evaluated.push(await evaluate(role, request));
    for (const request of mediaLiveRequests(call))
      evaluated.push(await evaluate(deployment.mediaLiveRole, request));
    for (const request of schedulerRequests(call))
      evaluated.push(await evaluate(deployment.schedulerRole, request));
  }
  for (const job of jobs) {
    for (const request of mediaConvertRequests(job))
      evaluated.push(await evaluate(deployment.mediaConvertRole, request));
  }
  for (const machine of deployment.machines) {
    if (machine.integrations.includes('arn:aws:states:::mediaconvert:createJob.sync')) {
      for (const job of jobs) {
        for (const request of syncJobRequests(machine.name, job))
          evaluated.push(await evaluate(machine.role, request));
      }
    }
    for (const functionArn of machine.invokes) {
      evaluated.push(
        await evaluate(machine.role, {
          action: 'lambda:InvokeFunction',
          resource: functionArn,
          context: {},
          call: `${machine.name} invokes ${functionArn.split(':').pop()}`,
        }),
      );
    }
  }
}, 300_000);

function grantedActions(role: SynthesizedRole): string[] {
  const actions = role.policies.flatMap((p) =>
    p.policy.Statement.filter((s) => s.Effect === 'Allow').flatMap((s) =>
      Array.isArray(s.Action) ? (s.Action as string[]) : [s.Action as string],
    ),
  );
  return [...new Set(actions)].sort();
}

function allRoles(): SynthesizedRole[] {
  return [
    ...FUNCTION_NAMES.map((name) => deployment.functions[name]),
    deployment.mediaLiveRole,
    deployment.schedulerRole,
    deployment.mediaConvertRole,
    ...deployment.machines.map((m) => m.role),
  ];
}

function acknowledgmentsFor(role: SynthesizedRole): AcknowledgedGrant[] {
  const isMachine = deployment.machines.some((m) => m.role === role);
  const isFunction = FUNCTION_NAMES.some((name) => deployment.functions[name] === role);
  return [
    ...(isFunction ? FUNCTION_RUNTIME_GRANTS : []),
    ...(isMachine ? MACHINE_SERVICE_GRANTS : []),
    ...ACKNOWLEDGED_GRANTS.filter((a) => a.principal === role.principal),
  ];
}

describe('IAM conformance of the synthesized roles', () => {
  it('has calls of the whole suite to evaluate (run it with the suite: npm test)', () => {
    expect(calls.length, 'no AWS call was recorded: run the whole suite').toBeGreaterThan(100);
    // ExportClip ran MediaConvert jobs somewhere in the suite: its role and MediaConvert's are checked.
    expect(jobs.length, 'no MediaConvert job was recorded').toBeGreaterThan(0);
    const callers = new Set(calls.map((c) => c.function));
    // Every function of the registry made calls somewhere in the suite.
    expect(FUNCTION_NAMES.filter((name) => !callers.has(name))).toEqual([]);
  });

  it('allows every call each function, MediaLive, Scheduler, MediaConvert and each state machine makes', () => {
    const denied = evaluated
      .filter((e) => !e.allowed)
      .map(
        (e) =>
          `${e.principal}: ${e.call} needs ${e.action} on ${e.resource}${Object.keys(e.context).length ? ` with ${JSON.stringify(e.context)}` : ''}`,
      );
    expect([...new Set(denied)]).toEqual([]);
  });

  it('grants nothing that no call uses, but for the grants acknowledged with their reason', () => {
    const unused: string[] = [];
    const stale: string[] = [];
    for (const role of allRoles()) {
      const used = new Set(
        evaluated.filter((e) => e.principal === role.principal && e.allowed).map((e) => e.action),
      );
      const acknowledged = acknowledgmentsFor(role);
      const granted = grantedActions(role);
      for (const action of granted) {
        if (used.has(action)) continue;
        if (!acknowledged.some((a) => a.action === action)) unused.push(`${role.principal}: ${action}`);
      }
      for (const grant of ACKNOWLEDGED_GRANTS.filter((a) => a.principal === role.principal)) {
        if (used.has(grant.action) || !granted.includes(grant.action))
          stale.push(
            `${role.principal}: ${grant.action} (${used.has(grant.action) ? 'now used' : 'not granted'})`,
          );
      }
    }
    expect(unused, 'granted but never used: remove the grant, or acknowledge it with a reason').toEqual([]);
    expect(stale, 'acknowledged but no longer needed').toEqual([]);
  });

  it('reports how many calls it evaluated per principal', () => {
    const counts = new Map<string, number>();
    for (const e of evaluated) counts.set(e.principal, (counts.get(e.principal) ?? 0) + 1);
    const lines = [...counts].sort(([a], [b]) => a.localeCompare(b)).map(([p, n]) => `${p}: ${n}`);
    console.log(
      `IAM conformance: ${evaluated.length} requests from ${calls.length} calls\n${lines.join('\n')}`,
    );
    for (const name of FUNCTION_NAMES satisfies FunctionName[])
      expect(counts.get(name) ?? 0, name).toBeGreaterThan(0);
    expect(counts.get('MediaConvertRole') ?? 0).toBeGreaterThan(0);
    expect(counts.get('ExportClipRole') ?? 0).toBeGreaterThan(0);
  });
});
