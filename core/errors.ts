/**
 * Errors that the API maps to HTTP and that the state machines retry or catch by `name`.
 * A Lambda's error reaches Step Functions as the thrown error's `name`, so each class carries its
 * name as a string (`errorName`): a minifier renames classes, never strings. The state machines'
 * Retry and Catch read the same `errorName`, so the two cannot drift apart.
 */
export class DomainError extends Error {
  static readonly errorName: string = 'DomainError';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = (new.target as typeof DomainError).errorName;
  }
}

export class StreamNotFound extends DomainError {
  static override readonly errorName: string = 'StreamNotFound';
  constructor(readonly streamId: string) {
    super(`stream ${streamId} does not exist`);
  }
}

export class SessionNotFound extends DomainError {
  static override readonly errorName: string = 'SessionNotFound';
  constructor(
    readonly streamId: string,
    readonly sessionId: string,
  ) {
    super(`stream ${streamId} has no recording session ${sessionId}`);
  }
}

/** The stream's status does not allow the action (HTTP 409 with the current status). */
export class ActionNotAllowed extends DomainError {
  static override readonly errorName: string = 'ActionNotAllowed';
  constructor(
    readonly streamId: string,
    readonly action: string,
    readonly status: string,
    reason?: string,
  ) {
    super(reason ?? `cannot ${action} stream ${streamId} while it is ${status}`);
  }
}

/** Optimistic locking lost: someone else changed the record since it was read (HTTP 409). */
export class VersionConflict extends DomainError {
  static override readonly errorName: string = 'VersionConflict';
  constructor(
    readonly streamId: string,
    readonly expectedVersion: number,
  ) {
    super(`stream ${streamId} changed since version ${expectedVersion}; read it again and retry`);
  }
}

/** A feature the deployment does not have (CloudFront, SPEKE encryption...). HTTP 400/409. */
export class FeatureNotConfigured extends DomainError {
  static override readonly errorName: string = 'FeatureNotConfigured';
  constructor(
    readonly feature: string,
    message: string,
  ) {
    super(message);
  }
}

/** One invalid field: `path` like `timestamp_list[2].end`. */
export interface FieldProblem {
  field: string;
  reason: string;
}

export class InvalidRequest extends DomainError {
  static override readonly errorName: string = 'InvalidRequest';
  constructor(
    readonly problems: FieldProblem[],
    message = 'the request is not valid',
  ) {
    super(message);
  }
}

/**
 * A split's `name_modifier` already names playlists of the session: writing would replace them
 * (HTTP 409, nothing written).
 */
export class NameModifierInUse extends DomainError {
  static override readonly errorName: string = 'NameModifierInUse';
  constructor(
    readonly nameModifier: string,
    readonly key: string,
  ) {
    super(
      `name_modifier ${JSON.stringify(nameModifier)} already names playlists of this session (${key}); choose another`,
    );
  }
}

/** A status change outside `TRANSITIONS`: a bug or a late duplicate task, never applied. */
export class InvalidTransition extends DomainError {
  static override readonly errorName: string = 'InvalidTransition';
  constructor(
    readonly streamId: string,
    readonly from: string,
    readonly to: string,
  ) {
    super(`stream ${streamId} cannot go from ${from} to ${to}`);
  }
}

/** MediaLive refused because the channel is not IDLE (StartChannel, UpdateChannel, DeleteChannel). */
export class ChannelNotIdle extends DomainError {
  static override readonly errorName: string = 'ChannelNotIdle';
  constructor(
    readonly channelId: string,
    readonly state: string,
  ) {
    super(`channel ${channelId} is ${state}, not IDLE`);
  }
}

/** A wait for a channel state ran past its bound. */
export class ChannelStateTimeout extends DomainError {
  static override readonly errorName: string = 'ChannelStateTimeout';
}

/** The channel reached a failure state (CREATE_FAILED, UPDATE_FAILED) or one the workflow did not expect. */
export class ChannelFailed extends DomainError {
  static override readonly errorName: string = 'ChannelFailed';
}

/** The input is still attached to a channel; retried until MediaLive detaches it. */
export class InputNotDetached extends DomainError {
  static override readonly errorName: string = 'InputNotDetached';
}

/** The stream record lacks a resource a step needs. */
export class MissingResource extends DomainError {
  static override readonly errorName: string = 'MissingResource';
}

/** The live distribution cannot take another origin or cache behaviour (CloudFront quota). */
export class DistributionQuotaReached extends DomainError {
  static override readonly errorName: string = 'DistributionQuotaReached';
}

export class ClipNotFound extends DomainError {
  static override readonly errorName: string = 'ClipNotFound';
  constructor(
    readonly streamId: string,
    readonly clipId: string,
  ) {
    super(`stream ${streamId} has no clip ${clipId}`);
  }
}

/** A clip whose MP4 export is still running cannot be deleted yet (HTTP 409). */
export class ExportInProgress extends DomainError {
  static override readonly errorName: string = 'ExportInProgress';
  constructor(
    readonly clipId: string,
    readonly exportId: string,
  ) {
    super(`clip ${clipId} has an export running (${exportId}); delete it once the export has finished`);
  }
}

/** A clip with parts no archive file covers cannot be cut to the frame (HTTP 409). */
export class ClipHasGaps extends DomainError {
  static override readonly errorName: string = 'ClipHasGaps';
  constructor(readonly clipId: string) {
    super(
      `clip ${clipId} has parts no archive file covers (see missing): its playlist skips them, so an export could not be cut to the requested frames`,
    );
  }
}

/** No picture now: the channel does not run, or has not made its first thumbnail yet (HTTP 404). */
export class ThumbnailNotAvailable extends DomainError {
  static override readonly errorName: string = 'ThumbnailNotAvailable';
}
