/**
 * What the bundles use instead of the SDK's default credential chain (SSO, INI files, processes,
 * web identity, IMDS and the STS/SSO clients behind them: about 130 KB of a bundle). A Lambda
 * function reads its role's credentials from its environment (AWS_ACCESS_KEY_ID,
 * AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), and so does each function local mode runs.
 */
import { fromEnv } from '@aws-sdk/credential-provider-env';
import type { AwsCredentialIdentity } from '@aws-sdk/types';

export const defaultProvider = (init: Parameters<typeof fromEnv>[0] = {}) => fromEnv(init);

export const credentialsWillNeedRefresh = (credentials?: AwsCredentialIdentity) =>
  credentials?.expiration !== undefined;

// The SDK refreshes credentials 5 minutes before they expire (as its default chain does).
export const credentialsTreatedAsExpired = (credentials?: AwsCredentialIdentity) =>
  credentials?.expiration !== undefined && credentials.expiration.getTime() - Date.now() < 300_000;
