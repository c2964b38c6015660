import { type DistributionConfig, GetDistributionConfigCommand } from '@aws-sdk/client-cloudfront';
import {
  ForbiddenException,
  ListChannelsCommand,
  ListInputSecurityGroupsCommand,
  ListInputsCommand,
} from '@aws-sdk/client-medialive';
import { ListChannelsCommand as ListPackageChannels } from '@aws-sdk/client-mediapackage';
import {
  AccessDeniedException,
  GetServiceQuotaCommand,
  ListAWSDefaultServiceQuotasCommand,
  NoSuchResourceException,
  type ServiceQuota,
} from '@aws-sdk/client-service-quotas';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  CLOUDFRONT_CACHE_BEHAVIORS,
  CLOUDFRONT_ORIGINS,
  checkCountedQuota,
  checkDistributionQuota,
  countInputSecurityGroups,
  countMediaLiveChannels,
  countMediaPackageChannels,
  countPushInputs,
  MEDIALIVE_CHANNELS,
  MEDIALIVE_INPUT_SECURITY_GROUPS,
  MEDIALIVE_PUSH_INPUTS,
  MEDIAPACKAGE_CHANNELS,
  QuotaReader,
} from '../../../infra/aws/doctor/quotas.js';
import { accessDeniedMessage, mockedClients, REGION } from './doctor-harness.js';

// Quota codes below are made up for the tests: the doctor finds codes by quota name at run time.
const q = (QuotaCode: string, QuotaName: string, Value: number, Adjustable = true): ServiceQuota => ({
  QuotaCode,
  QuotaName,
  Value,
  Adjustable,
});
const MEDIALIVE_QUOTAS = [
  q('L-TEST0001', 'Channels', 5),
  q('L-TEST0002', 'Multiplexes', 5),
  q('L-TEST0003', 'RTMP push inputs', 5),
  q('L-TEST0004', 'RTMP VPC push inputs', 5),
  q('L-TEST0005', 'Input security groups', 5),
];
const noApplied = () => new NoSuchResourceException({ message: 'no applied quota', $metadata: {} });

let m: ReturnType<typeof mockedClients>;
let reader: QuotaReader;
beforeEach(() => {
  m = mockedClients();
  reader = new QuotaReader(m.clients.regional.serviceQuotas);
  m.serviceQuotas
    .on(ListAWSDefaultServiceQuotasCommand, { ServiceCode: 'medialive' })
    .resolves({ Quotas: MEDIALIVE_QUOTAS });
  m.serviceQuotas.on(GetServiceQuotaCommand).rejects(noApplied());
});

/** A distribution's config with `origins` origins and `behaviors` cache behaviours besides the default. */
function distributionConfig(origins: number, behaviors: number): DistributionConfig {
  return {
    CallerReference: 'ref',
    Comment: 'Live streams',
    Enabled: true,
    DefaultCacheBehavior: { TargetOriginId: 'default', ViewerProtocolPolicy: 'redirect-to-https' },
    Origins: { Quantity: origins, Items: [] },
    CacheBehaviors: { Quantity: behaviors, Items: [] },
  };
}
const channels = (n: number) => Array.from({ length: n }, (_, i) => ({ Id: String(1000 + i) }));
const medialive = () => m.clients.regional.medialive;

