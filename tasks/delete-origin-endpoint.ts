import type { StreamTaskInput } from './create-package-channel.js';
import { deleteOriginEndpoint } from './delete-package.js';
import { clients, taskHandler } from './runtime.js';

export const handler = taskHandler('delete-origin-endpoint', (input: StreamTaskInput) =>
  deleteOriginEndpoint({ mediapackage: clients.mediapackage(), store: clients.store() }, input),
);
