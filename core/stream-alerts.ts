/**
 * MediaLive's channel alerts, kept per stream so that `GET /streams/{id}/health` can say what is
 * wrong now and what went wrong during the session. The drift handler (tasks/channel-events/)
 * records each "MediaLive Channel Alert" event; alerts live in items of their own beside the
 * stream record (core/stream-store.ts), so that a burst of alerts never bumps the record's
 * `version` under a workflow that is about to write it.
 */

/**
 * MediaLive alert types that mean "no input" on a push input. Not "Audio Not Detected": an input
 * without audio is there all the same.
 */
export const INPUT_LOSS_ALERT =
  /video not detected|no audio\/video|input (?:loss|lost)|stream not found|rtmp(?! ?output).*(?:lost|closed|not)/i;

/** Alert types about the outputs that push to other platforms (an RTMP output group). */
export const RTMP_OUTPUT_ALERT = /rtmp.*output|output.*rtmp/i;

export interface ChannelAlert {
  /** MediaLive's `alarm_id`: the same id for the SET and the CLEARED of one alarm. */
  id: string;
  pipeline: number;
  type: string;
  message: string;
  set_at: string;
  /** Null while the alert is active. */
  cleared_at: string | null;
}

/** One "MediaLive Channel Alert" event, as the store records it. */
export interface AlertChange {
  id: string;
  pipeline: number;
  type: string;
  message: string;
  state: 'SET' | 'CLEARED';
  at: string;
}

/**
 * How long an alert item is kept (DynamoDB TTL): a week covers any event and its review; the health
 * route shows only the current session's.
 */
export const ALERT_RETENTION_SECONDS = 7 * 86_400;

export const isActive = (alert: ChannelAlert): boolean => alert.cleared_at === null;
export const isInputLoss = (alert: Pick<ChannelAlert, 'type'>): boolean => INPUT_LOSS_ALERT.test(alert.type);
