/**
 * What the bundles carry instead of `@smithy/core/event-streams` (about 20 KB of each bundle).
 * Only operations with an event stream (S3 SelectObjectContent, Lambda InvokeWithResponseStream,
 * ...) use it, and no function of the app calls one; yet the SDK's HTTP protocol imports it
 * dynamically (a bundle has no lazy chunks, so it was always inside), and the S3 and Lambda clients
 * build its marshaller when they are created. The stand-in marshaller is built the same way and
 * fails loudly if an event stream is ever sent or read.
 */
const missing = (): never => {
  throw new Error('event-stream operations are not bundled (infra/bundling/no-event-streams.ts)');
};

export class EventStreamSerde {
  constructor() {
    missing();
  }
}

export const eventStreamSerdeProvider = () => ({ serialize: missing, deserialize: missing });

export const resolveEventStreamSerdeConfig = <T extends { eventStreamSerdeProvider: (input: T) => unknown }>(
  input: T,
) => Object.assign(input, { eventStreamMarshaller: input.eventStreamSerdeProvider(input) });
