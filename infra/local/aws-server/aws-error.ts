/**
 * Errors as the AWS SDK reads them, in each wire protocol the local endpoints speak: the SDK maps
 * `code` to its exception class (`ConflictException`, `NoSuchDistribution`, ...), so codes are the
 * model's shape names.
 */
export class AwsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
    /** Other members of the modelled error shape, in wire form (e.g. MediaLive's `validationErrors`). */
    readonly fields: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** AWS JSON 1.0/1.1 (X-Amz-Target), REST-JSON, CloudFront's REST-XML, S3's XML. */
export type Protocol = 'json-1.0' | 'json-1.1' | 'rest-json' | 'rest-xml' | 's3';

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

export function errorReply(protocol: Protocol, error: AwsError, requestId: string): Reply {
  const { code, status } = error;
  if (protocol === 'rest-xml' || protocol === 's3') {
    const inner = `<Code>${escapeXml(code)}</Code><Message>${escapeXml(error.message)}</Message>`;
    const type = `<Type>${status >= 500 ? 'Receiver' : 'Sender'}</Type>`;
    const xml =
      protocol === 's3'
        ? `<Error>${inner}<RequestId>${requestId}</RequestId></Error>`
        : `<ErrorResponse xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/"><Error>${type}${inner}</Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
    return {
      status,
      headers: { 'content-type': 'application/xml' },
      body: `<?xml version="1.0" encoding="UTF-8"?>\n${xml}`,
    };
  }
  const json = protocol !== 'rest-json';
  return {
    status,
    headers: {
      'content-type': json ? `application/x-amz-${protocol}` : 'application/json',
      'x-amzn-errortype': code,
    },
    body: JSON.stringify({ ...(json && { __type: code }), message: error.message, ...error.fields }),
  };
}

export const escapeXml = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** `value`, or the error `missing` makes when it is undefined. */
export function found<T>(value: T | undefined, missing: () => AwsError): T {
  if (value === undefined) throw missing();
  return value;
}
