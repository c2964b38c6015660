/**
 * CreateStream step: the stream's MediaLive input. RTMP_PUSH: stream keys from a CSPRNG (128 bits
 * each). SRT_LISTENER: a passphrase from the CSPRNG (128 bits, as hex: SRT wants 10–79 characters),
 * kept in a Secrets Manager secret that MediaLive reads to decrypt (AES-128), the input behind the
 * deployment's input security group. Keys and passphrases go straight to the record, never into the
 * workflow's state or logs: the execution history is readable by anyone with console access.
 */
import { randomBytes } from 'node:crypto';
import { CreateInputCommand, DescribeInputCommand, type MediaLiveClient } from '@aws-sdk/client-medialive';
import { CreateSecretCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { pipelinesOf } from '../../core/archive-naming.js';
import { PENDING_SRT_PASSPHRASE, type StreamRecord } from '../../core/stream.js';
import type { StreamStore } from '../../core/stream-store.js';
import * as clients from '../clients.js';
import type { StreamTaskInput } from '../contracts.js';
import { settings, taskHandler } from '../runtime.js';

export const newStreamKey = () => randomBytes(16).toString('hex');

/**
 * SRT's latency window: 2 s rides out a lost packet's retransmission over a long internet path
 * (MediaLive's MinimumLatency is 120–15000 ms, API model).
 */
export const SRT_LATENCY_MS = 2000;
/** AES-128: OBS and FFmpeg call it `pbkeylen=16`. */
const SRT_ALGORITHM = 'AES128';
const SRT_KEY_LENGTH = 16;

export interface CreateInputDeps {
  medialive: MediaLiveClient;
  store: StreamStore;
  inputSecurityGroupId: string;
  newKey?: () => string;
  /** SRT_LISTENER streams only. */
  srt?: { secrets: SecretsManagerClient; secretPrefix: string; roleArn: string };
}

export async function createInput(
  deps: CreateInputDeps,
  input: StreamTaskInput,
): Promise<{ live_input_id: string }> {
  const record = await deps.store.get(input.stream_id);
  if (record.live_input_id) {
    await deps.medialive.send(new DescribeInputCommand({ InputId: record.live_input_id }));
    return { live_input_id: record.live_input_id };
  }
  if (record.input_type === 'SRT_LISTENER') return createSrtInput(deps, record);
  const key = deps.newKey ?? newStreamKey;
  const pipelines = pipelinesOf(record.channel_class);
  const out = await deps.medialive.send(
    new CreateInputCommand({
      Name: `live-${record.id}`,
      Type: 'RTMP_PUSH',
      InputSecurityGroups: [deps.inputSecurityGroupId],
      Destinations: Array.from({ length: pipelines }, (_, i) => ({ StreamName: `live${i + 1}/${key()}` })),
      // MediaLive's idempotency token: a retried step gets the same input back, not a second one.
      RequestId: `${record.id}-input`,
      Tags: { stream_id: record.id },
    }),
  );
  const created = out.Input;
  if (!created?.Id) throw new Error('MediaLive CreateInput answered without an input id');
  const urls = (created.Destinations ?? []).map((d) => d.Url ?? null);
  await deps.store.update(record, {
    live_input_id: created.Id,
    rtmp1: urls[0] ?? null,
    rtmp2: urls[1] ?? null,
  });
  return { live_input_id: created.Id };
}

/**
 * The passphrase is written to the record first, then to its secret with a request token made from
 * the stream id: a retried step sends the same value with the same token, which Secrets Manager
 * answers as the first time, so no second secret and no other passphrase.
 */
async function createSrtInput(
  deps: CreateInputDeps,
  first: StreamRecord,
): Promise<{ live_input_id: string }> {
  if (!deps.srt) throw new Error('SRT_LISTENER inputs need the Secrets Manager client and secret prefix');
  let record = first;
  // The passphrase of an earlier try of this step (pending, or in the caller URLs it recorded).
  const pending = /passphrase=([0-9a-f]{32})/.exec(record.srt1 ?? '')?.[1];
  const passphrase = pending ?? (deps.newKey ?? newStreamKey)();
  if (!pending) record = await deps.store.update(record, { srt1: `${PENDING_SRT_PASSPHRASE}${passphrase}` });
  const secret = await deps.srt.secrets.send(
    new CreateSecretCommand({
      Name: `${deps.srt.secretPrefix}${record.id}`,
      SecretString: passphrase,
      ClientRequestToken: `${record.id}-srt-passphrase-0000000000`.slice(0, 64).padEnd(32, '0'),
      Description: `SRT passphrase of live stream ${record.id}`,
    }),
  );
  if (!secret.ARN) throw new Error('Secrets Manager CreateSecret answered without an ARN');
  const pipelines = pipelinesOf(record.channel_class);
  const out = await deps.medialive.send(
    new CreateInputCommand({
      Name: `live-${record.id}`,
      Type: 'SRT_LISTENER',
      InputSecurityGroups: [deps.inputSecurityGroupId],
      // One listener per pipeline: MediaLive gives each its own address.
      Destinations: Array.from({ length: pipelines }, () => ({})),
      RoleArn: deps.srt.roleArn,
      SrtSettings: {
        SrtListenerSettings: {
          MinimumLatency: SRT_LATENCY_MS,
          Decryption: { Algorithm: SRT_ALGORITHM, PassphraseSecretArn: secret.ARN },
        },
      },
      RequestId: `${record.id}-input`,
      Tags: { stream_id: record.id },
    }),
  );
  const created = out.Input;
  if (!created?.Id) throw new Error('MediaLive CreateInput answered without an input id');
  const urls = (created.Destinations ?? []).map((d) => {
    const base = d.Url ?? (d.Ip && d.Port ? `srt://${d.Ip}:${d.Port}` : null);
    // What OBS and FFmpeg take as is: the passphrase and its key length in the URL.
    return (
      base && `${base}?passphrase=${passphrase}&pbkeylen=${SRT_KEY_LENGTH}&latency=${SRT_LATENCY_MS * 1000}`
    );
  });
  await deps.store.update(record, {
    live_input_id: created.Id,
    srt1: urls[0] ?? null,
    srt2: urls[1] ?? null,
    srt_secret_arn: secret.ARN,
  });
  return { live_input_id: created.Id };
}

export const handler = taskHandler('create-input', (input: StreamTaskInput) =>
  createInput(
    {
      medialive: clients.medialive(),
      store: clients.store(),
      inputSecurityGroupId: settings.inputSecurityGroupId(),
      ...(process.env.SRT_SECRET_PREFIX
        ? {
            srt: {
              secrets: clients.secretsManager(),
              secretPrefix: settings.srtSecretPrefix(),
              roleArn: settings.mediaLiveRoleArn(),
            },
          }
        : {}),
    },
    input,
  ),
);
