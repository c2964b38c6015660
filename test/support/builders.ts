import { randomBytes } from 'node:crypto';
import type { StreamRecord } from '../../core/stream.js';

/** One builder for stream records in tests: valid defaults, override what the test is about. */
export function aStream(overrides: Partial<StreamRecord> = {}): StreamRecord {
  const id = overrides.id ?? randomBytes(8).toString('hex').toUpperCase();
  return {
    id,
    name: 'Keynote',
    description: 'Main stage',
    rtmp1: null,
    rtmp2: null,
    viewer_endpoint: null,
    viewer_endpoint_cloudfront: null,
    archives_path: {},
    last_update: '1764000000',
    last_started: null,
    last_stopped: null,
    started: false,
    current_session_id: null,
    live_channel_id: null,
    live_input_id: null,
    package_endpoint_id: null,
    package_channel_id: null,
    segment_length: 300,
    startover_window_seconds: 3600,
    key_rotation_interval: null,
    cloudfront_associated: false,
    status: 'CREATING',
    version: 0,
    channel_class: 'STANDARD',
    error: null,
    execution: null,
    created_at: new Date().toISOString(),
    schedule: null,
    max_duration_seconds: null,
    stop_after_input_loss_seconds: null,
    ...overrides,
  };
}

/** A record as the create workflow leaves it: every endpoint filled in. */
export function anIdleStream(overrides: Partial<StreamRecord> = {}): StreamRecord {
  return aStream({
    status: 'IDLE',
    rtmp1: 'rtmp://203.0.113.10:1935/live/0123456789abcdef0123456789abcdef',
    rtmp2: 'rtmp://203.0.113.11:1935/live/fedcba9876543210fedcba9876543210',
    viewer_endpoint:
      'https://abc.mediapackage.us-east-1.amazonaws.com/out/v1/0123456789abcdef0123456789abcdef/index.m3u8',
    live_channel_id: '1234567',
    live_input_id: '7654321',
    package_channel_id: 'stream-channel',
    package_endpoint_id: 'stream-endpoint',
    version: 3,
    ...overrides,
  });
}