describe('QuotaReader', () => {
  it('finds a quota by name and prefers the applied value over the default', async () => {
    m.serviceQuotas
      .on(GetServiceQuotaCommand, { ServiceCode: 'medialive', QuotaCode: 'L-TEST0001' })
      .resolves({ Quota: { QuotaCode: 'L-TEST0001', QuotaName: 'Channels', Value: 20 } });
    expect(await reader.find('medialive', MEDIALIVE_CHANNELS.names)).toEqual({
      code: 'L-TEST0001',
      name: 'Channels',
      value: 20,
      source: 'applied',
      adjustable: true,
    });
  });

  it('falls back to the default when the account never changed the quota', async () => {
    expect(await reader.find('medialive', MEDIALIVE_CHANNELS.names)).toMatchObject({
      value: 5,
      source: 'default',
    });
  });

  it('takes the most specific name and leaves out excluded ones (VPC inputs)', async () => {
    const quota = await reader.find('medialive', MEDIALIVE_PUSH_INPUTS.names, MEDIALIVE_PUSH_INPUTS.exclude);
    expect(quota?.code).toBe('L-TEST0003');
  });

  it('walks every page of the default quotas and lists each service once', async () => {
    m.serviceQuotas
      .on(ListAWSDefaultServiceQuotasCommand, { ServiceCode: 'cloudfront' })
      .callsFake((input) =>
        input.NextToken === 'page2'
          ? { Quotas: [q('L-TEST0100', 'Origins per distribution', 25)] }
          : { Quotas: [q('L-TEST0101', 'Distributions per AWS account', 200)], NextToken: 'page2' },
      );
    expect((await reader.find('cloudfront', CLOUDFRONT_ORIGINS.names))?.value).toBe(25);
    await reader.find('cloudfront', CLOUDFRONT_CACHE_BEHAVIORS.names);
    expect(m.serviceQuotas).toHaveReceivedCommandTimes(ListAWSDefaultServiceQuotasCommand, 2);
  });

  it('answers null when no quota has such a name', async () => {
    expect(await reader.find('medialive', [/^no such quota$/i])).toBeNull();
  });
});

