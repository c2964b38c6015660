/**
 * "Clip Changed" events on the deployment's bus, beside "Stream Status Changed": a clip written by a
 * split, deleted, and each status of its MP4 exports. Publishing never blocks or undoes a change.
 */
import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { ExportStatus } from './clip.js';
import { EVENT_SOURCE } from './status-events.js';

export const CLIP_CHANGED = 'Clip Changed';
/** PutEvents takes at most 10 entries (EventBridge API reference, PutEvents). */
const MAX_ENTRIES = 10;

export interface ClipChangedDetail {
  stream_id: string;
  clip_id: string;
  session_id: string;
  change: 'CREATED' | 'DELETED' | 'EXPORT';
  /** For `EXPORT`: which export and its new status. */
  export_id: string | null;
  export_status: ExportStatus | null;
  reason: string | null;
  at: string;
}

export interface ClipEventPublisher {
  publish(details: ClipChangedDetail[]): Promise<void>;
}

export class EventBridgeClipPublisher implements ClipEventPublisher {
  constructor(
    private readonly events: EventBridgeClient,
    private readonly busName: string,
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {}

  async publish(details: ClipChangedDetail[]): Promise<void> {
    for (let i = 0; i < details.length; i += MAX_ENTRIES) {
      try {
        const out = await this.events.send(
          new PutEventsCommand({
            Entries: details.slice(i, i + MAX_ENTRIES).map((detail) => ({
              EventBusName: this.busName,
              Source: EVENT_SOURCE,
              DetailType: CLIP_CHANGED,
              Detail: JSON.stringify(detail),
              Resources: [],
              Time: new Date(detail.at),
            })),
          }),
        );
        if (out.FailedEntryCount) throw new Error(`PutEvents refused ${out.FailedEntryCount} clip events`);
      } catch (error) {
        this.onError(error);
      }
    }
  }
}
