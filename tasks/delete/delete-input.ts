/**
 * Teardown step: DeleteInput once MediaLive has detached it from the deleted channel. While it is
 * still ATTACHED the task throws `InputNotDetached`, which the machine retries with backoff. An SRT
 * input's passphrase secret goes with it (no recovery window: nothing may decrypt with it again).
 * A create cut short after CreateSecret (CreateInput refused, a lost answer) never recorded the
 * secret's ARN: it is found by the name every create gives it, as the input is.
 */
import {
  ConflictException,
  DeleteInputCommand,
  DescribeInputCommand,
  type MediaLiveClient,
  NotFoundException,
} from '@aws-sdk/client-medialive';
import { DeleteSecretCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { InputNotDetached } from '../../core/errors.js';
import { PENDING_SRT_PASSPHRASE, type StreamRecord } from '../../core/stream.js';
import type { StreamStore } from '../../core/stream-store.js';
import * as clients from '../clients.js';
import type { StreamTaskInput } from '../contracts.js';
import { settings, taskHandler } from '../runtime.js';
import { unrecordedInput } from './unrecorded.js';

interface SecretDeps {
  secrets?: SecretsManagerClient;
  /** The SRT secrets' name prefix (`<stack>/srt/`): with the stream id, the secret's name. */
  secretPrefix?: string;
}

export async function deleteInput(
  deps: { medialive: MediaLiveClient; store: StreamStore } & SecretDeps,
  input: StreamTaskInput,
): Promise<{ state: string }> {
  let record = await deps.store.get(input.stream_id);
  if (!record.live_input_id) {
    const orphan = await unrecordedInput(deps.medialive, record.id);
    if (!orphan?.Id) {
      await deleteSecret(deps, record);
      // A create cut short before CreateInput kept the passphrase for its retry: dead with its secret.
      if (record.srt1?.startsWith(PENDING_SRT_PASSPHRASE)) await deps.store.update(record, { srt1: null });
      return { state: 'NONE' };
    }
    record = await deps.store.update(record, { live_input_id: orphan.Id });
  }
  const state = await deleteMediaLiveInput(deps, record);
  // DELETED or DELETING: the input is going, nothing will read its passphrase again.
  await deleteSecret(deps, record);
  return { state };
}

async function deleteSecret(deps: SecretDeps, record: StreamRecord): Promise<void> {
  const unrecorded =
    record.input_type === 'SRT_LISTENER' && deps.secretPrefix
      ? `${deps.secretPrefix}${record.id}`
      : undefined;
  const secretId = record.srt_secret_arn ?? unrecorded;
  if (!secretId || !deps.secrets) return;
  try {
    await deps.secrets.send(
      new DeleteSecretCommand({ SecretId: secretId, ForceDeleteWithoutRecovery: true }),
    );
  } catch (error) {
    if ((error as Error).name !== 'ResourceNotFoundException') throw error;
  }
}

async function deleteMediaLiveInput(
  deps: { medialive: MediaLiveClient },
  record: StreamRecord,
): Promise<string> {
  const inputId = record.live_input_id as string;
  try {
    const described = await deps.medialive.send(new DescribeInputCommand({ InputId: inputId }));
    if (described.State === 'DELETED') return 'DELETED';
    if (described.State === 'DELETING') return 'DELETING';
    if (described.State === 'ATTACHED')
      throw new InputNotDetached(`input ${inputId} is still attached to a channel`);
    await deps.medialive.send(new DeleteInputCommand({ InputId: inputId }));
    return 'DELETED';
  } catch (error) {
    if (error instanceof NotFoundException) return 'DELETED';
    if (error instanceof ConflictException)
      throw new InputNotDetached(`input ${inputId} is not deletable yet`);
    throw error;
  }
}

export const handler = taskHandler('delete-input', (input: StreamTaskInput) =>
  deleteInput(
    {
      medialive: clients.medialive(),
      store: clients.store(),
      ...(process.env.SRT_SECRET_PREFIX
        ? { secrets: clients.secretsManager(), secretPrefix: settings.srtSecretPrefix() }
        : {}),
    },
    input,
  ),
);
