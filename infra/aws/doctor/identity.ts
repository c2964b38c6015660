/**
 * Who the AWS SDK's default credential chain (or `--profile`) signs in as. GetCallerIdentity needs
 * no permission: when it fails, the credentials themselves are missing, expired or wrong.
 */
import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import { describeError, errorName, isAccessDenied } from './aws-errors.js';
import { type CheckResult, fail, ok } from './report.js';

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
      // Only an organisation policy (SCP) can deny GetCallerIdentity. Not a check that could not
      // run: the CDK CLI calls it too, to learn the account it deploys to.
      return {
        result: fail(
          ID,
          TITLE,
          `sts:GetCallerIdentity was denied (${name}): neither the doctor nor the CDK CLI can tell the account`,
          'ask the account administrator to allow sts:GetCallerIdentity (an organisation policy denies it)',
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
