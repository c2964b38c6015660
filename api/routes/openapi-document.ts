/** GET /openapi.json: this API as an OpenAPI 3.1 document. */
import type { noBody, noQuery, Reply, Request, Services } from '../route.js';

export async function getOpenApi(
  _: Request<typeof noBody, typeof noQuery>,
  { openApi }: Services,
): Promise<Reply> {
  return { body: await openApi() };
}
