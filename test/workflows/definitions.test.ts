/**
 * The deployed definitions, state by state: what every Task, every wait loop and every machine
 * must have for the workflows to survive AWS's transient faults and never run unbounded.
 * Rendered from the same code as the CDK app's machines, as local mode and the workflow tests run
 * them.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { FUNCTION_NAMES, type FunctionName } from '../../infra/functions.js';
import { type LocalMachine, localFunctionArn, localMachines } from '../../infra/local/definitions.js';

interface Retrier {
  ErrorEquals: string[];
  IntervalSeconds?: number;
  MaxAttempts?: number;
  BackoffRate?: number;
  MaxDelaySeconds?: number;
  JitterStrategy?: string;
}
interface Catcher {
  ErrorEquals: string[];
  Next: string;
  ResultPath?: string;
}
interface StateJson {
  Type: string;
  Resource?: string;
  Parameters?: Record<string, unknown>;
  Next?: string;
  Default?: string;
  Choices?: Array<{ Next: string } & Record<string, unknown>>;
  Retry?: Retrier[];
  Catch?: Catcher[];
  TimeoutSeconds?: number;
  ResultPath?: string;
  Result?: unknown;
  [key: string]: unknown;
}
interface Definition {
  StartAt: string;
  States: Record<string, StateJson>;
  TimeoutSeconds?: number;
  QueryLanguage?: string;
}

/** Throttling and 5xx of Lambda and of MediaLive/MediaPackage/CloudFront: what AWS answers when busy or failing. */
const TRANSIENT = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
  'TooManyRequestsException',
  'ThrottlingException',
  'InternalServerErrorException',
  'ServiceUnavailableException',
  'BadGatewayException',
  'GatewayTimeoutException',
];
/**
 * Service integrations (no task Lambda): Step Functions calls the service itself, and the local
 * runtime runs each with its own double (infra/local/stack.ts).
 */
const INTEGRATIONS = ['arn:aws:states:::mediaconvert:createJob.sync'];
const LIFECYCLE = ['CreateStream', 'StartStream', 'StopStream', 'DeleteStream', 'GoLive', 'EndLive'];
/** The MediaLive SDK waiters' budgets (waitUntilChannelRunning and friends), the bound of each wait loop. */
const WAIT_BOUND: Record<string, number> = { RUNNING: 600, IDLE: 300, DELETED: 420 };

const rendered: { machines: LocalMachine[] } = { machines: [] };

beforeAll(() => {
  rendered.machines = localMachines();
});

const machine = (name: string): LocalMachine & { definition: Definition } => {
  const found = rendered.machines.find((m) => m.name === name);
  if (!found) throw new Error(`no machine ${name}`);
  return found as LocalMachine & { definition: Definition };
};
const statesOf = (name: string) => Object.entries(machine(name).definition.States);
const tasksOf = (name: string) =>
  statesOf(name).filter(
    ([, state]) => state.Type === 'Task' && !INTEGRATIONS.includes(String(state.Resource)),
  );
const integrationsOf = (name: string) =>
  statesOf(name).filter(
    ([, state]) => state.Type === 'Task' && INTEGRATIONS.includes(String(state.Resource)),
  );
const taskModule = (state: StateJson): FunctionName | undefined =>
  FUNCTION_NAMES.find((name) => localFunctionArn(name) === state.Resource);

/** States reachable from `from` by Next, Choice branches and Default (the primary course, no Catch). */
function reachable(definition: Definition, from: string): string[] {
  const seen = new Set<string>();
  const queue = [from];
  while (queue.length > 0) {
    const name = queue.shift() as string;
    if (seen.has(name)) continue;
    seen.add(name);
    const state = definition.States[name];
    if (!state) continue;
    queue.push(
      ...[state.Next, state.Default, ...(state.Choices ?? []).map((c) => c.Next)].filter(
        (n): n is string => !!n,
      ),
    );
  }
  return [...seen];
}

