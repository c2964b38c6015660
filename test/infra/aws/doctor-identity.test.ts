import { ExpiredTokenException, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { beforeEach, describe, expect, it } from 'vitest';
import { checkCredentials } from '../../../infra/aws/doctor/identity.js';
import { ACCOUNT, mockedClients, PRINCIPAL, stsError } from './doctor-harness.js';

let m: ReturnType<typeof mockedClients>;
beforeEach(() => {
  m = mockedClients();
});

describe('checkCredentials', () => {
  it('names the account and the principal the credentials resolve to', async () => {
    m.sts
      .on(GetCallerIdentityCommand)
      .resolves({ Account: ACCOUNT, Arn: PRINCIPAL, UserId: 'AROAEXAMPLE:alice' });
    const { result, identity } = await checkCredentials(m.clients.sts, null);
    expect(identity).toEqual({ account: ACCOUNT, arn: PRINCIPAL });
    expect(result).toEqual({
      id: 'credentials',
      title: 'AWS credentials',
      verdict: 'ok',
      detail: `${PRINCIPAL} (account ${ACCOUNT})`,
    });
  });

  it('fails with the way to sign in when the chain finds no credentials', async () => {
    m.sts.on(GetCallerIdentityCommand).rejects(
      Object.assign(new Error('Could not load credentials from any providers'), {
        name: 'CredentialsProviderError',
      }),
    );
    const { result, identity } = await checkCredentials(m.clients.sts, null);
    expect(identity).toBeNull();
    expect(result).toMatchObject({
      verdict: 'fail',
      detail: 'no credentials found',
      fix: 'aws configure (or aws sso login), set AWS_PROFILE, or pass --profile <name>',
    });
  });

  it('names the profile in the fix when one was given', async () => {
    m.sts.on(GetCallerIdentityCommand).rejects(
      new ExpiredTokenException({
        message: 'The security token included in the request is expired',
        $metadata: {},
      }),
    );
    const { result } = await checkCredentials(m.clients.sts, 'prod');
    expect(result).toMatchObject({
      verdict: 'fail',
      detail: 'the credentials have expired',
      fix: 'aws sso login --profile prod, or aws configure --profile prod',
    });
  });

  it('fails when AWS refuses the key', async () => {
    m.sts
      .on(GetCallerIdentityCommand)
      .rejects(stsError('InvalidClientTokenId', 'The security token included in the request is invalid.'));
    const { result } = await checkCredentials(m.clients.sts, null);
    expect(result.verdict).toBe('fail');
    expect(result.detail).toBe('AWS refused the credentials (InvalidClientTokenId)');
  });

  it('fails when an organisation policy denies GetCallerIdentity: the CDK CLI needs it too', async () => {
    m.sts
      .on(GetCallerIdentityCommand)
      .rejects(stsError('AccessDenied', 'explicit deny in a service control policy'));
    const { result, identity } = await checkCredentials(m.clients.sts, null);
    expect(identity).toBeNull();
    expect(result).toMatchObject({
      verdict: 'fail',
      detail:
        'sts:GetCallerIdentity was denied (AccessDenied): neither the doctor nor the CDK CLI can tell the account',
      fix: 'ask the account administrator to allow sts:GetCallerIdentity (an organisation policy denies it)',
    });
  });

  it('fails when STS cannot be reached', async () => {
    m.sts
      .on(GetCallerIdentityCommand)
      .rejects(Object.assign(new Error('connect ETIMEDOUT 52.94.0.1:443'), { code: 'ETIMEDOUT' }));
    const { result } = await checkCredentials(m.clients.sts, null);
    expect(result).toMatchObject({
      verdict: 'fail',
      detail: 'STS did not answer: ETIMEDOUT: connect ETIMEDOUT 52.94.0.1:443',
      fix: 'check network access to AWS and the region',
    });
  });
});
