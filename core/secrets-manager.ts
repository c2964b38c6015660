/**
 * A minimal AWS Secrets Manager client: the two calls the SRT input's passphrase needs
 * (CreateSecret, DeleteSecret), over Secrets Manager's AWS JSON 1.1 protocol with Signature V4.
 * The SDK's own client (@aws-sdk/client-secretsmanager) is not served by the registry this project
 * installs from; this is the smallest thing that works the same way: region, credentials and
 * `AWS_ENDPOINT_URL_SECRETS_MANAGER` as the SDK reads them, errors named by their AWS code (so
 * `error.name === 'ResourceExistsException'`), and every call reported to the AWS call observer
 * like an SDK client's (the IAM conformance test evaluates them).
 */
import { createHash, createHmac } from 'node:crypto';
import { fromEnv } from '@aws-sdk/credential-provider-env';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentityProvider, SourceData } from '@smithy/types';
import { reportAwsCall } from './aws-call-observer.js';

export interface CreateSecretInput {
  Name: string;
  SecretString: string;
  /** 32–64 characters (API model): a retried create with the same token and value is a no-op. */
  ClientRequestToken?: string;
  Description?: string;
  Tags?: Array<{ Key: string; Value: string }>;
}

export interface DeleteSecretInput {
  SecretId: string;
  ForceDeleteWithoutRecovery?: boolean;
}

/** An error Secrets Manager answered, named by its code. */
export class SecretsManagerError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = code;
  }
}

const bytes = (data: SourceData): string | Uint8Array =>
  typeof data === 'string'
    ? data
    : ArrayBuffer.isView(data)
      ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
      : new Uint8Array(data);

class Sha256 {
  readonly #hash;
  constructor(secret?: SourceData) {
    this.#hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }
  update(data: SourceData): void {
    this.#hash.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.#hash.digest());
  }
}

export class SecretsManagerClient {
  readonly #region: string;
  readonly #endpoint: URL;
  readonly #signer: SignatureV4;

  constructor(
    options: { region?: string; endpoint?: string; credentials?: AwsCredentialIdentityProvider } = {},
  ) {
    this.#region = options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1';
    const suffix = this.#region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
    this.#endpoint = new URL(
      options.endpoint ??
        process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER ??
        `https://secretsmanager.${this.#region}.${suffix}`,
    );
    this.#signer = new SignatureV4({
      service: 'secretsmanager',
      region: this.#region,
      credentials: options.credentials ?? fromEnv(),
      sha256: Sha256,
    });
  }

  createSecret(input: CreateSecretInput): Promise<{ ARN?: string; Name?: string; VersionId?: string }> {
    return this.#call('CreateSecret', input);
  }

  deleteSecret(input: DeleteSecretInput): Promise<{ ARN?: string; Name?: string }> {
    return this.#call('DeleteSecret', input);
  }

  async #call<T>(operation: string, input: object): Promise<T> {
    const call = { client: 'SecretsManagerClient', command: `${operation}Command`, input };
    try {
      const output = await this.#send<T>(operation, input);
      reportAwsCall({ ...call, output });
      return output;
    } catch (error) {
      reportAwsCall({ ...call, error: error instanceof Error ? error.name : String(error) });
      throw error;
    }
  }

  async #send<T>(operation: string, input: object): Promise<T> {
    const body = JSON.stringify(input);
    const url = this.#endpoint;
    const request = await this.#signer.sign({
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port ? { port: Number(url.port) } : {}),
      path: url.pathname || '/',
      headers: {
        host: url.host,
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': `secretsmanager.${operation}`,
      },
      body,
    });
    const response = await fetch(url, {
      method: 'POST',
      headers: request.headers,
      body,
      signal: AbortSignal.timeout(10_000),
    });
    const text = await response.text();
    const parsed = (text ? JSON.parse(text) : {}) as Record<string, unknown>;
    if (!response.ok) {
      const type = String(parsed.__type ?? response.headers.get('x-amzn-errortype') ?? 'UnknownError');
      const code = type.split('#').pop()?.split(':')[0] ?? type;
      throw new SecretsManagerError(code, String(parsed.message ?? parsed.Message ?? code), response.status);
    }
    return parsed as T;
  }
}