/** The longest a retrier can wait in total before giving up (full jitter only shortens it). */
function worstRetryDelay(retrier: Retrier): number {
  let total = 0;
  for (let attempt = 0; attempt < (retrier.MaxAttempts ?? 3); attempt++) {
    const delay = (retrier.IntervalSeconds ?? 1) * (retrier.BackoffRate ?? 2) ** attempt;
    total += Math.min(delay, retrier.MaxDelaySeconds ?? Number.POSITIVE_INFINITY);
  }
  return total;
}

describe('the rendered workflows', () => {
  it('are the six lifecycle machines and the export as Standard workflows, the split an Express one', () => {
    expect(rendered.machines.map((m) => [m.name, m.type]).sort()).toEqual(
      [
        ...LIFECYCLE.map((name) => [name, 'STANDARD']),
        ['SplitArchive', 'EXPRESS'],
        ['ExportClip', 'STANDARD'],
      ].sort(),
    );
  });

  it('use no service integration but those the local runtime runs', () => {
    const resources = rendered.machines.flatMap((m) =>
      statesOf(m.name)
        .filter(([, state]) => state.Type === 'Task' && !taskModule(state))
        .map(([, state]) => state.Resource),
    );
    expect(resources).toEqual(INTEGRATIONS);
  });

  it('use JSONPath only: the local interpreter runs no JSONata and no variables', () => {
    for (const m of rendered.machines) {
      const text = JSON.stringify(m.definition);
      expect(m.definition, m.name).not.toHaveProperty('QueryLanguage', 'JSONata');
      expect(text, m.name).not.toMatch(/"(Assign|Arguments|Output|QueryLanguage)":/);
    }
  });

  it('name every Task after a task module, so each state runs the real handler', () => {
    for (const m of rendered.machines) {
      for (const [name, state] of tasksOf(m.name))
        expect(taskModule(state), `${m.name}: ${name}`).toBeDefined();
    }
  });

  it('give every state a readable name, as the console shows it', () => {
    for (const m of rendered.machines) {
      for (const [name] of statesOf(m.name)) {
        // Words, not construct ids: "Wait for channel to be idle", never "WaitForChannel8F2A1C3B".
        expect(name, m.name).toMatch(/^[A-Z][a-z]+:? \S.*\S$/);
        expect(name, m.name).not.toMatch(/[0-9A-F]{8}/);
      }
    }
  });
});

describe('every machine', () => {
  const LIMITS: Record<string, number> = {
    CreateStream: 1800,
    StartStream: 1200,
    StopStream: 600,
    DeleteStream: 1800,
    GoLive: 600,
    EndLive: 600,
    SplitArchive: 300,
    ExportClip: 18_000,
  };

  it.each(Object.entries(LIMITS))('%s has TimeoutSeconds %i', (name, seconds) => {
    expect(machine(name).definition.TimeoutSeconds).toBe(seconds);
  });

  it.each(LIFECYCLE)(
    '%s outlives the bounds of all its waits, so a wait fails with its own reason first',
    (name) => {
      const waits = tasksOf(name)
        .filter(([, state]) => taskModule(state) === 'wait-for-channel')
        .map(([, state]) => state.Parameters?.timeout_seconds as number);
      const total = waits.reduce((sum, seconds) => sum + seconds, 0);
      expect(total).toBeLessThanOrEqual(machine(name).definition.TimeoutSeconds ?? 0);
    },
  );
});

