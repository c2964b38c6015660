/**
 * Drives MediaLive channel (and input) states over time, the way MediaLive does, and calls the
 * media plane at the moments a real channel would start or stop encoding.
 *
 * - CREATING → IDLE after `createMs`; UPDATING → IDLE after `updateMs`.
 * - StartChannel: IDLE → STARTING; after `startMs` the media plane starts encoding; once it is ready,
 *   RUNNING. If the media plane fails to start, the channel falls back to IDLE, as a MediaLive channel
 *   that cannot start does (StartChannel has already answered 200; the failure shows as the channel
 *   never reaching RUNNING, so pollers must treat "IDLE after STARTING" as a failed start).
 * - StopChannel: RUNNING or STARTING → STOPPING; the media plane stops (only if it was asked to
 *   start); IDLE once both that and `stopMs` are over. A failing media plane stop still ends IDLE:
 *   MediaLive's stop always ends there.
 * - DeleteChannel: IDLE → DELETING → DELETED after `deleteMs`; its inputs are DETACHED from then on
 *   (attachment is derived from the channels that are not DELETED).
 * - DeleteInput: DELETING → DELETED after `deleteMs`.
 */
import type { MediaPlane } from '../contracts.js';
import type { ChannelRecord, InputRecord } from './control-state.js';
import { toLocalChannel } from './local-channel.js';
import { mediaLiveErrors } from './service-error.js';

export interface ChannelTimings {
  createMs: number;
  startMs: number;
  stopMs: number;
  deleteMs: number;
  updateMs: number;
}

export type ControlLog = (message: string, details: Record<string, unknown>) => void;

interface LifecycleDeps {
  save(): void;
  mediaPlane: MediaPlane;
  timings: ChannelTimings;
  log: ControlLog;
}

export class ChannelLifecycle {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** Channels the media plane was asked to start: resolves true once started, false if it failed. */
  private readonly encoders = new Map<string, Promise<boolean>>();
  private readonly flows = new Set<Promise<void>>();
  private closed = false;

  constructor(private readonly deps: LifecycleDeps) {}

  created(channel: ChannelRecord): void {
    channel.state = 'CREATING';
    this.deps.save();
    this.after(`channel:${channel.id}`, this.deps.timings.createMs, () => {
      if (channel.state === 'CREATING') channel.state = 'IDLE';
    });
  }

  /** Call after the new settings are stored: UpdateChannel answers with UPDATING. */
  updated(channel: ChannelRecord): void {
    channel.state = 'UPDATING';
    this.deps.save();
    this.after(`channel:${channel.id}`, this.deps.timings.updateMs, () => {
      if (channel.state === 'UPDATING') channel.state = 'IDLE';
    });
  }

  start(channel: ChannelRecord): void {
    if (channel.state !== 'IDLE') {
      throw mediaLiveErrors.conflict(
        `Channel ${channel.id} is ${channel.state}; it can be started only when IDLE.`,
      );
    }
    channel.state = 'STARTING';
    this.deps.save();
    this.after(`channel:${channel.id}`, this.deps.timings.startMs, () =>
      this.track(this.startEncoder(channel)),
    );
  }

  stop(channel: ChannelRecord): void {
    if (channel.state !== 'RUNNING' && channel.state !== 'STARTING') {
      throw mediaLiveErrors.conflict(
        `Channel ${channel.id} is ${channel.state}; it can be stopped only when RUNNING or STARTING.`,
      );
    }
    // A start still waiting for its delay never reaches the media plane.
    this.cancel(`channel:${channel.id}`);
    channel.state = 'STOPPING';
    this.deps.save();
    this.track(this.stopEncoder(channel));
  }

  delete(channel: ChannelRecord): void {
    if (channel.state !== 'IDLE') {
      throw mediaLiveErrors.conflict(
        `Channel ${channel.id} is ${channel.state}; it can be deleted only when IDLE.`,
      );
    }
    channel.state = 'DELETING';
    this.deps.save();
    this.after(`channel:${channel.id}`, this.deps.timings.deleteMs, () => {
      channel.state = 'DELETED';
      channel.deletedAt = new Date().toISOString();
    });
  }

  deleteInput(input: InputRecord): void {
    input.state = 'DELETING';
    this.deps.save();
    this.after(`input:${input.id}`, this.deps.timings.deleteMs, () => {
      input.state = 'DELETED';
      input.deletedAt = new Date().toISOString();
    });
  }

  /** Whether the media plane has been asked to encode this channel and not yet to stop. */
  isEncoding(channelId: string): boolean {
    return this.encoders.has(channelId);
  }

  /** Cancels pending transitions and waits for media plane calls in flight. */
  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    await Promise.allSettled([...this.flows]);
  }

  private async startEncoder(channel: ChannelRecord): Promise<void> {
    if (channel.state !== 'STARTING') return;
    const started = this.deps.mediaPlane.startChannel(toLocalChannel(channel)).then(
      () => true,
      (error: unknown) => {
        this.deps.log('media plane failed to start the channel; back to IDLE as MediaLive does', {
          channelId: channel.id,
          error: String(error),
        });
        return false;
      },
    );
    this.encoders.set(channel.id, started);
    const ok = await started;
    if (!ok && this.encoders.get(channel.id) === started) this.encoders.delete(channel.id);
    if (this.closed || channel.state !== 'STARTING') return;
    channel.state = ok ? 'RUNNING' : 'IDLE';
    this.deps.save();
  }

  private async stopEncoder(channel: ChannelRecord): Promise<void> {
    const begun = Date.now();
    const encoder = this.encoders.get(channel.id);
    if (encoder) {
      const started = await encoder;
      this.encoders.delete(channel.id);
      if (started) {
        try {
          await this.deps.mediaPlane.stopChannel(channel.id);
        } catch (error) {
          this.deps.log('media plane failed to stop the channel; marking it IDLE anyway', {
            channelId: channel.id,
            error: String(error),
          });
        }
      }
    }
    const remaining = Math.max(0, this.deps.timings.stopMs - (Date.now() - begun));
    this.after(`channel:${channel.id}`, remaining, () => {
      if (channel.state === 'STOPPING') channel.state = 'IDLE';
    });
  }

  private after(key: string, ms: number, transition: () => void): void {
    if (this.closed) return;
    this.cancel(key);
    const timer = setTimeout(() => {
      this.timers.delete(key);
      if (this.closed) return;
      transition();
      this.deps.save();
    }, ms);
    this.timers.set(key, timer);
  }

  private cancel(key: string): void {
    const timer = this.timers.get(key);
    if (timer) clearTimeout(timer);
    this.timers.delete(key);
  }

  private track(flow: Promise<void>): void {
    const tracked = flow.catch((error: unknown) => {
      this.deps.log('channel transition failed', { error: String(error) });
    });
    this.flows.add(tracked);
    void tracked.finally(() => this.flows.delete(tracked));
  }
}
