/**
 * Who the AWS SDK's default credential chain (or `--profile`) signs in as. GetCallerIdentity needs
 * no permission: when it fails, the credentials themselves are missing, expired or wrong.
 */
import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import { describeError, errorName, isAccessDenied } from './aws-errors.js';
import { type CheckResult, fail, ok, warn } from './report.js';

export interface Identity {
  account: string;
  /** The principal's ARN (a user, or an assumed role's session). */
  arn: string;
}

const ID = 'credentials';
const TITLE = 'AWS credentials';

export async function checkCredentials(
  sts: STSClient,
  profile: string | null,
): Promise<{ result: CheckResult; identity: Identity | null }> {
  const login = profile
    ? `aws sso login --profile ${profile}, or aws configure --profile ${profile}`
    : 'aws configure (or aws sso login), set AWS_PROFILE, or pass --profile <name>';
  try {
    const out = await sts.send(new GetCallerIdentityCommand({}));
    if (!out.Account || !out.Arn)
      return {
        result: fail(ID, TITLE, 'STS answered without an account', 'run the doctor again'),
        identity: null,
      };
    return {
      result: ok(ID, TITLE, `${out.Arn} (account ${out.Account})`),
      identity: { account: out.Account, arn: out.Arn },
    };
  } catch (error) {
    const name = errorName(error);
    if (name === 'CredentialsProviderError')
      return {
        result: fail(ID, TITLE, `no credentials found${profile ? ` for profile ${profile}` : ''}`, login),
        identity: null,
      };
    if (name === 'ExpiredToken' || name === 'ExpiredTokenException' || name === 'TokenRefreshRequired')
      return { result: fail(ID, TITLE, 'the credentials have expired', login), identity: null };
    if (name === 'InvalidClientTokenId' || name === 'SignatureDoesNotMatch')
      return {
        result: fail(
          ID,
          TITLE,
          `AWS refused the credentials (${name})`,
          `check the access key and secret: ${login}`,
        ),
        identity: null,
      };
    if (isAccessDenied(error))
      // Only an organisation policy (SCP) can deny GetCallerIdentity.
      return {
        result: warn(
          ID,
          TITLE,
          `sts:GetCallerIdentity was denied (${name}): the account is unknown`,
          'ask the account administrator to allow sts:GetCallerIdentity',
        ),
        identity: null,
      };
    return {
      result: fail(
        ID,
        TITLE,
        `STS did not answer: ${describeError(error)}`,
        'check network access to AWS and the region',
      ),
      identity: null,
    };
  }
}
