/**
 * Errors as the AWS SDK reads them, in each wire protocol the local endpoints speak: the SDK maps
 * `code` to its exception class (`ConflictException`, `NoSuchDistribution`, ...), so codes are the
 * model's shape names.
 */
export class AwsError extends Error {
  override readonly name = 'AwsError';
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

const CLOUDFRONT_XMLNS = 'http://cloudfront.amazonaws.com/doc/2020-05-31/';

export function errorReply(protocol: Protocol, error: AwsError, requestId: string): Reply {
  const code = escapeXml(error.code);
  const message = escapeXml(error.message);
  switch (protocol) {
    case 'json-1.0':
    case 'json-1.1':
      return {
        status: error.status,
        headers: { 'content-type': `application/x-amz-${protocol}`, 'x-amzn-errortype': error.code },
        body: JSON.stringify({ __type: error.code, message: error.message, ...error.fields }),
      };
    case 'rest-json':
      return {
        status: error.status,
        headers: { 'content-type': 'application/json', 'x-amzn-errortype': error.code },
        body: JSON.stringify({ message: error.message, ...error.fields }),
      };
    case 'rest-xml':
      return {
        status: error.status,
        headers: { 'content-type': 'text/xml' },
        body:
          `<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse xmlns="${CLOUDFRONT_XMLNS}"><Error>` +
          `<Type>${error.status >= 500 ? 'Receiver' : 'Sender'}</Type><Code>${code}</Code>` +
          `<Message>${message}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
      };
    case 's3':
      return {
        status: error.status,
        headers: { 'content-type': 'application/xml' },
        body: `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><RequestId>${requestId}</RequestId></Error>`,
      };
  }
}

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
