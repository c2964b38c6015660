/**
 * "Stream Status Changed" events on the deployment's EventBridge bus: one per status change, so
 * users can hook webhooks, chat bots or dashboards on a rule. The store publishes them after each
 * successful status write (core/stream-store.ts); publishing never blocks or undoes a transition.
 */
import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { StreamRecord, StreamStatus } from './stream.js';

export const EVENT_SOURCE = 'live-streaming';
export const STATUS_CHANGED = 'Stream Status Changed';
/** A running stream's input went away or came back (MediaLive's input-loss alert, SET or CLEARED). */
export const INPUT_LOST = 'Stream Input Lost';
export const INPUT_RESTORED = 'Stream Input Restored';

export interface InputChangedDetail {
  stream_id: string;
  stream_name: string;
  /** 0 or 1: the pipeline whose input changed. */
  pipeline: number;
  input: 'LOST' | 'RESTORED';
  session_id: string | null;
  /** MediaLive's alert type and message. */
  alert_type: string;
  message: string;
  at: string;
}

export interface StatusChangedDetail {
  stream_id: string;
  stream_name: string;
  previous_status: StreamStatus | null;
  /** `DELETED` once the record is removed. */
  status: StreamStatus | 'DELETED';
  session_id: string | null;
  execution: string | null;
  /** Why, when a workflow failed or something outside a workflow changed the stream. */
  reason: string | null;
  version: number;
  at: string;
}

export interface StatusEventPublisher {
  publish(detail: StatusChangedDetail): Promise<void>;
  publishInput?(detail: InputChangedDetail): Promise<void>;
}

export function statusChanged(
  previous: StreamRecord | null,
  next: StreamRecord,
  status: StatusChangedDetail['status'] = next.status,
  at = new Date(),
): StatusChangedDetail {
  return {
    stream_id: next.id,
    stream_name: next.name,
    previous_status: previous?.status ?? null,
    status,
    // A start has no session until its channel runs: the record still names the previous one.
    session_id: status === 'STARTING' ? null : next.current_session_id,
    execution: next.execution?.arn ?? null,
    reason: next.error?.message ?? null,
    version: next.version,
    at: at.toISOString(),
  };
}

export class EventBridgeStatusPublisher implements StatusEventPublisher {
  constructor(
    private readonly events: EventBridgeClient,
    private readonly busName: string,
    private readonly onError: (
      error: unknown,
      detail: StatusChangedDetail | InputChangedDetail,
    ) => void = () => undefined,
  ) {}

  publish(detail: StatusChangedDetail): Promise<void> {
    return this.put(STATUS_CHANGED, detail);
  }

  publishInput(detail: InputChangedDetail): Promise<void> {
    return this.put(detail.input === 'LOST' ? INPUT_LOST : INPUT_RESTORED, detail);
  }

  private async put(detailType: string, detail: StatusChangedDetail | InputChangedDetail): Promise<void> {
    try {
      const out = await this.events.send(
        new PutEventsCommand({
          Entries: [
            {
              EventBusName: this.busName,
              Source: EVENT_SOURCE,
              DetailType: detailType,
              Detail: JSON.stringify(detail),
              Resources: [],
              Time: new Date(detail.at),
            },
          ],
        }),
      );
      if (out.FailedEntryCount)
        throw new Error(out.Entries?.[0]?.ErrorMessage ?? 'PutEvents refused the event');
    } catch (error) {
      this.onError(error, detail);
    }
  }
}
