/**
 * `npm run bench:workflows`: what the lifecycle state machines cost and how fast they follow the
 * channel, run from their synthesized definitions with the real task handlers against the local
 * MediaLive/MediaPackage/CloudFront double (test/support/workflow-harness.ts; no video, no AWS).
 *
 * Each run takes one stream through CreateStream → StartStream → GoLive → EndLive → StopStream →
 * DeleteStream, started through the real API handler, and measures per action:
 *
 * - state transitions: the `*StateEntered` events of the execution's GetExecutionHistory (what
 *   Step Functions Standard bills);
 * - orchestration overhead: from the moment the simulated channel reaches the action's target
 *   state to the moment the stream record in DynamoDB shows it. The channel is watched with
 *   DescribeChannel every CHANNEL_PROBE_MS, the record with GetItem every RECORD_PROBE_MS; each
 *   moment is the send time of the first probe that saw it;
 * - wait overhead: from that same moment to the end of the machine's wait loop (the loop's last
 *   Task state exited, from the history): the polling alone, without the record write.
 *
 * Time can be compressed: `--scale=0.1` (the default) makes every MediaLive transition, the wait
 * tasks' poll interval and per-invocation budget, and the Retry intervals ten times shorter, so a
 * 90 s start takes 9 s and is polled every 100 ms instead of every 1 s. State transitions do not
 * depend on the scale (interval and budget shrink together); the overhead's polling part scales
 * with it, its fixed part (task invocations, DynamoDB writes) does not. `--scale=1` runs at full
 * scale. `--runs=N` (default 5).
 *
 * Full-scale simulated channel (scale 1): create 10 s, update 5 s, start 90 s, stop 30 s, delete
 * 20 s; the wait tasks poll every 1 s for up to 20 s per invocation (the deployed defaults).
 *
 * The double's transitions take exactly that long, counted from the call that starts them, and the
 * wait loop starts polling right after that call: the transition would always fall at the same
 * point between two polls. A real channel's does not, so each state-changing MediaLive call of the
 * tasks answers after a random extra delay of up to one poll interval (SDK middleware on the tasks'
 * client); the delay is before the wait starts, outside what is measured.
 */
import { cpus, loadavg } from 'node:os';
import { DescribeChannelCommand } from '@aws-sdk/client-medialive';
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import type { StreamRecord } from '../core/stream.js';
import { operationOf } from '../test/support/control-plane-faults.js';
import {
  type Answer,
  startWorkflowHarness,
  stateTransitions,
  type WorkflowHarness,
} from '../test/support/workflow-harness.js';

const FULL_SCALE = {
  timings: { createMs: 10_000, updateMs: 5_000, startMs: 90_000, stopMs: 30_000, deleteMs: 20_000 },
  pollIntervalMs: 1_000,
  pollBudgetMs: 20_000,
};
const CHANNEL_PROBE_MS = 20;
const STATE_CHANGING = [
  'CreateChannelCommand',
  'UpdateChannelCommand',
  'StartChannelCommand',
  'StopChannelCommand',
  'DeleteChannelCommand',
];
const RECORD_PROBE_MS = 50;
const TARGETS = { overheadMedianMs: 1500, startTransitions: 60 };

type Action = 'create' | 'start' | 'go-live' | 'end-live' | 'stop' | 'delete';

interface ActionSample {
  action: Action;
  transitions: number;
  durationMs: number;
  /** Channel at its target → record shows it; undefined for actions without a channel wait. */
  overheadMs?: number;
  /** Channel at its target → end of the wait loop, per wait of the action. */
  waits: Array<{ name: string; overheadMs: number }>;
  /** Why an expected overhead is missing (a probe never saw the moment). */
  missing?: string;
}

