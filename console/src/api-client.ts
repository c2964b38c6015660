/**
 * The public API as the console uses it: bearer token, JSON in and out, the API's error body
 * (`{"error":{"code","message","details"?,"status"?}}`) turned into `ApiError`.
 */
import type { ClipAnswer, ClipExportAnswer } from '../../api/clip-links.js';
import type { RecordingSession, StreamRecord, StreamSummary } from '../../core/stream.js';
import type { StreamHealth } from '../../core/stream-health.js';

export type { StreamHealth };

export interface ErrorDetail {
  field: string;
  reason: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ErrorDetail[] = [],
    /** The stream's status when the API refused an action (409). */
    readonly streamStatus: string | undefined = undefined,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface Page<T> {
  items: T[];
  nextToken: string | null;
}

export interface CreateStreamInput {
  name: string;
  description?: string;
  channel_class?: 'STANDARD' | 'SINGLE_PIPELINE';
  segment_length?: number;
  startover_window_seconds?: number;
  max_duration_seconds?: number;
  stop_after_input_loss_seconds?: number;
}

export interface ClipRange {
  start: number;
  end: number;
}

/** One clip of `POST /streams/{id}/split`. */
export interface SplitClip {
  /** Its record (GET /streams/{id}/clips/{clip_id}); null when no file could be played. */
  clip_id?: string | null;
  /** Signed HLS link: plays without credentials. */
  playback_url?: string | null;
  index: string | null;
  /** Key of the clip's playlist in the archive bucket. */
  key: string | null;
  start: number;
  end: number;
  covered_start: number | null;
  covered_end: number | null;
  segments: number;
  missing?: ClipRange[];
  not_available_yet?: ClipRange | null;
}

export interface SplitResult {
  indexes: string[];
  clips: SplitClip[];
}

/** A clip and its exports as the API answers them (api/clip-links.ts). */
export type ClipView = ClipAnswer;
export type ClipExportView = ClipExportAnswer;

export interface ScheduleInput {
  start_at: string;
  stop_at?: string;
}

export class ApiClient {
  constructor(
    private readonly baseUrl: string,
    private readonly token: string,
    /** Called on a 401: the token is wrong or the local app was restarted with a new one. */
    private readonly onUnauthorized: () => void = () => undefined,
    /**
     * `bearer` sends `Bearer <token>` (local mode); `raw` sends the token alone, as API Gateway's
     * Cognito user pool authorizer expects the ID token.
     */
    private readonly scheme: 'bearer' | 'raw' = 'bearer',
  ) {}

  get authorization(): string {
    return this.scheme === 'raw' ? this.token : `Bearer ${this.token}`;
  }

