import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  CreateInputCommand,
  DeleteInputCommand,
  DescribeInputCommand,
  ListInputsCommand,
} from '@aws-sdk/client-medialive';
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { newCredentials } from '../../../infra/local/aws-server/credentials.js';
import { type Served, serveAws } from '../../../infra/local/aws-server/server.js';
import {
  createLocalSecretsManager,
  type LocalSecretsManager,
} from '../../../infra/local/secrets/local-secrets-manager.js';
import { createInput } from '../../../tasks/create/create-input.js';
import { deleteInput } from '../../../tasks/delete/delete-input.js';
import { aStream } from '../../support/builders.js';
import {
  INPUT_SECURITY_GROUP_ID,
  inputsOf,
  modelProblems,
  newMediaLive,
  ROLE_ARN,
  type StoreFixture,
  startStore,
} from '../task-harness.js';

let fx: StoreFixture;
let local: LocalSecretsManager;
let served: Served;
let secrets: SecretsManagerClient;
const medialive = newMediaLive();
const ml = mockClient(medialive);
const PREFIX = 'live-streams/srt/';

beforeAll(async () => {
  fx = await startStore('streams-srt');
  const credentials = newCredentials();
  local = createLocalSecretsManager({ dataDir: mkdtempSync(path.join(tmpdir(), 'secrets-')) });
  served = await serveAws(local.api, { port: 0, credentials });
  secrets = new SecretsManagerClient({
    endpoint: served.url,
    region: 'us-east-1',
    credentials: async () => credentials,
  });
});
afterAll(async () => {
  await served.close();
  await fx.close();
});
beforeEach(() => ml.reset());

const deps = () => ({
  medialive,
  store: fx.store,
  inputSecurityGroupId: INPUT_SECURITY_GROUP_ID,
  srt: { secrets, secretPrefix: PREFIX, roleArn: ROLE_ARN },
});

