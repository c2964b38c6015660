/**
 * Parts of the API that only some routes need, loaded on their first use. The API's bundle is split
 * there (infra/bundling/bundle.ts): a cold start loads the entry chunk and what it imports only; the
 * S3 client (clip playlists, exports, the start's path check), the Scheduler client (schedule
 * routes), the MediaLive and CloudWatch clients (health, thumbnails) and the OpenAPI document are
 * imported by the first request that needs them.
 */
import type { Schedules } from '../core/stream-schedules.js';
import type { Archive } from './archive-access.js';

/** Loads once; a failed load is tried again by the next call. */
export function once<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () => {
    loading ??= load().catch((error: unknown) => {
      loading = undefined;
      throw error;
    });
    return loading;
  };
}

/** An archive whose S3 client and code are loaded by the first call that needs them. */
export function lazyArchive(bucket: string, load: () => Promise<Archive>): Archive {
  const archive = once(load);
  return {
    bucket,
    holdsObjects: async (prefix) => (await archive()).holdsObjects(prefix),
    readText: async (key) => (await archive()).readText(key),
    delete: async (keys) => (await archive()).delete(keys),
    lifetime: async (wanted) => (await archive()).lifetime(wanted),
    presignGet: async (key, seconds, download) => (await archive()).presignGet(key, seconds, download),
  };
}

/** Schedules whose Scheduler client is loaded by the first schedule route that needs it. */
export function lazySchedules(load: () => Promise<Schedules>): Schedules {
  const schedules = once(load);
  return {
    set: async (...args) => (await schedules()).set(...args),
    remove: async (...args) => (await schedules()).remove(...args),
    removeAll: async (...args) => (await schedules()).removeAll(...args),
  };
}

/** A route handler whose module (and what it imports) is loaded by the route's first request. */
export function lazyHandler<A extends unknown[], R>(
  load: () => Promise<(...args: A) => Promise<R>>,
): (...args: A) => Promise<R> {
  const handler = once(load);
  return async (...args) => (await handler())(...args);
}
