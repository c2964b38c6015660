import { describe, expect, it } from 'vitest';
import { maskStreamKey, maskStreamPath } from '../../../../../infra/local/media/plane/rtmp-ingest.js';

describe('maskStreamKey', () => {
  it('shows the first four characters and the length, never the key', () => {
    const key = 'a1b2c3d4e5f6a7b8c9d0';
    expect(maskStreamKey(key)).toBe('a1b2…(20 chars)');
    expect(maskStreamPath('live', key)).toBe('live/a1b2…(20 chars)');
  });

  it('hides a short key entirely', () => {
    expect(maskStreamKey('12345678')).toBe('****');
  });
});
