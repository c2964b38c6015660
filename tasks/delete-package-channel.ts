import type { StreamTaskInput } from './create-package-channel.js';
import { deletePackageChannel } from './delete-package.js';
import { clients, taskHandler } from './runtime.js';

export const handler = taskHandler('delete-package-channel', (input: StreamTaskInput) =>
  deletePackageChannel({ mediapackage: clients.mediapackage(), store: clients.store() }, input),
);