describe('createInput for SRT_LISTENER', () => {
  it('keeps a CSPRNG passphrase in a secret, creates an encrypted SRT listener input the model accepts, and records the caller URLs', async () => {
    const record = await fx.seed(aStream({ channel_class: 'STANDARD', input_type: 'SRT_LISTENER' }));
    ml.on(CreateInputCommand).resolves({
      Input: {
        Id: '7654321',
        Destinations: [
          { Ip: '198.51.100.1', Port: '5000', Url: 'srt://198.51.100.1:5000' },
          { Ip: '198.51.100.2', Port: '5000' },
        ],
      },
    });
    expect(await createInput(deps(), { stream_id: record.id })).toEqual({ live_input_id: '7654321' });
    const [sent] = inputsOf(ml, CreateInputCommand);
    expect(modelProblems('medialive', 'CreateInput', sent)).toBe('');
    const secretArn = sent?.SrtSettings?.SrtListenerSettings?.Decryption?.PassphraseSecretArn ?? '';
    expect(sent).toMatchObject({
      Type: 'SRT_LISTENER',
      InputSecurityGroups: [INPUT_SECURITY_GROUP_ID],
      Destinations: [{}, {}],
      RoleArn: ROLE_ARN,
      SrtSettings: { SrtListenerSettings: { MinimumLatency: 2000, Decryption: { Algorithm: 'AES128' } } },
    });
    expect(secretArn).toMatch(new RegExp(`:secret:${PREFIX}${record.id}-\\w{6}$`));
    const passphrase = local.read(secretArn) ?? '';
    expect(passphrase).toMatch(/^[0-9a-f]{32}$/);
    const after = await fx.store.get(record.id);
    expect(after.srt1).toBe(`srt://198.51.100.1:5000?passphrase=${passphrase}&pbkeylen=16&latency=2000000`);
    expect(after.srt2).toBe(`srt://198.51.100.2:5000?passphrase=${passphrase}&pbkeylen=16&latency=2000000`);
    expect(after.srt_secret_arn).toBe(secretArn);
  });

  it('is idempotent: a retried step after the secret was made sends the same passphrase, and gets the same secret', async () => {
    const record = await fx.seed(aStream({ channel_class: 'SINGLE_PIPELINE', input_type: 'SRT_LISTENER' }));
    ml.on(CreateInputCommand)
      .rejectsOnce(new Error('network'))
      .resolves({
        Input: { Id: '7654322', Destinations: [{ Url: 'srt://198.51.100.1:5000' }] },
      });
    await expect(createInput(deps(), { stream_id: record.id })).rejects.toThrow('network');
    await createInput(deps(), { stream_id: record.id });
    const arns = inputsOf(ml, CreateInputCommand).map(
      (i) => i.SrtSettings?.SrtListenerSettings?.Decryption?.PassphraseSecretArn,
    );
    expect(arns[0]).toBe(arns[1]);
    const passphrase = local.read(arns[0] ?? '');
    expect((await fx.store.get(record.id)).srt1).toContain(`passphrase=${passphrase}`);
  });

  it('deletes the secret with the input', async () => {
    const record = await fx.seed(aStream({ channel_class: 'SINGLE_PIPELINE', input_type: 'SRT_LISTENER' }));
    ml.on(CreateInputCommand).resolves({ Input: { Id: '7654323', Destinations: [{ Url: 'srt://x:1' }] } });
    await createInput(deps(), { stream_id: record.id });
    const arn = (await fx.store.get(record.id)).srt_secret_arn ?? '';
    expect(local.read(arn)).toBeDefined();
    ml.on(DescribeInputCommand).resolves({ State: 'DETACHED' });
    ml.on(DeleteInputCommand).resolves({});
    expect(await deleteInput({ medialive, store: fx.store, secrets }, { stream_id: record.id })).toEqual({
      state: 'DELETED',
    });
    expect(local.read(arn)).toBeUndefined();
    // A retried step finds the secret gone: done all the same.
    ml.on(DescribeInputCommand).resolves({ State: 'DELETED' });
    expect(await deleteInput({ medialive, store: fx.store, secrets }, { stream_id: record.id })).toEqual({
      state: 'DELETED',
    });
  });

  it('a create cut short after the secret was made (CreateInput refused) leaves the secret to the clean-up, which deletes it and the pending passphrase', async () => {
    const record = await fx.seed(aStream({ channel_class: 'SINGLE_PIPELINE', input_type: 'SRT_LISTENER' }));
    ml.on(CreateInputCommand).rejects(new Error('LimitExceeded: too many inputs'));
    await expect(createInput(deps(), { stream_id: record.id })).rejects.toThrow('LimitExceeded');
    const name = `${PREFIX}${record.id}`;
    expect(local.read(name)).toMatch(/^[0-9a-f]{32}$/);
    // The clean-up finds no input, recorded or not.
    ml.on(ListInputsCommand).resolves({ Inputs: [] });
    expect(
      await deleteInput(
        { medialive, store: fx.store, secrets, secretPrefix: PREFIX },
        { stream_id: record.id },
      ),
    ).toEqual({ state: 'NONE' });
    expect(local.read(name)).toBeUndefined();
    // The passphrase kept for the retry is gone with its secret: the record keeps no dead one.
    expect((await fx.store.get(record.id)).srt1).toBeNull();
  });
});

describe('the local Secrets Manager, with the SDK', () => {
  it('takes requests the model accepts and answers errors by their AWS code', async () => {
    const input = {
      Name: `${PREFIX}model-check`,
      SecretString: 'abcdefghijklmnop',
      ClientRequestToken: 'x'.repeat(32),
    };
    expect(modelProblems('secretsmanager', 'CreateSecret', input)).toBe('');
    const created = await secrets.send(new CreateSecretCommand(input));
    await expect(
      secrets.send(new CreateSecretCommand({ ...input, SecretString: 'another-value-1' })),
    ).rejects.toMatchObject({
      name: 'ResourceExistsException',
    });
    const remove = { SecretId: created.ARN ?? '', ForceDeleteWithoutRecovery: true };
    expect(modelProblems('secretsmanager', 'DeleteSecret', remove)).toBe('');
    await secrets.send(new DeleteSecretCommand(remove));
    await expect(secrets.send(new DeleteSecretCommand(remove))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });
});
