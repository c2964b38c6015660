export { awsTime, DEFAULT_BUS } from './event-bus.js';
export { EVENTS_FILE_NAME, HELD_EVENTS } from './event-log.js';
export { assertEventPattern, InvalidEventPatternError, matchesEventPattern } from './event-pattern.js';
export { createLocalEventBridge } from './local-event-bridge.js';
export { HEARTBEAT_MS, type SseOptions, sseHandler } from './sse-handler.js';
export type {
  EventBridgeEvent,
  EventHandler,
  EventPattern,
  EventPatternMatcher,
  JsonObject,
  JsonValue,
  LocalEventBridge,
  LocalEventBridgeOptions,
  PublishInput,
  SubscribeOptions,
} from './types.js';
