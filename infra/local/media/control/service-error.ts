/**
 * An error answered on the wire with the code the AWS SDK maps to its own exception class
 * (`x-amzn-ErrorType` for the REST-JSON services, `<Error><Code>` for CloudFront).
 */
export class ServiceError extends Error {
  override readonly name = 'ServiceError';
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    /** Extra members of the modelled error shape, in wire form (e.g. `validationErrors`). */
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export const mediaLiveErrors = {
  badRequest: (message: string) => new ServiceError('BadRequestException', 400, message),
  notFound: (message: string) => new ServiceError('NotFoundException', 404, message),
  conflict: (message: string) => new ServiceError('ConflictException', 409, message),
  unprocessable: (message: string, validationErrors: Array<{ elementPath: string; errorMessage: string }>) =>
    new ServiceError('UnprocessableEntityException', 422, message, { validationErrors }),
};

// MediaPackage v1 has no BadRequest/Conflict in its model: every invalid request is a 422.
export const mediaPackageErrors = {
  notFound: (message: string) => new ServiceError('NotFoundException', 404, message),
  unprocessable: (message: string) => new ServiceError('UnprocessableEntityException', 422, message),
};

export const cloudFrontErrors = {
  noSuchDistribution: (id: string) =>
    new ServiceError('NoSuchDistribution', 404, `The specified distribution does not exist: ${id}`),
  preconditionFailed: () =>
    new ServiceError(
      'PreconditionFailed',
      412,
      'The If-Match version is missing or not valid for the resource: the distribution changed since you read it.',
    ),
  invalidIfMatchVersion: () =>
    new ServiceError(
      'InvalidIfMatchVersion',
      400,
      'The If-Match version is missing or not valid for the resource.',
    ),
  tooManyOrigins: (max: number) =>
    new ServiceError(
      'TooManyOrigins',
      400,
      `You cannot create more origins for the distribution (quota ${max}).`,
    ),
  tooManyCacheBehaviors: (max: number) =>
    new ServiceError(
      'TooManyCacheBehaviors',
      400,
      `Your request contains more cache behaviors than are allowed per distribution (quota ${max}).`,
    ),
  inconsistentQuantities: (path: string) =>
    new ServiceError(
      'InconsistentQuantities',
      400,
      `The value of Quantity and the size of Items don't match: ${path}`,
    ),
  noSuchOrigin: (originId: string) =>
    new ServiceError('NoSuchOrigin', 404, `No origin exists with the specified Origin Id: ${originId}`),
  invalidArgument: (message: string) => new ServiceError('InvalidArgument', 400, message),
  illegalUpdate: (message: string) => new ServiceError('IllegalUpdate', 400, message),
  missingBody: () =>
    new ServiceError('MissingBody', 400, 'This operation requires a body. Ensure that the body is present.'),
};
