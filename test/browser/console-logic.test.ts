/** The console's DOM-free modules: times, routes, feature detection, action rules, API errors. */
import { describe, expect, it } from 'vitest';
import { buildOpenApi } from '../../api/openapi.js';
import { ApiError, describeError, toApiError } from '../../console/src/api-client.js';
import { detectFeatures } from '../../console/src/api-features.js';
import { DEFAULT_CONFIG, parseConfig } from '../../console/src/console-config.js';
import { hrefOf, parseRoute } from '../../console/src/routes.js';
import { splitRtmpUrl } from '../../console/src/rtmp-url.js';
import type { ActionRecord } from '../../console/src/stream-actions.js';
import { availableActions, deleteNeedsForce, workflowProgress } from '../../console/src/stream-actions.js';
import {
  epochToIso,
  formatClock,
  fromLocalInput,
  parseClock,
  toLocalInput,
} from '../../console/src/time-format.js';

function record(overrides: Partial<ActionRecord> = {}): ActionRecord {
  return { status: 'IDLE', cloudfront_associated: false, execution: null, error: null, ...overrides };
}

describe('session times', () => {
  it('reads seconds, m:ss and h:mm:ss, with decimals', () => {
    expect(parseClock('75')).toBe(75);
    expect(parseClock('75.5')).toBe(75.5);
    expect(parseClock('1:15')).toBe(75);
    expect(parseClock('1:15.5')).toBe(75.5);
    expect(parseClock(' 0:01:15 ')).toBe(75);
    expect(parseClock('2:00:00')).toBe(7200);
  });

  it('refuses what is not a time', () => {
    for (const text of ['', 'abc', '1:60', '-3', '1::2', '1:2:3:4', '1e3'])
      expect(parseClock(text), text).toBeUndefined();
  });

  it('writes times that read back the same', () => {
    expect(formatClock(75)).toBe('1:15');
    expect(formatClock(75.46, true)).toBe('1:15.5');
    expect(formatClock(3725, true)).toBe('1:02:05.0');
    expect(formatClock(Number.NaN)).toBe('–');
    for (const seconds of [0, 9.9, 59.9, 60, 3599.9, 3600, 86399.9]) {
      expect(parseClock(formatClock(seconds, true))).toBeCloseTo(seconds, 5);
    }
  });

  it('turns the seed epoch strings into ISO instants', () => {
    expect(epochToIso('1700000000')).toBe('2023-11-14T22:13:20.000Z');
    expect(epochToIso(null)).toBeNull();
    expect(epochToIso('soon')).toBeNull();
  });

  it('round-trips datetime-local values through ISO instants', () => {
    const iso = fromLocalInput('2030-01-02T10:30');
    expect(iso).toMatch(/^2030-01-0[12]T\d{2}:30:00\.000Z$/);
    expect(toLocalInput(iso)).toBe('2030-01-02T10:30');
    expect(fromLocalInput('')).toBeUndefined();
  });
});

describe('routes', () => {
  it('maps hashes to pages and back', () => {
    expect(parseRoute('')).toEqual({ page: 'streams' });
    expect(parseRoute('#/')).toEqual({ page: 'streams' });
    expect(parseRoute('#/new')).toEqual({ page: 'create' });
    expect(parseRoute('#/streams/0123456789ABCDEF')).toEqual({ page: 'stream', id: '0123456789ABCDEF' });
    expect(parseRoute('#/streams/../x')).toEqual({ page: 'streams' });
    expect(hrefOf({ page: 'stream', id: 'AB' })).toBe('#/streams/AB');
    expect(parseRoute(hrefOf({ page: 'create' }))).toEqual({ page: 'create' });
  });
});

describe('RTMP targets for OBS', () => {
  it('splits a push URL into server and stream key', () => {
    expect(splitRtmpUrl('rtmp://127.0.0.1:1935/live1/0123abcd')).toEqual({
      server: 'rtmp://127.0.0.1:1935/live1',
      key: '0123abcd',
    });
    expect(splitRtmpUrl('rtmp://203.0.113.5:1935/app/inner/key')).toEqual({
      server: 'rtmp://203.0.113.5:1935/app/inner',
      key: 'key',
    });
    expect(splitRtmpUrl(null)).toBeUndefined();
    expect(splitRtmpUrl('rtmp://host-only')).toBeUndefined();
  });
});

