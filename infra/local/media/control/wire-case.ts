/**
 * MediaLive's wire names are its member names with a lowercase first letter (checked over the whole
 * botocore model: no exception, and every member name starts uppercase), so the SDK shape is
 * recovered by uppercasing the first letter of each key. Map members hold user keys (tags), which
 * stay as they are; inside channels, inputs and destinations `tags` is the only map.
 */
import type { JsonValue } from './control-state.js';

const MAP_MEMBERS = new Set(['tags']);

export function wireToSdkShape(value: JsonValue): unknown {
  if (Array.isArray(value)) return value.map(wireToSdkShape);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, member] of Object.entries(value)) {
    const name = key.charAt(0).toUpperCase() + key.slice(1);
    out[name] = MAP_MEMBERS.has(key) ? structuredClone(member) : wireToSdkShape(member);
  }
  return out;
}