describe('every Task', () => {
  const allTasks = () =>
    rendered.machines.flatMap((m) =>
      tasksOf(m.name).map(([name, state]) => ({ machine: m.name, name, state })),
    );

  it('retries throttling and 5xx with exponential backoff, full jitter and a bound', () => {
    for (const { machine: m, name, state } of allTasks()) {
      const where = `${m}: ${name}`;
      const transient = (state.Retry ?? []).find((r) => r.ErrorEquals.includes('TooManyRequestsException'));
      expect(transient, where).toBeDefined();
      expect(transient?.ErrorEquals, where).toEqual(expect.arrayContaining(TRANSIENT));
      expect(transient, where).toMatchObject({
        IntervalSeconds: 2,
        BackoffRate: 2,
        MaxAttempts: 6,
        MaxDelaySeconds: 30,
        JitterStrategy: 'FULL',
      });
    }
  });

  it('never retries every error, and gives up on any retrier within ten minutes', () => {
    for (const { machine: m, name, state } of allTasks()) {
      for (const retrier of state.Retry ?? []) {
        const where = `${m}: ${name}: ${retrier.ErrorEquals.join(',')}`;
        expect(retrier.ErrorEquals, where).not.toContain('States.ALL');
        expect(retrier.MaxAttempts, where).toBeGreaterThan(0);
        expect(retrier.JitterStrategy, where).toBe('FULL');
        expect(worstRetryDelay(retrier), where).toBeLessThanOrEqual(600);
      }
    }
  });

  it('has a timeout, so a hung invocation cannot hold the execution', () => {
    for (const { machine: m, name, state } of allTasks()) {
      expect(state.TimeoutSeconds, `${m}: ${name}`).toBeGreaterThan(0);
      expect(state.TimeoutSeconds, `${m}: ${name}`).toBeLessThanOrEqual(900);
    }
  });

  it.each(LIFECYCLE)(
    'of %s catches every error and records the failure on the stream before failing',
    (name) => {
      const { definition } = machine(name);
      for (const [stateName, state] of tasksOf(name)) {
        const catchAll = (state.Catch ?? []).find((c) => c.ErrorEquals.includes('States.ALL'));
        expect(catchAll, stateName).toBeDefined();
        const handler = catchAll?.Next as string;
        if (taskModule(state) === 'record-failure') {
          // Recording the failure failed: the execution still fails, with both errors in the state.
          expect(definition.States[handler]?.Type, stateName).toBe('Fail');
          continue;
        }
        const path = reachable(definition, handler);
        const recorder = path.find((s) => {
          const target = definition.States[s];
          return target?.Type === 'Task' && taskModule(target) === 'record-failure';
        });
        expect(recorder, `${stateName} → ${handler}`).toBeDefined();
        expect(
          definition.States[definition.States[recorder as string]?.Next ?? '']?.Type,
          `${recorder}`,
        ).toBe('Fail');
        // The original error stays at $.error (or $.cleanup_error during clean-up) for the recorder.
        expect(catchAll?.ResultPath, stateName).toMatch(/^\$\.(error|cleanup_error)$/);
      }
    },
  );
});

describe('ExportClip', () => {
  it('waits for the MediaConvert job (.sync) as long as its bound, within the machine limit', () => {
    const [[name, state] = ['', {} as StateJson]] = integrationsOf('ExportClip');
    expect(name).toBe('Export with MediaConvert');
    expect(state.Resource).toBe('arn:aws:states:::mediaconvert:createJob.sync');
    expect(state.TimeoutSeconds).toBe(4 * 3600);
    expect(state.TimeoutSeconds ?? 0).toBeLessThan(machine('ExportClip').definition.TimeoutSeconds ?? 0);
    expect(state.Parameters).toEqual({
      Role: 'arn:aws:iam::000000000000:role/local-mediaconvert',
      'Settings.$': '$.job.Settings',
      'UserMetadata.$': '$.job.UserMetadata',
    });
    const retrier = state.Retry?.[0];
    expect(retrier?.ErrorEquals).toEqual([
      'MediaConvert.TooManyRequestsException',
      'MediaConvert.InternalServerErrorException',
    ]);
    expect(retrier?.JitterStrategy).toBe('FULL');
  });

  it('records every failure on the clip (record-export) before failing', () => {
    const { definition } = machine('ExportClip');
    const steps = [...tasksOf('ExportClip'), ...integrationsOf('ExportClip')].filter(
      ([name]) => name !== 'Record export failure',
    );
    expect(steps.map(([name]) => name).sort()).toEqual([
      'Export with MediaConvert',
      'Prepare export',
      'Record export',
    ]);
    for (const [name, state] of steps) {
      const catchAll = state.Catch?.find((c) => c.ErrorEquals.includes('States.ALL'));
      expect(catchAll, name).toMatchObject({ Next: 'Record export failure', ResultPath: '$.error' });
    }
    const recorder = definition.States['Record export failure'];
    expect(recorder && taskModule(recorder)).toBe('record-export');
    expect(definition.States[recorder?.Next ?? '']?.Type).toBe('Fail');
  });
});

