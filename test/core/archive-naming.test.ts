import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  archiveKey,
  archiveUri,
  archiveUrls,
  defaultArchivePrefix,
  InvalidArchiveBucket,
  InvalidArchivePath,
  normalizeArchivePath,
  parseArchiveKey,
  pipelinesOf,
} from '../../core/archive-naming.js';
import { buildCreateChannelInput, DESTINATION_IDS } from '../../core/encoder-profile.js';
import { InvalidRequest } from '../../core/errors.js';

const PREFIX = '2024/03/05/abc123-1709683199';

describe('defaultArchivePrefix', () => {
  it('is YYYY/MM/DD/<stream id>-<epoch seconds>', () => {
    expect(defaultArchivePrefix('abc123', new Date('2024-03-05T23:59:59.999Z'))).toBe(PREFIX);
  });

  it('uses the UTC date, whatever the offset the time was given in', () => {
    expect(defaultArchivePrefix('abc123', new Date('2024-12-31T23:30:00-02:00'))).toBe(
      '2025/01/01/abc123-1735695000',
    );
  });

  it('zero-pads months and days', () => {
    expect(defaultArchivePrefix('s1', new Date('2025-01-02T03:04:05Z'))).toBe('2025/01/02/s1-1735787045');
  });

  it('refuses stream ids that would change the key layout, and invalid dates', () => {
    expect(() => defaultArchivePrefix('a/b', new Date(0))).toThrow(RangeError);
    expect(() => defaultArchivePrefix('', new Date(0))).toThrow(RangeError);
    expect(() => defaultArchivePrefix('abc', new Date('nope'))).toThrow(RangeError);
  });
});

describe('normalizeArchivePath', () => {
  it('keeps a valid relative prefix and strips one trailing slash', () => {
    expect(normalizeArchivePath('events/2024/keynote')).toBe('events/2024/keynote');
    expect(normalizeArchivePath('events/2024/keynote/')).toBe('events/2024/keynote');
    expect(normalizeArchivePath("talks/day-1/room_(a)!*'.b")).toBe("talks/day-1/room_(a)!*'.b");
  });

  it.each([
    ['', 'empty'],
    ['/', 'only a slash'],
    ['/events/keynote', 'absolute'],
    ['events//keynote', 'an empty segment'],
    ['events/keynote//', 'a double trailing slash'],
    ['../other-stream', 'a parent segment'],
    ['events/../../x', 'a parent segment inside'],
    ['events/a..b', 'a double dot'],
    ['events/./keynote', 'a dot segment'],
    ['events/key note', 'a space'],
    ['s3://bucket/events', 'a URL'],
    ['events\\keynote', 'a backslash'],
    ['événements', 'non-ASCII letters'],
    ['events/%2e%2e', 'percent-encoding'],
    ['x'.repeat(513), 'more than 512 characters'],
  ])('rejects %j (%s) with InvalidArchivePath', (path) => {
    expect(() => normalizeArchivePath(path)).toThrow(InvalidArchivePath);
  });

  it('reports the problem as a 400-style field problem on `path`', () => {
    let caught: unknown;
    try {
      normalizeArchivePath('/abs');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidRequest);
    expect(caught).toMatchObject({
      name: 'InvalidArchivePath',
      path: '/abs',
      problems: [{ field: 'path', reason: 'must be relative (no leading slash)' }],
    });
  });

  it('accepts exactly 512 characters', () => {
    expect(normalizeArchivePath('x'.repeat(512))).toHaveLength(512);
  });
});

describe('archiveUrls', () => {
  it('gives a STANDARD channel one destination per pipeline, _1 and _2', () => {
    expect(archiveUrls('live-archive', PREFIX, 2)).toEqual([
      `s3ssl://live-archive/${PREFIX}/_1/archive`,
      `s3ssl://live-archive/${PREFIX}/_2/archive`,
    ]);
  });

  it('gives a SINGLE_PIPELINE channel one destination', () => {
    expect(archiveUrls('live-archive', PREFIX, 1)).toEqual([`s3ssl://live-archive/${PREFIX}/_1/archive`]);
  });

  it('refuses buckets MediaLive cannot write to and prefixes that are not normalized', () => {
    expect(() => archiveUrls('my.archive', PREFIX, 1)).toThrow(InvalidArchiveBucket);
    expect(() => archiveUrls('Archive', PREFIX, 1)).toThrow(InvalidArchiveBucket);
    expect(() => archiveUrls('ab', PREFIX, 1)).toThrow(InvalidArchiveBucket);
    expect(() => archiveUrls('live-archive', `${PREFIX}/`, 1)).toThrow(InvalidArchivePath);
    expect(() => archiveUrls('live-archive', '/x', 1)).toThrow(InvalidArchivePath);
    expect(() => archiveUrls('live-archive', PREFIX, 3 as 2)).toThrow(RangeError);
  });
});

describe('archiveUri', () => {
  it("is the seed's archives_path value", () => {
    expect(archiveUri('live-archive', PREFIX)).toBe(`s3://live-archive/${PREFIX}`);
  });
});