describe('checkCountedQuota', () => {
  const spec = { ...MEDIALIVE_CHANNELS, region: REGION };

  it('says how many are used of how many and how many streams still fit', async () => {
    m.medialive.on(ListChannelsCommand).resolves({ Channels: channels(3) });
    const result = await checkCountedQuota(
      spec,
      reader,
      () => countMediaLiveChannels(medialive()),
      'medialive:ListChannels',
    );
    expect(result).toEqual({
      id: 'quota-medialive-channels',
      title: 'MediaLive channels',
      verdict: 'ok',
      detail: '3 of 5 channels used (L-TEST0001, AWS default): room for 2 more streams',
    });
  });

  it('warns with the quota increase command when no new stream fits', async () => {
    m.medialive.on(ListChannelsCommand).resolves({ Channels: channels(5) });
    const result = await checkCountedQuota(
      spec,
      reader,
      () => countMediaLiveChannels(medialive()),
      'medialive:ListChannels',
    );
    expect(result.verdict).toBe('warn');
    expect(result.detail).toBe(
      '5 of 5 channels used (L-TEST0001, AWS default): no new stream can be created',
    );
    expect(result.fix).toBe(
      `delete unused ones, or aws service-quotas request-service-quota-increase --region ${REGION} --service-code medialive --quota-code L-TEST0001 --desired-value 10`,
    );
  });

  it('fails when the deploy itself needs one more than is left (the input security group)', async () => {
    m.medialive.on(ListInputSecurityGroupsCommand).resolves({ InputSecurityGroups: channels(5) });
    const groups = { ...MEDIALIVE_INPUT_SECURITY_GROUPS, region: REGION };
    const count = () => countInputSecurityGroups(medialive());
    const result = await checkCountedQuota(groups, reader, count, 'medialive:ListInputSecurityGroups', 1);
    expect(result.verdict).toBe('fail');
    expect(result.detail).toBe(
      '5 of 5 input security groups used (L-TEST0005, AWS default): the deploy creates 1 more and fails',
    );
    expect(result.fix).toContain('--quota-code L-TEST0005 --desired-value 6');

    m.medialive.on(ListInputSecurityGroupsCommand).resolves({ InputSecurityGroups: channels(2) });
    expect(
      await checkCountedQuota(groups, reader, count, 'medialive:ListInputSecurityGroups', 1),
    ).toMatchObject({
      verdict: 'ok',
      detail: '2 of 5 input security groups used (L-TEST0005, AWS default); the deploy adds 1',
    });
    // Once deployed, the group exists: a full quota only stops other groups.
    m.medialive.on(ListInputSecurityGroupsCommand).resolves({ InputSecurityGroups: channels(5) });
    expect(
      (await checkCountedQuota(groups, reader, count, 'medialive:ListInputSecurityGroups', 0)).verdict,
    ).toBe('ok');
  });

  it('counts RTMP push inputs only when the quota is the RTMP one', async () => {
    m.medialive
      .on(ListInputsCommand)
      .callsFake((input) =>
        input.NextToken
          ? { Inputs: [{ Type: 'RTP_PUSH' }, { Type: 'SRT_LISTENER' }] }
          : { Inputs: [{ Type: 'RTMP_PUSH' }, { Type: 'URL_PULL' }, { Type: 'RTMP_PUSH' }], NextToken: 'n' },
      );
    expect(await countPushInputs(medialive(), true)).toBe(2);
    expect(await countPushInputs(medialive(), false)).toBe(4);
    const push = { ...MEDIALIVE_PUSH_INPUTS, region: REGION };
    const result = await checkCountedQuota(
      push,
      reader,
      (quota) => countPushInputs(medialive(), quota === null || /rtmp/i.test(quota.name)),
      'medialive:ListInputs',
    );
    expect(result.detail).toBe('2 of 5 push inputs used (L-TEST0003, AWS default): room for 3 more streams');
  });

  it('warns, naming the Service Quotas permission, and still reports the usage when quotas cannot be read', async () => {
    m.serviceQuotas.on(ListAWSDefaultServiceQuotasCommand).rejects(
      new AccessDeniedException({
        message: accessDeniedMessage('servicequotas:ListAWSDefaultServiceQuotas'),
        $metadata: {},
      }),
    );
    m.medialive.on(ListChannelsCommand).resolves({ Channels: channels(3) });
    const result = await checkCountedQuota(
      spec,
      reader,
      () => countMediaLiveChannels(medialive()),
      'medialive:ListChannels',
    );
    expect(result.verdict).toBe('warn');
    expect(result.detail).toBe(
      '3 channels in use; could not check: servicequotas:ListAWSDefaultServiceQuotas was denied (AccessDeniedException)',
    );
    expect(result.fix).toContain('allow servicequotas:ListAWSDefaultServiceQuotas');
  });

  it('warns, naming servicequotas:GetServiceQuota, when only the applied value is denied', async () => {
    m.serviceQuotas.on(GetServiceQuotaCommand).rejects(
      new AccessDeniedException({
        message: accessDeniedMessage('servicequotas:GetServiceQuota'),
        $metadata: {},
      }),
    );
    m.medialive.on(ListChannelsCommand).resolves({ Channels: [] });
    const result = await checkCountedQuota(
      spec,
      reader,
      () => countMediaLiveChannels(medialive()),
      'medialive:ListChannels',
    );
    expect(result.detail).toContain('servicequotas:GetServiceQuota was denied');
  });

  it('warns, naming the list permission, when the usage cannot be read', async () => {
    m.medialive
      .on(ListChannelsCommand)
      .rejects(
        new ForbiddenException({ message: accessDeniedMessage('medialive:ListChannels'), $metadata: {} }),
      );
    const result = await checkCountedQuota(
      spec,
      reader,
      () => countMediaLiveChannels(medialive()),
      'medialive:ListChannels',
    );
    expect(result.verdict).toBe('warn');
    expect(result.detail).toBe(
      'quota 5 (L-TEST0001, AWS default); usage not read: medialive:ListChannels failed (ForbiddenException: ' +
        `${accessDeniedMessage('medialive:ListChannels')})`,
    );
    expect(result.fix).toContain('allow medialive:ListChannels');
  });

  it('warns when Service Quotas has no quota of that name', async () => {
    m.serviceQuotas
      .on(ListAWSDefaultServiceQuotasCommand, { ServiceCode: 'mediapackage' })
      .resolves({ Quotas: [] });
    m.mediapackage.on(ListPackageChannels).resolves({ Channels: [{ Id: 'a' }] });
    const result = await checkCountedQuota(
      { ...MEDIAPACKAGE_CHANNELS, region: REGION },
      reader,
      () => countMediaPackageChannels(m.clients.regional.mediapackage),
      'mediapackage:ListChannels',
    );
    expect(result.verdict).toBe('warn');
    expect(result.detail).toBe(
      `1 channels in use; no quota named like "^channels$" in Service Quotas for mediapackage (${REGION})`,
    );
  });

  it('says a quota that cannot be raised cannot be raised', async () => {
    m.serviceQuotas
      .on(ListAWSDefaultServiceQuotasCommand, { ServiceCode: 'medialive' })
      .resolves({ Quotas: [q('L-TEST0001', 'Channels', 2, false)] });
    m.medialive.on(ListChannelsCommand).resolves({ Channels: channels(2) });
    const result = await checkCountedQuota(
      spec,
      reader,
      () => countMediaLiveChannels(medialive()),
      'medialive:ListChannels',
    );
    expect(result.fix).toBe('Channels cannot be raised: free some (delete unused ones)');
  });
});

