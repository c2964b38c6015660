/**
 * Starting a lifecycle workflow from the API: the transitional status goes in with a conditional
 * write first, then the execution starts; if it cannot start, the status goes back. The record names
 * the execution before it exists (its ARN is known from its name).
 */
import { randomBytes } from 'node:crypto';
import { ActionNotAllowed } from '../core/errors.js';
import {
  ACTION_RULES,
  isAllowed,
  type LifecycleAction,
  type RuledAction,
  type StreamRecord,
} from '../core/stream.js';
import { executionName, type WorkflowInput } from '../core/workflows.js';
import { HttpError } from './http.js';
import type { Services } from './route.js';

export interface Launch {
  action: LifecycleAction;
  /** The rule of `ACTION_RULES` that says from which status and to which (force-delete is not delete). */
  rule: RuledAction;
  /** Record fields the action sets along with the status. */
  changes?: Partial<StreamRecord>;
  /** The workflow's `options`. */
  options?: Record<string, unknown>;
  requestId: string;
}

export async function launch(services: Services, current: StreamRecord, how: Launch): Promise<StreamRecord> {
  const { store, workflows, logger, now } = services;
  const { action, rule, changes = {}, options = {} } = how;
  if (!isAllowed(rule, current.status)) throw new ActionNotAllowed(current.id, action, current.status);
  const at = now();
  const name = executionName(current.id, action, at, randomBytes(3).toString('hex'));
  const to = ACTION_RULES[rule].to;
  const updated = await store.update(current, {
    ...changes,
    ...(to ? { status: to, error: null } : {}),
    execution: { action, name, arn: workflows.executionArn(action, name), started_at: at.toISOString() },
  });
  try {
    await workflows.start(action, name, workflowInput(services, updated.id, action, options, how.requestId));
  } catch (error) {
    logger.error(`could not start the ${action} workflow`, { error: error });
    await store
      .update(
        updated,
        { status: current.status, execution: current.execution, error: current.error },
        { anyTransition: true },
      )
      .catch((e: unknown) => logger.error('could not put the status back', { error: e }));
    throw new HttpError(
      503,
      'WorkflowStartFailed',
      `could not start the ${action} workflow; the stream is unchanged (${current.status}), retry later`,
    );
  }
  await rememberExecution(services, current.id, updated.execution);
  logger.info(`${action} workflow started`, { execution: name, status: updated.status });
  return updated;
}

export function workflowInput(
  services: Services,
  streamId: string,
  action: LifecycleAction,
  options: Record<string, unknown>,
  requestId: string,
): WorkflowInput {
  return {
    stream_id: streamId,
    action,
    options,
    requested_at: services.now().toISOString(),
    request_id: requestId,
  };
}

/** For the executions listing; the workflow runs whether or not this write succeeds. */
export async function rememberExecution(
  { store, logger }: Services,
  id: string,
  execution: StreamRecord['execution'],
): Promise<void> {
  if (!execution) return;
  await store.putExecution(id, execution).catch((error: unknown) => {
    logger.warn('could not remember the execution', { error: (error as Error).name });
  });
}