describe('archiveKey', () => {
  it('names the files MediaLive writes: <prefix>/_<pipeline+1>/archive_1080p.<6 digits>.ts', () => {
    expect(archiveKey(PREFIX, 0, 0)).toBe(`${PREFIX}/_1/archive_1080p.000000.ts`);
    expect(archiveKey(PREFIX, 1, 42)).toBe(`${PREFIX}/_2/archive_1080p.000042.ts`);
    expect(archiveKey(PREFIX, 0, 999_999)).toBe(`${PREFIX}/_1/archive_1080p.999999.ts`);
  });

  it('lets the counter grow to seven digits past 999999', () => {
    expect(archiveKey(PREFIX, 0, 1_000_000)).toBe(`${PREFIX}/_1/archive_1080p.1000000.ts`);
  });

  it('refuses pipelines other than 0 and 1 and counters that are not non-negative integers', () => {
    expect(() => archiveKey(PREFIX, 2, 0)).toThrow(RangeError);
    expect(() => archiveKey(PREFIX, -1, 0)).toThrow(RangeError);
    expect(() => archiveKey(PREFIX, 0, -1)).toThrow(RangeError);
    expect(() => archiveKey(PREFIX, 0, 1.5)).toThrow(RangeError);
    expect(() => archiveKey('/abs', 0, 0)).toThrow(InvalidArchivePath);
  });

  it('matches what MediaLive writes for the channel built with these URLs', () => {
    // MediaLive: <destination URL><NameModifier>.<counter>.<Extension>, the URL without s3ssl://bucket/.
    const urls = archiveUrls('live-archive', PREFIX, 2);
    const channel = buildCreateChannelInput({
      name: 'stream-abc123',
      channelClass: 'STANDARD',
      inputId: '1',
      roleArn: 'arn:aws:iam::123456789012:role/MediaLive',
      packageChannelId: 'abc123',
      segmentLength: 300,
      archiveUrls: urls,
    });
    const destination = channel.Destinations?.find((d) => d.Id === DESTINATION_IDS.archive);
    const archiveGroup = channel.EncoderSettings?.OutputGroups?.find(
      (g) => g.OutputGroupSettings?.ArchiveGroupSettings,
    );
    const settings = archiveGroup?.Outputs?.[0]?.OutputSettings?.ArchiveOutputSettings;
    for (const pipeline of [0, 1]) {
      const url = destination?.Settings?.[pipeline]?.Url ?? '';
      const written = `${url.replace(/^s3ssl:\/\/[^/]+\//, '')}${settings?.NameModifier}.000007.${settings?.Extension}`;
      expect(written).toBe(archiveKey(PREFIX, pipeline, 7));
    }
  });
});

describe('parseArchiveKey', () => {
  it('reads prefix, pipeline and counter back from a key', () => {
    expect(parseArchiveKey(`${PREFIX}/_2/archive_1080p.000042.ts`)).toEqual({
      prefix: PREFIX,
      pipeline: 1,
      counter: 42,
    });
    expect(parseArchiveKey('a/_1/b/_1/archive_1080p.1234567.ts')).toEqual({
      prefix: 'a/_1/b',
      pipeline: 0,
      counter: 1_234_567,
    });
  });

  it.each([
    [`${PREFIX}/_1/archive_1080p.000001.m2ts`, 'another extension'],
    [`${PREFIX}/_1/archive_720p.000001.ts`, 'another name modifier'],
    [`${PREFIX}/_3/archive_1080p.000001.ts`, 'a third pipeline'],
    [`${PREFIX}/_0/archive_1080p.000001.ts`, 'pipeline _0'],
    [`${PREFIX}/_1/archive_1080p.00001.ts`, 'five digits'],
    [`${PREFIX}/_1/archive_1080p.0000001.ts`, 'seven digits with a leading zero'],
    ['/_1/archive_1080p.000001.ts', 'no prefix'],
    ['_1/archive_1080p.000001.ts', 'no prefix segment'],
    ['a/../_1/archive_1080p.000001.ts', 'a prefix with ..'],
    [`${PREFIX}/clips/keynote.m3u8`, 'a clip playlist'],
    [`${PREFIX}/_1/archive_1080p.000001.ts.tmp`, 'a suffix'],
  ])('returns undefined for %j (%s)', (key) => {
    expect(parseArchiveKey(key)).toBeUndefined();
  });

  it('round-trips with archiveKey for any valid prefix, pipeline and counter', () => {
    const segment = fc
      .stringMatching(/^[A-Za-z0-9!_*'()-][A-Za-z0-9!_.*'()-]{0,11}$/)
      .filter((s) => !s.includes('..'));
    const prefix = fc.array(segment, { minLength: 1, maxLength: 5 }).map((parts) => parts.join('/'));
    fc.assert(
      fc.property(prefix, fc.constantFrom(0, 1), fc.nat({ max: 2 ** 40 }), (p, pipeline, counter) => {
        expect(parseArchiveKey(archiveKey(p, pipeline, counter))).toEqual({ prefix: p, pipeline, counter });
      }),
    );
  });
});

describe('pipelinesOf', () => {
  it('is 2 for STANDARD and 1 for SINGLE_PIPELINE', () => {
    expect(pipelinesOf('STANDARD')).toBe(2);
    expect(pipelinesOf('SINGLE_PIPELINE')).toBe(1);
  });
});
