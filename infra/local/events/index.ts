export {
  createLocalEventBridge,
  type EventBridgeEvent,
  HELD_EVENTS,
  type LocalEventBridge,
  type LocalEventBridgeOptions,
  type PublishInput,
} from './local-event-bridge.js';
export { HEARTBEAT_MS, sseHandler } from './sse-handler.js';