describe('feature detection from the OpenAPI document', () => {
  it('finds the schedule panel only when set and cancel both exist', () => {
    expect(detectFeatures({ paths: { '/streams/{id}/schedule': { post: {}, delete: {} } } }).schedule).toBe(
      true,
    );
    expect(detectFeatures({ paths: { '/streams/{id}/schedule': { get: {} } } }).schedule).toBe(false);
  });

  it('finds the executions panel by its GET route', () => {
    expect(detectFeatures({ paths: { '/streams/{id}/executions': { get: {} } } }).executions).toBe(true);
  });

  it('finds nothing in documents that are not OpenAPI', () => {
    for (const doc of [null, 'x', {}, { paths: null }, { paths: { '/streams/{id}/schedule': 1 } }]) {
      expect(detectFeatures(doc)).toEqual({ schedule: false, executions: false });
    }
  });

  it('agrees with the API this tree builds', () => {
    const document = buildOpenApi() as { paths: Record<string, Record<string, unknown>> };
    const features = detectFeatures(document);
    const schedule = document.paths['/streams/{id}/schedule'];
    expect(features.schedule).toBe(Boolean(schedule?.post && schedule.delete));
    expect(features.executions).toBe(Boolean(document.paths['/streams/{id}/executions']?.get));
  });
});

describe('actions offered per status', () => {
  it('offers start and delete on an idle stream, stop and a forced delete on a running one', () => {
    expect(availableActions(record({ status: 'IDLE' }))).toEqual({
      start: true,
      stop: false,
      'go-live': true,
      'end-live': false,
      delete: true,
    });
    const running = record({ status: 'RUNNING' });
    expect(availableActions(running)).toMatchObject({ start: false, stop: true, delete: true });
    expect(deleteNeedsForce(running)).toBe(true);
    expect(deleteNeedsForce(record({ status: 'IDLE' }))).toBe(false);
  });

  it('offers nothing while a lifecycle workflow runs', () => {
    for (const status of ['CREATING', 'STOPPING', 'DELETING'] as const) {
      expect(Object.values(availableActions(record({ status }))).some(Boolean), status).toBe(false);
    }
  });

  it('offers end live, not go live, once on the CDN', () => {
    expect(availableActions(record({ status: 'RUNNING', cloudfront_associated: true }))).toMatchObject({
      'go-live': false,
      'end-live': true,
    });
  });
});

describe('workflow progress', () => {
  const execution = (action: 'start' | 'go-live' | 'end-live') => ({
    action,
    name: `S-${action}-1`,
    arn: `arn:aws:states:us-east-1:000000000000:execution:M:S-${action}-1`,
    started_at: '2026-01-01T10:00:00.000Z',
  });

  it('says which workflow runs, with its execution name, during a transitional status', () => {
    expect(workflowProgress(record({ status: 'STARTING', execution: execution('start') }))).toEqual({
      running: true,
      text: 'Starting the channel',
      execution: 'S-start-1',
    });
    expect(workflowProgress(record({ status: 'RUNNING', execution: execution('start') })).running).toBe(
      false,
    );
  });

  it('shows going live as running until the stream is on the CDN', () => {
    const going = record({ status: 'RUNNING', execution: execution('go-live') });
    expect(workflowProgress(going)).toMatchObject({ running: true, text: 'Putting the stream on the CDN' });
    expect(workflowProgress({ ...going, cloudfront_associated: true }).running).toBe(false);
  });

  it('stops showing going live once its failure is recorded', () => {
    const failed = record({
      status: 'RUNNING',
      execution: execution('go-live'),
      error: { code: 'TooManyOrigins', message: 'quota', action: 'go-live', at: '2026-01-01T10:00:05.000Z' },
    });
    expect(workflowProgress(failed).running).toBe(false);
  });
});

describe('API errors', () => {
  it('reads the API error body: code, message, field details and the refused status', () => {
    const error = toApiError(409, {
      error: { code: 'ActionNotAllowed', message: 'cannot start', status: 'RUNNING' },
    });
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 409, code: 'ActionNotAllowed', streamStatus: 'RUNNING' });
    expect(describeError(error)).toBe('cannot start — (stream is RUNNING)');
    const invalid = toApiError(400, {
      error: {
        code: 'InvalidRequest',
        message: 'bad',
        details: [{ field: 'name', reason: 'required' }, { nope: 1 }],
      },
    });
    expect(invalid.details).toEqual([{ field: 'name', reason: 'required' }]);
  });

  it('copes with bodies that are not the API error shape', () => {
    expect(toApiError(502, undefined)).toMatchObject({ code: 'HttpError', message: 'the API answered 502' });
    expect(toApiError(500, { error: 'x' })).toMatchObject({ code: 'HttpError' });
  });
});

describe('runtime config', () => {
  it('falls back to same-origin defaults', () => {
    expect(parseConfig(null)).toEqual(DEFAULT_CONFIG);
    expect(parseConfig({ apiBaseUrl: 'https://api.example.com/prod/', mode: 'local' })).toEqual({
      ...DEFAULT_CONFIG,
      apiBaseUrl: 'https://api.example.com/prod',
      mode: 'local',
    });
  });
});