describe('checkDistributionQuota', () => {
  let global: QuotaReader;
  beforeEach(() => {
    global = new QuotaReader(m.clients.usEast1.serviceQuotas);
    m.usEast1.serviceQuotas.on(ListAWSDefaultServiceQuotasCommand, { ServiceCode: 'cloudfront' }).resolves({
      Quotas: [
        q('L-TEST0200', 'Origins per distribution', 25),
        q('L-TEST0201', 'Origin groups per distribution', 10),
        q('L-TEST0202', 'Cache behaviors per distribution', 25),
      ],
    });
    m.usEast1.serviceQuotas.on(GetServiceQuotaCommand).rejects(noApplied());
  });
  const origins = { ...CLOUDFRONT_ORIGINS, region: 'us-east-1' };
  const behaviors = { ...CLOUDFRONT_CACHE_BEHAVIORS, region: 'us-east-1' };

  it('before the first deploy, says how many streams fit on the CDN (the default origin takes one)', async () => {
    expect(await checkDistributionQuota(origins, global, m.clients.usEast1.cloudfront, null)).toMatchObject({
      verdict: 'ok',
      detail: '25 origins (L-TEST0200, AWS default): up to 24 streams on the CDN at once',
    });
    expect((await checkDistributionQuota(behaviors, global, m.clients.usEast1.cloudfront, null)).detail).toBe(
      '25 cache behaviours (L-TEST0202, AWS default): up to 25 streams on the CDN at once',
    );
  });

  it("counts the deployed distribution's origins and behaviours", async () => {
    m.usEast1.cloudfront.on(GetDistributionConfigCommand, { Id: 'E123' }).resolves({
      DistributionConfig: distributionConfig(4, 3),
    });
    expect((await checkDistributionQuota(origins, global, m.clients.usEast1.cloudfront, 'E123')).detail).toBe(
      '4 of 25 origins used on E123 (L-TEST0200, AWS default): room for 21 more streams on the CDN',
    );
    expect(
      (await checkDistributionQuota(behaviors, global, m.clients.usEast1.cloudfront, 'E123')).detail,
    ).toBe(
      '3 of 25 cache behaviours used on E123 (L-TEST0202, AWS default): room for 22 more streams on the CDN',
    );
  });

  it('warns with the increase command when the distribution is full', async () => {
    m.usEast1.cloudfront.on(GetDistributionConfigCommand).resolves({
      DistributionConfig: distributionConfig(25, 24),
    });
    const result = await checkDistributionQuota(origins, global, m.clients.usEast1.cloudfront, 'E123');
    expect(result.verdict).toBe('warn');
    expect(result.fix).toContain(
      'aws service-quotas request-service-quota-increase --region us-east-1 --service-code cloudfront --quota-code L-TEST0200 --desired-value 50',
    );
  });
});