interface ChannelSighting {
  state: string;
  at: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function arg(name: string, fallback: number): number {
  const raw = process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
  const value = raw === undefined ? fallback : Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
  return value;
}

/** Every state change of a channel, as seen by DescribeChannel every CHANNEL_PROBE_MS, until stopped. */
function watchChannel(h: WorkflowHarness, channelId: () => string | undefined) {
  const sightings: ChannelSighting[] = [];
  let running = true;
  const done = (async () => {
    while (running) {
      const id = channelId();
      if (id) {
        const sentAt = Date.now();
        const out = await h.aws.medialive.send(new DescribeChannelCommand({ ChannelId: id }));
        const state = out.State ?? 'UNKNOWN';
        if (sightings[sightings.length - 1]?.state !== state) sightings.push({ state, at: sentAt });
      }
      await sleep(CHANNEL_PROBE_MS);
    }
  })();
  return {
    sightings,
    /** When the channel first showed `state` after having shown `after` (if given). */
    reached(state: string, after?: string): number | undefined {
      const from = after === undefined ? 0 : sightings.findIndex((s) => s.state === after);
      if (from < 0) return undefined;
      return sightings.slice(from).find((s) => s.state === state)?.at;
    },
    stop: async () => {
      running = false;
      await done;
    },
  };
}

/** The first moment (probe send time) the record satisfies `shows`, probing every RECORD_PROBE_MS. */
function watchRecord(h: WorkflowHarness, id: string, shows: (record: StreamRecord | undefined) => boolean) {
  let giveUpAt = Number.POSITIVE_INFINITY;
  let seenAt: number | undefined;
  const done = (async () => {
    while (seenAt === undefined && Date.now() < giveUpAt) {
      const sentAt = Date.now();
      if (shows(await h.store.find(id))) seenAt = sentAt;
      else await sleep(RECORD_PROBE_MS);
    }
  })();
  return {
    /** Once the execution has ended the record shows it: the next probe or two will see it. */
    settle: async () => {
      giveUpAt = Date.now() + 5_000;
      await done;
      return seenAt;
    },
  };
}

/** When each wait loop of the execution ended: its last Task state exit. */
function waitLoopEnds(events: HistoryEvent[], waitNames: string[]): Map<string, number> {
  const ends = new Map<string, number>();
  for (const event of events) {
    const name = event.stateExitedEventDetails?.name;
    if (event.type === 'TaskStateExited' && name && waitNames.includes(name) && event.timestamp) {
      ends.set(name, event.timestamp.getTime());
    }
  }
  return ends;
}

interface ActionPlan {
  action: Action;
  call: (id: string) => Promise<Answer>;
  /** The channel state that ends the action's main wait, and what the record shows then. */
  channelTarget?: { state: string; after?: string };
  recordShows?: (record: StreamRecord | undefined) => boolean;
  /** Wait loops to time: state name → the channel state (and its predecessor) the loop waits for. */
  waits: Record<string, { state: string; after?: string }>;
}

async function runAction(
  h: WorkflowHarness,
  plan: ActionPlan,
  streamId: string | undefined,
): Promise<{ sample: ActionSample; id: string }> {
  let id = streamId;
  let channelId: string | undefined;
  const record = id && plan.recordShows ? watchRecord(h, id, plan.recordShows) : undefined;
  if (id) channelId = (await h.store.get(id)).live_channel_id ?? undefined;
  const channel = watchChannel(h, () => channelId);
  const answer = await plan.call(id ?? '');
  const started = answer.body as unknown as StreamRecord;
  if (answer.statusCode !== 202 || !started.execution)
    throw new Error(`${plan.action} answered ${answer.statusCode}: ${JSON.stringify(answer.body)}`);
  id = started.id;
  // CreateStream: the channel id appears on the record once the channel exists.
  const createRecord = record ?? (plan.recordShows ? watchRecord(h, id, plan.recordShows) : undefined);
  const findChannel = (async () => {
    while (!channelId) {
      channelId = (await h.store.find(id as string))?.live_channel_id ?? undefined;
      if (!channelId) await sleep(RECORD_PROBE_MS);
    }
  })();
  const execution = await h.waitForExecution(started.execution.arn, 15 * 60_000);
  await findChannel.catch(() => undefined);
  const recordAt = await createRecord?.settle();
  await channel.stop();
  if (execution.status !== 'SUCCEEDED') {
    throw new Error(`${plan.action} ${execution.status}: ${execution.error} ${execution.cause}`);
  }
  const events = await h.history(execution.executionArn);
  const waits: ActionSample['waits'] = [];
  const ends = waitLoopEnds(events, Object.keys(plan.waits));
  for (const [name, target] of Object.entries(plan.waits)) {
    const reached = channel.reached(target.state, target.after);
    const end = ends.get(name);
    if (reached !== undefined && end !== undefined) waits.push({ name, overheadMs: end - reached });
  }
  const target = plan.channelTarget
    ? channel.reached(plan.channelTarget.state, plan.channelTarget.after)
    : undefined;
  const sample: ActionSample = {
    action: plan.action,
    transitions: stateTransitions(events),
    durationMs: (execution.stopDate?.getTime() ?? Number.NaN) - execution.startDate.getTime(),
    ...(target !== undefined && recordAt !== undefined ? { overheadMs: recordAt - target } : {}),
    waits,
  };
  if (plan.channelTarget && sample.overheadMs === undefined) {
    sample.missing =
      target === undefined
        ? `channel never seen ${plan.channelTarget.state} (seen: ${channel.sightings.map((s) => s.state).join(' → ')})`
        : 'record never seen in its new state within 5 s of the execution end';
  }
  return { sample, id };
}

function plans(h: WorkflowHarness): ActionPlan[] {
  return [
    {
      action: 'create',
      call: () => h.call('POST', '/streams', { name: 'bench' }),
      channelTarget: { state: 'IDLE' },
      recordShows: (r) => r?.status === 'IDLE',
      waits: { 'Wait for channel to be idle': { state: 'IDLE' } },
    },
    {
      action: 'start',
      call: (id) => h.call('POST', `/streams/${id}/start`, {}),
      channelTarget: { state: 'RUNNING' },
      recordShows: (r) => r?.status === 'RUNNING',
      waits: {
        'Wait for channel update': { state: 'IDLE', after: 'UPDATING' },
        'Wait for channel to be running': { state: 'RUNNING' },
      },
    },
    { action: 'go-live', call: (id) => h.call('POST', `/streams/${id}/live`), waits: {} },
    { action: 'end-live', call: (id) => h.call('DELETE', `/streams/${id}/live`), waits: {} },
    {
      action: 'stop',
      call: (id) => h.call('POST', `/streams/${id}/stop`),
      channelTarget: { state: 'IDLE', after: 'STOPPING' },
      recordShows: (r) => r?.status === 'IDLE',
      waits: { 'Wait for channel to be idle': { state: 'IDLE', after: 'STOPPING' } },
    },
    {
      action: 'delete',
      call: (id) => h.call('DELETE', `/streams/${id}`),
      channelTarget: { state: 'DELETED' },
      recordShows: (r) => r === undefined,
      waits: { 'Wait for channel to be deleted': { state: 'DELETED' } },
    },
  ];
}

const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN;
};
const median = (values: number[]) => quantile(values, 0.5);
const fmt = (ms: number) =>
  Number.isNaN(ms) ? '–' : ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;

