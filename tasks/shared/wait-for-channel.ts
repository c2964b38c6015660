/**
 * Waits for the stream's channel to reach a state, asking MediaLive every `pollIntervalMs` for up
 * to `pollBudgetMs` per invocation. Polling inside the task (instead of a Wait state per poll) keeps
 * a 90 s start to a handful of state transitions while the record follows the channel within about
 * one poll interval. The machine loops on `done: false`; the overall bound is `timeout_seconds`
 * from the first call (`since`).
 */
import { DescribeChannelCommand, type MediaLiveClient, NotFoundException } from '@aws-sdk/client-medialive';
import { ChannelFailed, ChannelStateTimeout, MissingResource } from '../../core/errors.js';
import type { StreamStore } from '../../core/stream-store.js';
import * as clients from '../clients.js';
import type { TargetState, WaitInput, WaitOutput } from '../contracts.js';
import { settings, sleep, taskHandler } from '../runtime.js';

/** States a channel passes through on the way to each target. Anything else fails the wait. */
const ON_THE_WAY: Record<TargetState, readonly string[]> = {
  IDLE: ['CREATING', 'UPDATING', 'STOPPING', 'RUNNING', 'STARTING', 'RECOVERING'],
  RUNNING: ['STARTING', 'RECOVERING', 'IDLE'],
  DELETED: ['DELETING', 'IDLE'],
};
/** A just-started channel may still read IDLE for a moment; past this, IDLE means the start failed. */
const GRACE_MS = 30_000;

export async function waitForChannel(
  deps: {
    medialive: MediaLiveClient;
    store: StreamStore;
    intervalMs: number;
    budgetMs: number;
    now?: () => number;
  },
  input: WaitInput,
): Promise<WaitOutput> {
  const now = deps.now ?? Date.now;
  const since = input.since ?? new Date(now()).toISOString();
  const record = await deps.store.get(input.stream_id);
  const channelId = record.live_channel_id;
  if (!channelId) {
    if (input.target === 'DELETED') return { done: true, state: 'DELETED', since, at: since };
    throw new MissingResource(`stream ${record.id} has no MediaLive channel`);
  }
  const deadline = Date.parse(since) + input.timeout_seconds * 1000;
  const stopAsking = now() + deps.budgetMs;
  for (;;) {
    const state = await describeState(deps.medialive, channelId);
    if (state === input.target) return { done: true, state, since, at: new Date(now()).toISOString() };
    const elapsed = now() - Date.parse(since);
    const expected =
      ON_THE_WAY[input.target].includes(state) &&
      !(state === 'IDLE' && input.target === 'RUNNING' && elapsed > GRACE_MS);
    if (!expected) {
      throw new ChannelFailed(`channel ${channelId} is ${state} while waiting for ${input.target}`);
    }
    if (now() >= deadline) {
      throw new ChannelStateTimeout(
        `channel ${channelId} did not reach ${input.target} within ${input.timeout_seconds} s (still ${state})`,
      );
    }
    if (now() + deps.intervalMs > stopAsking)
      return { done: false, state, since, at: new Date(now()).toISOString() };
    await sleep(deps.intervalMs);
  }
}

async function describeState(medialive: MediaLiveClient, channelId: string): Promise<string> {
  try {
    const out = await medialive.send(new DescribeChannelCommand({ ChannelId: channelId }));
    return out.State ?? 'UNKNOWN';
  } catch (error) {
    if (error instanceof NotFoundException) return 'DELETED';
    throw error;
  }
}

export const handler = taskHandler('wait-for-channel', (input: WaitInput) =>
  waitForChannel(
    {
      medialive: clients.medialive(),
      store: clients.store(),
      intervalMs: settings.pollIntervalMs(),
      budgetMs: settings.pollBudgetMs(),
    },
    input,
  ),
);