  async request<T>(method: string, route: string, body?: unknown): Promise<{ data: T; headers: Headers }> {
    const headers: Record<string, string> = { authorization: this.authorization, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${route}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (error) {
      throw new ApiError(0, 'NetworkError', `the API did not answer (${(error as Error).message})`);
    }
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    if (!response.ok) {
      if (response.status === 401) this.onUnauthorized();
      throw toApiError(response.status, parsed);
    }
    return { data: parsed as T, headers: response.headers };
  }

  async listStreams(limit = 25, nextToken?: string | null): Promise<Page<StreamSummary>> {
    const query = new URLSearchParams({ limit: String(limit) });
    if (nextToken) query.set('next_token', nextToken);
    const { data, headers } = await this.request<StreamSummary[]>('GET', `/streams?${query}`);
    return { items: data, nextToken: headers.get('x-next-token') };
  }

  async getStream(id: string): Promise<StreamRecord> {
    return (await this.request<StreamRecord>('GET', `/streams/${encodeURIComponent(id)}`)).data;
  }

  async createStream(input: CreateStreamInput): Promise<StreamRecord> {
    return (await this.request<StreamRecord>('POST', '/streams', input)).data;
  }

  async start(id: string): Promise<StreamRecord> {
    return (await this.request<StreamRecord>('POST', `/streams/${encodeURIComponent(id)}/start`, {})).data;
  }

  async stop(id: string): Promise<StreamRecord> {
    return (await this.request<StreamRecord>('POST', `/streams/${encodeURIComponent(id)}/stop`, {})).data;
  }

  async goLive(id: string): Promise<StreamRecord> {
    return (await this.request<StreamRecord>('POST', `/streams/${encodeURIComponent(id)}/live`, {})).data;
  }

  async endLive(id: string): Promise<StreamRecord> {
    return (await this.request<StreamRecord>('DELETE', `/streams/${encodeURIComponent(id)}/live`)).data;
  }

  async deleteStream(id: string, force: boolean): Promise<StreamRecord> {
    const query = force ? '?force=true' : '';
    return (await this.request<StreamRecord>('DELETE', `/streams/${encodeURIComponent(id)}${query}`)).data;
  }

  /** Every session, following the page tokens (a stream has one per start). */
  async listSessions(id: string, maxPages = 20): Promise<RecordingSession[]> {
    const sessions: RecordingSession[] = [];
    let token: string | null = null;
    for (let page = 0; page < maxPages; page++) {
      const query = new URLSearchParams({ limit: '100' });
      if (token) query.set('next_token', token);
      const { data, headers } = await this.request<RecordingSession[]>(
        'GET',
        `/streams/${encodeURIComponent(id)}/sessions?${query}`,
      );
      sessions.push(...data);
      token = headers.get('x-next-token');
      if (!token) break;
    }
    return sessions;
  }

  async split(id: string, sessionId: string, ranges: ClipRange[]): Promise<SplitResult> {
    const body = { session_id: sessionId, timestamp_list: ranges };
    return (await this.request<SplitResult>('POST', `/streams/${encodeURIComponent(id)}/split`, body)).data;
  }

  /** The clips of a stream (of one session when given), newest first, following the page tokens. */
  async listClips(id: string, sessionId?: string, maxPages = 10): Promise<ClipView[]> {
    const clips: ClipView[] = [];
    let token: string | null = null;
    for (let page = 0; page < maxPages; page++) {
      const query = new URLSearchParams({ limit: '100' });
      if (sessionId) query.set('session_id', sessionId);
      if (token) query.set('next_token', token);
      const { data, headers } = await this.request<ClipView[]>(
        'GET',
        `/streams/${encodeURIComponent(id)}/clips?${query}`,
      );
      clips.push(...data);
      token = headers.get('x-next-token');
      if (!token) break;
    }
    return clips;
  }

  async getClip(id: string, clipId: string): Promise<ClipView> {
    return (
      await this.request<ClipView>(
        'GET',
        `/streams/${encodeURIComponent(id)}/clips/${encodeURIComponent(clipId)}`,
      )
    ).data;
  }

  async exportClip(id: string, clipId: string): Promise<ClipView> {
    const route = `/streams/${encodeURIComponent(id)}/clips/${encodeURIComponent(clipId)}/exports`;
    return (await this.request<ClipView>('POST', route, {})).data;
  }

  async deleteClip(id: string, clipId: string): Promise<void> {
    await this.request('DELETE', `/streams/${encodeURIComponent(id)}/clips/${encodeURIComponent(clipId)}`);
  }

  async openApi(): Promise<unknown> {
    return (await this.request<unknown>('GET', '/openapi.json')).data;
  }

  async setSchedule(id: string, input: ScheduleInput): Promise<unknown> {
    return (await this.request<unknown>('POST', `/streams/${encodeURIComponent(id)}/schedule`, input)).data;
  }

  async cancelSchedule(id: string): Promise<void> {
    await this.request<unknown>('DELETE', `/streams/${encodeURIComponent(id)}/schedule`);
  }

  async health(id: string): Promise<StreamHealth> {
    return (await this.request<StreamHealth>('GET', `/streams/${id}/health`)).data;
  }

  /**
   * The newest picture of a running stream as an object URL (revoke it when replaced), or null when
   * there is none. `Accept: image/jpeg` makes API Gateway send the bytes (a binary media type).
   */
  async thumbnail(id: string, pipeline = 0): Promise<{ url: string; at: string | null } | null> {
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}/streams/${id}/thumbnail?pipeline=${pipeline}`, {
        headers: { authorization: this.authorization, accept: 'image/jpeg' },
      });
    } catch {
      return null;
    }
    if (response.status === 401) this.onUnauthorized();
    if (!response.ok) return null;
    return { url: URL.createObjectURL(await response.blob()), at: response.headers.get('x-thumbnail-time') };
  }

  async listExecutions(id: string): Promise<unknown> {
    return (await this.request<unknown>('GET', `/streams/${encodeURIComponent(id)}/executions`)).data;
  }
}

export function toApiError(status: number, body: unknown): ApiError {
  const error = (body as { error?: Record<string, unknown> } | undefined)?.error;
  if (!error || typeof error !== 'object') {
    return new ApiError(status, 'HttpError', `the API answered ${status}`);
  }
  const details = Array.isArray(error.details)
    ? error.details.filter(
        (d): d is ErrorDetail =>
          typeof d === 'object' && d !== null && typeof d.field === 'string' && typeof d.reason === 'string',
      )
    : [];
  return new ApiError(
    status,
    typeof error.code === 'string' ? error.code : 'HttpError',
    typeof error.message === 'string' ? error.message : `the API answered ${status}`,
    details,
    typeof error.status === 'string' ? error.status : undefined,
  );
}

/** One line for people: the message, the refused status, the fields at fault. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) {
    const parts = [error.message];
    if (error.streamStatus) parts.push(`(stream is ${error.streamStatus})`);
    for (const d of error.details) parts.push(`${d.field}: ${d.reason}`);
    return parts.join(' — ');
  }
  return error instanceof Error ? error.message : String(error);
}