describe('every wait loop', () => {
  const waits = () =>
    rendered.machines.flatMap((m) =>
      tasksOf(m.name)
        .filter(([, state]) => taskModule(state) === 'wait-for-channel')
        .map(([name, state]) => ({ machine: m.name, name, state, definition: machine(m.name).definition })),
    );

  it('is bounded by the waiter budget of its target: RUNNING 600 s, IDLE 300 s, DELETED 420 s', () => {
    expect(waits().length).toBeGreaterThanOrEqual(8);
    for (const { machine: m, name, state } of waits()) {
      const target = state.Parameters?.target as string;
      expect(Object.keys(WAIT_BOUND), `${m}: ${name}`).toContain(target);
      expect(state.Parameters?.timeout_seconds, `${m}: ${name}`).toBe(WAIT_BOUND[target]);
      // The bound counts from the loop's first poll, carried round the loop in $.wait.
      expect(state.Parameters?.['since.$'], `${m}: ${name}`).toBe('$.wait.since');
      expect(state.ResultPath, `${m}: ${name}`).toBe('$.wait');
    }
  });

  it('starts its clock afresh on entry and loops only until the task reports done', () => {
    for (const { machine: m, name, state, definition } of waits()) {
      const clock = Object.entries(definition.States).filter(([, s]) => s.Next === name && s.Type === 'Pass');
      expect(clock, `${m}: ${name}`).toHaveLength(1);
      expect(clock[0]?.[1], `${m}: ${name}`).toMatchObject({
        Result: { since: null, done: false },
        ResultPath: '$.wait',
      });
      const choice = definition.States[state.Next ?? ''];
      expect(choice?.Type, `${m}: ${name}`).toBe('Choice');
      expect(choice?.Default, `${m}: ${name}`).toBe(name);
      expect(choice?.Choices, `${m}: ${name}`).toEqual([
        expect.objectContaining({ Variable: '$.wait.done', BooleanEquals: true }),
      ]);
    }
  });

  it('waits for the states each machine needs', () => {
    const targets = (name: string) =>
      tasksOf(name)
        .filter(([, state]) => taskModule(state) === 'wait-for-channel')
        .map(([stateName, state]) => `${stateName} → ${state.Parameters?.target}`)
        .sort();
    expect(targets('StartStream')).toEqual([
      'Wait for channel to be idle after failed start → IDLE',
      'Wait for channel to be idle after update → IDLE',
      'Wait for channel to be running → RUNNING',
    ]);
    expect(targets('StopStream')).toEqual(['Wait for channel to be idle → IDLE']);
    expect(targets('DeleteStream')).toEqual([
      'Wait for channel to be deleted → DELETED',
      'Wait for channel to be idle → IDLE',
    ]);
    expect(targets('CreateStream')).toEqual([
      'Clean up: Wait for channel to be deleted → DELETED',
      'Wait for channel to be idle → IDLE',
    ]);
  });
});

describe('state names', () => {
  it("start with their task's name in words, so a state in the console leads to its file", () => {
    const words = (task: string) => task.charAt(0).toUpperCase() + task.slice(1).replaceAll('-', ' ');
    const checked: string[] = [];
    for (const m of rendered.machines) {
      for (const [name, state] of tasksOf(m.name)) {
        const task = taskModule(state);
        expect(task, `${m.name}: ${name}`).toBeDefined();
        expect(name.replace(/^Clean up: /, ''), `${m.name}: ${name}`).toMatch(
          new RegExp(`^${words(task as string)}\\b`),
        );
        checked.push(name);
      }
    }
    expect(checked.length).toBeGreaterThan(30);
  });
});
