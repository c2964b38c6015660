import { describe, expect, it } from 'vitest';
import {
  assertEventPattern,
  type EventPattern,
  InvalidEventPatternError,
  matchesEventPattern,
} from '../../../../infra/local/events/index.js';

const channelStopped = {
  version: '0',
  id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
  'detail-type': 'MediaLive Channel State Change',
  source: 'aws.medialive',
  account: '123456789012',
  time: '2026-03-01T09:00:00Z',
  region: 'us-east-1',
  resources: ['arn:aws:medialive:us-east-1:123456789012:channel:1234567'],
  detail: {
    channel_arn: 'arn:aws:medialive:us-east-1:123456789012:channel:1234567',
    state: 'STOPPED',
    pipeline: '0',
    meta: { attempts: 2, retried: false, note: null },
    pipelines: [
      { id: '0', state: 'STOPPED' },
      { id: '1', state: 'RUNNING' },
    ],
  },
};

const matches = (pattern: EventPattern) => matchesEventPattern(pattern, channelStopped);

describe('event patterns', () => {
  it('matches exact values of source, detail-type and nested detail fields', () => {
    expect(
      matches({
        source: ['aws.medialive'],
        'detail-type': ['MediaLive Channel State Change'],
        detail: { state: ['RUNNING', 'STOPPED'], meta: { attempts: [2], retried: [false], note: [null] } },
      }),
    ).toBe(true);
    expect(matches({ source: ['aws.medialive'], detail: { state: ['RUNNING'] } })).toBe(false);
    expect(matches({ detail: { meta: { attempts: ['2'] } } })).toBe(false);
  });

  it('requires every field of the pattern to match', () => {
    expect(matches({ source: ['aws.medialive'], 'detail-type': ['MediaLive Channel Alert'] })).toBe(false);
  });

  it('matches an array in the event when any element matches', () => {
    expect(matches({ resources: ['arn:aws:medialive:us-east-1:123456789012:channel:1234567'] })).toBe(true);
    expect(matches({ detail: { pipelines: { state: ['RUNNING'] } } })).toBe(true);
    expect(matches({ detail: { pipelines: { state: ['IDLE'] } } })).toBe(false);
  });

  it('matches prefixes of strings only', () => {
    expect(matches({ detail: { channel_arn: [{ prefix: 'arn:aws:medialive:' }] } })).toBe(true);
    expect(matches({ detail: { channel_arn: [{ prefix: 'arn:aws:mediapackage:' }] } })).toBe(false);
    expect(matches({ detail: { meta: { attempts: [{ prefix: '2' }] } } })).toBe(false);
  });

  it('matches anything-but a value, a list of values or a prefix, and never a missing field', () => {
    expect(matches({ detail: { state: [{ 'anything-but': 'RUNNING' }] } })).toBe(true);
    expect(matches({ detail: { state: [{ 'anything-but': ['RUNNING', 'STOPPED'] }] } })).toBe(false);
    expect(matches({ source: [{ 'anything-but': { prefix: 'aws.' } }] })).toBe(false);
    expect(matches({ source: [{ 'anything-but': { prefix: 'live.' } }] })).toBe(true);
    expect(matches({ detail: { missing: [{ 'anything-but': 'x' }] } })).toBe(false);
  });

  it('matches exists on leaf fields only', () => {
    expect(matches({ detail: { pipeline: [{ exists: true }] } })).toBe(true);
    expect(matches({ detail: { missing: [{ exists: false }] } })).toBe(true);
    expect(matches({ detail: { pipeline: [{ exists: false }] } })).toBe(false);
    expect(matches({ detail: { meta: [{ exists: true }] } })).toBe(false);
  });

  it('does not match an object field against leaf values, nor a missing object', () => {
    expect(matches({ detail: ['STOPPED'] })).toBe(false);
    expect(matches({ detail: { nowhere: { state: ['STOPPED'] } } })).toBe(false);
  });

  it.each([
    ['not an object', ['aws.medialive']],
    ['empty', {}],
    ['a bare value', { source: 'aws.medialive' }],
    ['an empty list', { source: [] }],
    ['an unsupported operator', { source: [{ suffix: '.medialive' }] }],
    ['numeric matching', { detail: { n: [{ numeric: ['>', 1] }] } }],
    ['$or', { $or: [{ source: ['a'] }, { source: ['b'] }] }],
    ['a prefix that is not a string', { source: [{ prefix: 1 }] }],
    ['two operators in one matcher', { source: [{ prefix: 'a', exists: true }] }],
  ])('refuses a pattern that is %s', (_why, pattern) => {
    expect(() => assertEventPattern(pattern)).toThrow(InvalidEventPatternError);
  });
});
