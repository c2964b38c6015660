/**
 * Optional parts of the API, found in its OpenAPI document at run time: the console shows a panel
 * only when the deployment answers its routes (schedules and execution history come in later
 * versions of the API).
 */
export interface ApiFeatures {
  /** `GET|POST|DELETE /streams/{id}/schedule`. */
  schedule: boolean;
  /** `GET /streams/{id}/executions`: the stream's workflow executions and their steps. */
  executions: boolean;
  /** `GET /streams/{id}/health` and `/thumbnail`: the health light, panel and previews. */
  health?: boolean;
}

export const NO_FEATURES: ApiFeatures = { schedule: false, executions: false };

function methodsOf(document: unknown, route: string): Set<string> {
  if (typeof document !== 'object' || document === null) return new Set();
  const paths = (document as { paths?: unknown }).paths;
  if (typeof paths !== 'object' || paths === null) return new Set();
  const item = (paths as Record<string, unknown>)[route];
  if (typeof item !== 'object' || item === null) return new Set();
  return new Set(Object.keys(item).map((m) => m.toLowerCase()));
}

export function detectFeatures(openApi: unknown): ApiFeatures {
  const schedule = methodsOf(openApi, '/streams/{id}/schedule');
  const executions = methodsOf(openApi, '/streams/{id}/executions');
  const health = methodsOf(openApi, '/streams/{id}/health').has('get');
  return {
    schedule: schedule.has('post') && schedule.has('delete'),
    executions: executions.has('get'),
    ...(health && methodsOf(openApi, '/streams/{id}/thumbnail').has('get') ? { health: true } : {}),
  };
}
