/**
 * Drives MediaLive channel (and input) states over time, the way MediaLive does, and calls the media
 * plane at the moments a real channel would start or stop encoding:
 * - CREATING → IDLE after `createMs`; UPDATING → IDLE after `updateMs`.
 * - StartChannel: IDLE → STARTING; after `startMs` the media plane starts encoding, then RUNNING.
 *   If the media plane fails, the channel falls back to IDLE as a MediaLive channel that cannot
 *   start does (StartChannel already answered): pollers treat "IDLE after STARTING" as a failed start.
 * - StopChannel: RUNNING or STARTING → STOPPING; the media plane stops (if it was asked to start);
 *   IDLE once both that and `stopMs` are over, even if the media plane failed to stop.
 * - DeleteChannel: IDLE → DELETING → DELETED after `deleteMs`; its inputs are DETACHED from then on.
 * - DeleteInput: DELETING → DELETED after `deleteMs`.
 */

import { AwsError } from '../../aws-server/aws-error.js';
import type { MediaPlane } from '../contracts.js';
import type { ChannelRecord, InputRecord } from './state.js';
import { toLocalChannel } from './wire.js';

export type ChannelTimings = Record<'createMs' | 'startMs' | 'stopMs' | 'deleteMs' | 'updateMs', number>;

export type ControlLog = (message: string, details: Record<string, unknown>) => void;

export const conflict = (channel: ChannelRecord, action: string, allowed: string) =>
  new AwsError(
    'ConflictException',
    `Channel ${channel.id} is ${channel.state}; it can be ${action} only when ${allowed}.`,
    409,
  );

export class ChannelLifecycle {
  /** Pending transitions by channel or input id (MediaLive ids are unique across both). */
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** Channels the media plane was asked to start: resolves true once started, false if it failed. */
  private readonly encoders = new Map<string, Promise<boolean>>();
  private readonly flows = new Set<Promise<void>>();
  private closed = false;

  constructor(
    private readonly save: () => void,
    private readonly mediaPlane: MediaPlane,
    private readonly timings: ChannelTimings,
    private readonly log: ControlLog,
  ) {}

  created(channel: ChannelRecord): void {
    this.move(channel, 'CREATING', this.timings.createMs, 'IDLE');
  }

  /** Call after the new settings are stored: UpdateChannel answers with UPDATING. */
  updated(channel: ChannelRecord): void {
    this.move(channel, 'UPDATING', this.timings.updateMs, 'IDLE');
  }

  start(channel: ChannelRecord): void {
    if (channel.state !== 'IDLE') throw conflict(channel, 'started', 'IDLE');
    channel.state = 'STARTING';
    this.save();
    this.after(channel.id, this.timings.startMs, () => this.track(this.startEncoder(channel)));
  }

  stop(channel: ChannelRecord): void {
    if (channel.state !== 'RUNNING' && channel.state !== 'STARTING') {
      throw conflict(channel, 'stopped', 'RUNNING or STARTING');
    }
    // A start still waiting for its delay never reaches the media plane.
    clearTimeout(this.timers.get(channel.id));
    channel.state = 'STOPPING';
    this.save();
    this.track(this.stopEncoder(channel));
  }

  delete(channel: ChannelRecord): void {
    if (channel.state !== 'IDLE') throw conflict(channel, 'deleted', 'IDLE');
    this.move(channel, 'DELETING', this.timings.deleteMs, 'DELETED');
  }

  deleteInput(input: InputRecord): void {
    this.move(input, 'DELETING', this.timings.deleteMs, 'DELETED');
  }

  /** Whether the media plane has been asked to encode this channel and not yet to stop. */
  isEncoding(channelId: string): boolean {
    return this.encoders.has(channelId);
  }

  /** Cancels pending transitions and waits for media plane calls in flight. */
  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    await Promise.allSettled([...this.flows]);
  }

  /** `now` at once, `then` after `ms` unless something else moved the channel or input meanwhile. */
  private move<S extends string>(
    record: { id: string; state: S; deletedAt?: string },
    now: S,
    ms: number,
    then: S,
  ) {
    record.state = now;
    this.save();
    this.after(record.id, ms, () => {
      if (record.state !== now) return;
      record.state = then;
      if (then === 'DELETED') record.deletedAt = new Date().toISOString();
    });
  }

  private async startEncoder(channel: ChannelRecord): Promise<void> {
    if (channel.state !== 'STARTING') return;
    const started = this.mediaPlane.startChannel(toLocalChannel(channel)).then(
      () => true,
      (error: unknown) => {
        this.log('media plane failed to start the channel; back to IDLE as MediaLive does', {
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
    this.save();
  }

  private async stopEncoder(channel: ChannelRecord): Promise<void> {
    const begun = Date.now();
    const encoder = this.encoders.get(channel.id);
    this.encoders.delete(channel.id);
    if (encoder && (await encoder)) {
      await this.mediaPlane.stopChannel(channel.id).catch((error: unknown) => {
        this.log('media plane failed to stop the channel; marking it IDLE anyway', {
          channelId: channel.id,
          error: String(error),
        });
      });
    }
    this.after(channel.id, Math.max(0, this.timings.stopMs - (Date.now() - begun)), () => {
      if (channel.state === 'STOPPING') channel.state = 'IDLE';
    });
  }

  private after(key: string, ms: number, transition: () => void): void {
    if (this.closed) return;
    clearTimeout(this.timers.get(key));
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        if (this.closed) return;
        transition();
        this.save();
      }, ms),
    );
  }

  private track(flow: Promise<void>): void {
    const tracked = flow.catch((error: unknown) =>
      this.log('channel transition failed', { error: String(error) }),
    );
    this.flows.add(tracked);
    void tracked.finally(() => this.flows.delete(tracked));
  }
}
