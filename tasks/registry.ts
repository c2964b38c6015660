/**
 * Every task module by name, for local mode and workflow tests that run the task Lambdas in-process.
 * Static imports so any bundler or test runner resolves them; each loads only when first used.
 */
export type TaskHandler = (input: never) => Promise<unknown>;

export const TASK_MODULES: Record<string, () => Promise<{ handler: TaskHandler }>> = {
  'create-package-channel': () => import('./create-package-channel.js'),
  'create-origin-endpoint': () => import('./create-origin-endpoint.js'),
  'create-input': () => import('./create-input.js'),
  'create-channel': () => import('./create-channel.js'),
  'wait-for-channel': () => import('./wait-for-channel.js'),
  'record-created': () => import('./record-created.js'),
  'configure-session': () => import('./configure-session.js'),
  'update-origin-endpoint': () => import('./update-origin-endpoint.js'),
  'start-channel': () => import('./start-channel.js'),
  'record-running': () => import('./record-running.js'),
  'stop-channel': () => import('./stop-channel.js'),
  'record-stopped': () => import('./record-stopped.js'),
  'record-failure': () => import('./record-failure.js'),
  'delete-channel': () => import('./delete-channel.js'),
  'delete-input': () => import('./delete-input.js'),
  'delete-origin-endpoint': () => import('./delete-origin-endpoint.js'),
  'delete-package-channel': () => import('./delete-package-channel.js'),
  'remove-stream': () => import('./remove-stream.js'),
  'go-live': () => import('./go-live.js'),
  'end-live': () => import('./end-live.js'),
  'split-archive': () => import('./split-archive.js'),
  'claim-stream': () => import('./claim-stream.js'),
  'delete-schedules': () => import('./delete-schedules.js'),
  'channel-events': () => import('./channel-events.js'),
};