async function main(): Promise<void> {
  const scale = arg('scale', 0.1);
  const runs = arg('runs', 5);
  const scaled = (ms: number) => Math.round(ms * scale);
  const options = {
    timings: Object.fromEntries(
      Object.entries(FULL_SCALE.timings).map(([k, v]) => [k, scaled(v)]),
    ) as typeof FULL_SCALE.timings,
    waitTimeScale: scale,
    pollIntervalMs: scaled(FULL_SCALE.pollIntervalMs),
    pollBudgetMs: scaled(FULL_SCALE.pollBudgetMs),
    // The watchers' own DescribeChannel calls must not throttle the workflow under test.
    throttle: { requestsPerSecond: 1000, burst: 1000 },
  };
  const cpu = cpus();
  console.log(`# bench:workflows  ${new Date().toISOString()}`);
  console.log(
    `node ${process.version}, ${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}, load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  console.log(
    `scale ${scale}: start ${fmt(options.timings.startMs)}, stop ${fmt(options.timings.stopMs)}, create ${fmt(options.timings.createMs)}, ` +
      `update ${fmt(options.timings.updateMs)}, delete ${fmt(options.timings.deleteMs)}; poll every ${fmt(options.pollIntervalMs)}, ` +
      `${fmt(options.pollBudgetMs)} per invocation; ${runs} runs\n`,
  );

  const h = await startWorkflowHarness(options);
  h.faults.add({
    after: async (call, response) => {
      if (STATE_CHANGING.includes(`${operationOf(call)}Command`))
        await sleep(Math.random() * options.pollIntervalMs);
      return response;
    },
  });
  const samples: ActionSample[] = [];
  try {
    for (let run = 1; run <= runs; run++) {
      let id: string | undefined;
      const line: string[] = [];
      for (const plan of plans(h)) {
        const result = await runAction(h, plan, id);
        id = result.id;
        samples.push(result.sample);
        line.push(
          `${plan.action} ${result.sample.transitions} tr${result.sample.overheadMs !== undefined ? ` +${fmt(result.sample.overheadMs)}` : ''}` +
            (result.sample.missing ? ` (no overhead: ${result.sample.missing})` : ''),
        );
      }
      console.log(`run ${run}: ${line.join(', ')}`);
    }
  } finally {
    await h.close();
  }

  console.log(
    '\n| action | state transitions (median, max) | execution (median) | overhead channel → record (median, p90, max) | wait loop overhead (median, max) |',
  );
  console.log('|---|---|---|---|---|');
  const summary: Record<string, unknown> = {};
  for (const action of ['create', 'start', 'go-live', 'end-live', 'stop', 'delete'] as const) {
    const of = samples.filter((s) => s.action === action);
    const transitions = of.map((s) => s.transitions);
    const overheads = of.flatMap((s) => (s.overheadMs === undefined ? [] : [s.overheadMs]));
    const waitNames = [...new Set(of.flatMap((s) => s.waits.map((w) => w.name)))];
    const waitCells = waitNames.map((name) => {
      const values = of.flatMap((s) => s.waits.filter((w) => w.name === name).map((w) => w.overheadMs));
      return `${name}: ${fmt(median(values))}, ${fmt(Math.max(...values))}`;
    });
    console.log(
      `| ${action} | ${median(transitions)}, ${Math.max(...transitions)} | ${fmt(median(of.map((s) => s.durationMs)))} | ` +
        `${overheads.length ? `${fmt(median(overheads))}, ${fmt(quantile(overheads, 0.9))}, ${fmt(Math.max(...overheads))}` : '–'} | ` +
        `${waitCells.join('; ') || '–'} |`,
    );
    summary[action] = { transitions, overheadsMs: overheads.map(Math.round) };
  }

  const startTransitions = Math.max(...samples.filter((s) => s.action === 'start').map((s) => s.transitions));
  const waitOverheads = samples.flatMap((s) => s.waits.map((w) => w.overheadMs));
  const recordOverheads = samples.flatMap((s) => (s.overheadMs === undefined ? [] : [s.overheadMs]));
  console.log(`\nJSON ${JSON.stringify({ scale, runs, summary })}`);
  console.log(
    `\ntargets: record overhead median ${fmt(median(recordOverheads))} (≤ ${fmt(TARGETS.overheadMedianMs)}: ${median(recordOverheads) <= TARGETS.overheadMedianMs ? 'met' : 'MISSED'}); ` +
      `wait loop overhead median ${fmt(median(waitOverheads))}; ` +
      `start transitions max ${startTransitions} (≤ ${TARGETS.startTransitions}: ${startTransitions <= TARGETS.startTransitions ? 'met' : 'MISSED'})`,
  );
}

await main();
