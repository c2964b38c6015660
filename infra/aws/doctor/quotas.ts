/**
 * The service quotas that cap how many streams this account can hold and put on the CDN, with the
 * current usage where a list call tells it. A stream uses one MediaLive channel, one RTMP push input
 * (all inputs share the deployment's one input security group) and one MediaPackage channel; on the
 * live distribution each stream is one origin and one cache behaviour.
 *
 * Quota codes (`L-…`) are looked up at run time by quota name with ListAWSDefaultServiceQuotas
 * instead of being hard-coded: names are what AWS documents, and a wrong code would be silently
 * wrong. The applied value comes from GetServiceQuota; a quota never changed in the account has no
 * applied value (NoSuchResourceException) and its default applies.
 */
import type { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { GetDistributionConfigCommand } from '@aws-sdk/client-cloudfront';
import {
  type MediaLiveClient,
  paginateListInputSecurityGroups,
  paginateListInputs,
  paginateListChannels as paginateLiveChannels,
} from '@aws-sdk/client-medialive';
import {
  type MediaPackageClient,
  paginateListChannels as paginatePackageChannels,
} from '@aws-sdk/client-mediapackage';
import {
  GetServiceQuotaCommand,
  paginateListAWSDefaultServiceQuotas,
  type ServiceQuota,
  type ServiceQuotasClient,
} from '@aws-sdk/client-service-quotas';
import { cannotCheck, describeError, errorName, isAccessDenied } from './aws-errors.js';
import { type CheckResult, fail, ok, warn } from './report.js';

export interface Quota {
  code: string;
  name: string;
  value: number;
  /** `applied` when the account has its own value, `default` otherwise. */
  source: 'applied' | 'default';
  adjustable: boolean;
}

export class QuotaLookupDenied extends Error {
  override readonly name = 'QuotaLookupDenied';
  constructor(
    readonly action: string,
    override readonly cause: unknown,
  ) {
    super(`${action} was denied`);
  }
}

/** Finds quotas by name in one region's Service Quotas, listing each service once. */
export class QuotaReader {
  private readonly lists = new Map<string, Promise<ServiceQuota[]>>();

  constructor(private readonly client: ServiceQuotasClient) {}

  /** The first quota whose name matches one of `names`, in order of preference; `null` if none. */
  async find(serviceCode: string, names: readonly RegExp[], exclude?: RegExp): Promise<Quota | null> {
    const quotas = await this.defaults(serviceCode);
    const candidates = quotas.filter((q) => q.QuotaName && !exclude?.test(q.QuotaName));
    let match: ServiceQuota | undefined;
    for (const pattern of names) {
      match = candidates.find((q) => pattern.test(q.QuotaName ?? ''));
      if (match) break;
    }
    if (!match?.QuotaCode || match.Value === undefined) return null;
    const base = {
      code: match.QuotaCode,
      name: match.QuotaName ?? match.QuotaCode,
      adjustable: match.Adjustable ?? false,
    };
    try {
      const applied = await this.client.send(
        new GetServiceQuotaCommand({ ServiceCode: serviceCode, QuotaCode: match.QuotaCode }),
      );
      if (applied.Quota?.Value !== undefined)
        return { ...base, value: applied.Quota.Value, source: 'applied' };
    } catch (error) {
      if (isAccessDenied(error)) throw new QuotaLookupDenied('servicequotas:GetServiceQuota', error);
      if (errorName(error) !== 'NoSuchResourceException') throw error;
    }
    return { ...base, value: match.Value, source: 'default' };
  }

  private defaults(serviceCode: string): Promise<ServiceQuota[]> {
    let list = this.lists.get(serviceCode);
    if (!list) {
      list = (async () => {
        const quotas: ServiceQuota[] = [];
        try {
          const pages = paginateListAWSDefaultServiceQuotas(
            { client: this.client, pageSize: 100 },
            { ServiceCode: serviceCode },
          );
          for await (const page of pages) quotas.push(...(page.Quotas ?? []));
        } catch (error) {
          if (isAccessDenied(error))
            throw new QuotaLookupDenied('servicequotas:ListAWSDefaultServiceQuotas', error);
          throw error;
        }
        return quotas;
      })();
      this.lists.set(serviceCode, list);
    }
    return list;
  }
}

/** What a quota check needs to know about one quota. */
export interface QuotaSpec {
  id: string;
  title: string;
  serviceCode: string;
  /** Quota names, most specific first. */
  names: readonly RegExp[];
  exclude?: RegExp;
  /** How the quota reads in a sentence: "channels", "origins per distribution". */
  unit: string;
  /** Region of the Service Quotas endpoint (CloudFront's quotas are in us-east-1). */
  region: string;
  /** Each stream takes one: running out means no new stream. */
  perStream: boolean;
}

export const MEDIALIVE_CHANNELS = {
  id: 'quota-medialive-channels',
  title: 'MediaLive channels',
  serviceCode: 'medialive',
  names: [/^channels$/i, /^(maximum |number of )?channels\b/i],
  unit: 'channels',
  perStream: true,
} as const;

export const MEDIALIVE_PUSH_INPUTS = {
  id: 'quota-medialive-push-inputs',
  title: 'MediaLive RTMP push inputs',
  serviceCode: 'medialive',
  // MediaLive has counted push inputs under one quota ("Push inputs") and per protocol; take the
  // RTMP one when there is one. VPC inputs are a different quota.
  names: [/^rtmp push inputs$/i, /rtmp push inputs/i, /^push inputs$/i, /push inputs/i],
  exclude: /vpc/i,
  unit: 'push inputs',
  perStream: true,
} as const;

export const MEDIALIVE_INPUT_SECURITY_GROUPS = {
  id: 'quota-medialive-input-security-groups',
  title: 'MediaLive input security groups',
  serviceCode: 'medialive',
  names: [/^input security groups$/i, /input security groups/i],
  unit: 'input security groups',
  perStream: false,
} as const;

export const MEDIAPACKAGE_CHANNELS = {
  id: 'quota-mediapackage-channels',
  title: 'MediaPackage channels',
  serviceCode: 'mediapackage',
  names: [/^channels$/i, /^maximum channels$/i, /^(maximum |number of )?channels\b/i],
  exclude: /endpoint|group/i,
  unit: 'channels',
  perStream: true,
} as const;

export const CLOUDFRONT_ORIGINS = {
  id: 'quota-cloudfront-origins',
  title: 'CloudFront origins per distribution',
  serviceCode: 'cloudfront',
  names: [/^origins per distribution$/i, /\borigins per distribution\b/i],
  exclude: /group/i,
  unit: 'origins',
  perStream: true,
} as const;

export const CLOUDFRONT_CACHE_BEHAVIORS = {
  id: 'quota-cloudfront-cache-behaviors',
  title: 'CloudFront cache behaviours per distribution',
  serviceCode: 'cloudfront',
  names: [/^cache behaviors per distribution$/i, /\bcache behaviors per distribution\b/i],
  unit: 'cache behaviours',
  perStream: true,
} as const;

function increaseFix(spec: QuotaSpec, quota: Quota, wanted: number): string {
  if (!quota.adjustable) return `${quota.name} cannot be raised: free some (delete unused ones)`;
  return `delete unused ones, or aws service-quotas request-service-quota-increase --region ${spec.region} --service-code ${spec.serviceCode} --quota-code ${quota.code} --desired-value ${wanted}`;
}

function quotaLabel(quota: Quota): string {
  return `${quota.code}, ${quota.source === 'applied' ? 'applied value' : 'AWS default'}`;
}

async function lookUp(
  spec: QuotaSpec,
  reader: QuotaReader,
): Promise<{ quota: Quota } | { result: CheckResult }> {
  try {
    const quota = await reader.find(spec.serviceCode, spec.names, spec.exclude);
    if (quota) return { quota };
    return {
      result: warn(
        spec.id,
        spec.title,
        `no quota named like "${spec.names[0]?.source}" in Service Quotas for ${spec.serviceCode} (${spec.region})`,
        `look it up in the Service Quotas console (${spec.region}, ${spec.serviceCode})`,
      ),
    };
  } catch (error) {
    if (error instanceof QuotaLookupDenied)
      return { result: cannotCheck(spec.id, spec.title, error.action, error.cause) };
    return { result: cannotCheck(spec.id, spec.title, 'servicequotas:ListAWSDefaultServiceQuotas', error) };
  }
}

/**
 * A quota against a count of what exists. `needed` is what the deploy itself creates (the input
 * security group): too few left fails the deploy. Per-stream quotas used up are a warn: the deploy
 * works, creating a stream does not.
 */
export async function checkCountedQuota(
  spec: QuotaSpec,
  reader: QuotaReader,
  count: (quota: Quota | null) => Promise<number>,
  countAction: string,
  needed = 0,
): Promise<CheckResult> {
  const found = await lookUp(spec, reader);
  if ('result' in found) {
    // Without the quota, the usage alone still helps.
    const usage = await count(null).then(
      (n) => `${n} ${spec.unit} in use; `,
      () => '',
    );
    return { ...found.result, detail: `${usage}${found.result.detail}` };
  }
  const { quota } = found;
  let used: number;
  try {
    used = await count(quota);
  } catch (error) {
    return {
      ...cannotCheck(spec.id, spec.title, countAction, error),
      detail: `quota ${quota.value} (${quotaLabel(quota)}); usage not read: ${countAction} failed (${describeError(error)})`,
    };
  }
  const free = quota.value - used;
  const summary = `${used} of ${quota.value} ${spec.unit} used (${quotaLabel(quota)})`;
  if (needed > 0 && free < needed)
    return fail(
      spec.id,
      spec.title,
      `${summary}: the deploy creates ${needed} more and fails`,
      increaseFix(spec, quota, used + needed),
    );
  if (needed > 0) return ok(spec.id, spec.title, `${summary}; the deploy adds ${needed}`);
  if (!spec.perStream) return ok(spec.id, spec.title, summary);
  if (free <= 0)
    return warn(
      spec.id,
      spec.title,
      `${summary}: no new stream can be created`,
      increaseFix(spec, quota, quota.value + 5),
    );
  return ok(spec.id, spec.title, `${summary}: room for ${free} more ${free === 1 ? 'stream' : 'streams'}`);
}

/** The live distribution's CloudFront quotas, with its current use once it is deployed. */
export async function checkDistributionQuota(
  spec: QuotaSpec,
  reader: QuotaReader,
  cloudfront: CloudFrontClient,
  distributionId: string | null,
): Promise<CheckResult> {
  const found = await lookUp(spec, reader);
  if ('result' in found) return found.result;
  const { quota } = found;
  const isOrigins = spec.id === CLOUDFRONT_ORIGINS.id;
  // The distribution's default behaviour sends to a placeholder origin: one origin is taken before
  // any stream. The default behaviour is not one of the counted cache behaviours.
  const fixed = isOrigins ? 1 : 0;
  if (distributionId === null) {
    const streams = quota.value - fixed;
    return ok(
      spec.id,
      spec.title,
      `${quota.value} ${spec.unit} (${quotaLabel(quota)}): up to ${streams} streams on the CDN at once`,
    );
  }
  let used: number;
  try {
    const out = await cloudfront.send(new GetDistributionConfigCommand({ Id: distributionId }));
    const config = out.DistributionConfig;
    used = (isOrigins ? config?.Origins?.Quantity : config?.CacheBehaviors?.Quantity) ?? 0;
  } catch (error) {
    return cannotCheck(spec.id, spec.title, 'cloudfront:GetDistributionConfig', error);
  }
  const room = quota.value - used;
  const summary = `${used} of ${quota.value} ${spec.unit} used on ${distributionId} (${quotaLabel(quota)})`;
  if (room <= 0)
    return warn(
      spec.id,
      spec.title,
      `${summary}: no more streams can go on the CDN`,
      increaseFix(spec, quota, quota.value + 25),
    );
  return ok(spec.id, spec.title, `${summary}: room for ${room} more streams on the CDN`);
}

/** Counts for the quota checks. Each walks every page: accounts hold at most a few hundred. */
export async function countMediaLiveChannels(medialive: MediaLiveClient): Promise<number> {
  let n = 0;
  for await (const page of paginateLiveChannels({ client: medialive, pageSize: 100 }, {}))
    n += page.Channels?.length ?? 0;
  return n;
}

/** Push inputs the quota counts: RTMP push only when the quota is RTMP's own, else every push type. */
export async function countPushInputs(medialive: MediaLiveClient, rtmpOnly: boolean): Promise<number> {
  let n = 0;
  for await (const page of paginateListInputs({ client: medialive, pageSize: 100 }, {})) {
    for (const input of page.Inputs ?? []) {
      const type = input.Type ?? '';
      if (rtmpOnly ? type === 'RTMP_PUSH' : type.endsWith('_PUSH') || type === 'SRT_LISTENER') n += 1;
    }
  }
  return n;
}

export async function countInputSecurityGroups(medialive: MediaLiveClient): Promise<number> {
  let n = 0;
  for await (const page of paginateListInputSecurityGroups({ client: medialive, pageSize: 100 }, {}))
    n += page.InputSecurityGroups?.length ?? 0;
  return n;
}

export async function countMediaPackageChannels(mediapackage: MediaPackageClient): Promise<number> {
  let n = 0;
  for await (const page of paginatePackageChannels({ client: mediapackage, pageSize: 100 }, {}))
    n += page.Channels?.length ?? 0;
  return n;
}
