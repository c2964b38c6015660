/** GET /streams/{id}/executions: the stream's latest lifecycle executions, with their steps. */
import type { noBody, Reply, Services, StreamRequest } from '../route.js';
import type { executionsQuery } from '../schemas.js';

export async function listExecutions(
  { id, query }: StreamRequest<typeof noBody, typeof executionsQuery>,
  { store, workflows, logger }: Services,
): Promise<Reply> {
  await store.get(id);
  const executions = await store.listExecutions(id, query.limit);
  const reports = await Promise.all(
    executions.map(async (execution) => {
      try {
        return { ...execution, ...(await workflows.report(execution.arn)) };
      } catch (error) {
        // One execution Step Functions cannot describe (expired after 90 days, throttled) must
        // not hide the others.
        logger.warn('could not describe an execution', {
          execution: execution.name,
          error: (error as Error).name,
        });
        return { ...execution, status: 'UNKNOWN', stopped_at: null, error: null, cause: null, steps: [] };
      }
    }),
  );
  return { body: reports };
}
