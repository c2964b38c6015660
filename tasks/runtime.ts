/**
 * What every task Lambda shares: its settings read from the environment and checked, and a logger
 * with the stream id. Its clients are in tasks/clients.ts.
 *
 * Each task file exports its logic as a function taking its dependencies, and `handler`, the wiring.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { requireEnv } from '../core/env.js';

export const logger = new Logger({ serviceName: 'live-streaming-tasks' });

/** Settings of the deployment, read when first needed and checked. */
export const settings = {
  mediaLiveRoleArn: () => requireEnv('MEDIALIVE_ROLE_ARN'),
  inputSecurityGroupId: () => requireEnv('INPUT_SECURITY_GROUP_ID'),
  archiveBucket: () => requireEnv('ARCHIVE_BUCKET'),
  /** The role MediaConvert assumes for exports: reads the archive, writes the exports. */
  mediaConvertRoleArn: () => requireEnv('MEDIACONVERT_ROLE_ARN'),
  /** Name prefix of the SRT inputs' passphrase secrets (`<stack>/srt/`): the IAM grants' scope. */
  srtSecretPrefix: () => requireEnv('SRT_SECRET_PREFIX'),
  /** Unset when the deployment has no live distribution. */
  liveDistribution: (): { id: string; baseUrl: string; cachePolicyId: string } | undefined => {
    const id = process.env.LIVE_DISTRIBUTION_ID;
    if (!id) return undefined;
    return { id, baseUrl: requireEnv('LIVE_BASE_URL'), cachePolicyId: requireEnv('LIVE_CACHE_POLICY_ID') };
  },
  /** Unset when the deployment has no SPEKE key provider. */
  speke: (): { url: string; roleArn: string; systemIds: string[] } | undefined => {
    const url = process.env.SPEKE_URL;
    if (!url) return undefined;
    return {
      url,
      roleArn: requireEnv('SPEKE_ROLE_ARN'),
      systemIds: (process.env.SPEKE_SYSTEM_IDS ?? '81376844-f976-481e-a84e-cc25d39b0b33').split(','),
    };
  },
  /** How often a wait task asks MediaLive, and for how long one invocation keeps asking. */
  pollIntervalMs: () => Number(process.env.POLL_INTERVAL_MS ?? '1000'),
  pollBudgetMs: () => Number(process.env.POLL_BUDGET_MS ?? '20000'),
};

/** Wraps a task's logic as a Lambda handler that logs with the stream id. */
export function taskHandler<I extends { stream_id?: string }, O>(
  name: string,
  run: (input: I, log: Logger) => Promise<O>,
): (input: I) => Promise<O> {
  return async (input: I) => {
    // A logger of its own per invocation: local mode runs tasks concurrently in one process, where
    // keys appended to the shared logger would leak onto another task's lines.
    const log = logger.createChild({ persistentKeys: { task: name, stream_id: input?.stream_id } });
    try {
      return await run(input, log);
    } catch (error) {
      log.warn('task failed', {
        error: { name: (error as Error).name, message: (error as Error).message },
      });
      throw error;
    }
  };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Teardown steps treat "already gone" as done, so a retry after a partial delete finishes the job. */
export async function deleteIfPresent(
  remove: () => Promise<unknown>,
  isNotFound: (error: unknown) => boolean,
): Promise<'DELETED' | 'ABSENT'> {
  try {
    await remove();
    return 'DELETED';
  } catch (error) {
    if (isNotFound(error)) return 'ABSENT';
    throw error;
  }
}
