/** Request/response types of the three REST services and the route table that dispatches them. */
import type { IncomingHttpHeaders } from 'node:http';

export interface ApiRequest {
  method: string;
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface ApiResponse {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

export interface Route {
  /** The AWS operation name, for errors and logs. */
  operation: string;
  method: string;
  /** Path template from the model's `requestUri`, e.g. `/prod/channels/{channelId}/start`. */
  path: string;
  handler: (req: ApiRequest) => ApiResponse | Promise<ApiResponse>;
}

export function matchRoute(
  routes: readonly Route[],
  method: string,
  path: string,
): { route: Route; params: Record<string, string> } | undefined {
  const segments = path.split('/');
  for (const route of routes) {
    if (route.method !== method) continue;
    const template = route.path.split('/');
    if (template.length !== segments.length) continue;
    const params: Record<string, string> = {};
    let matched = true;
    for (let i = 0; i < template.length; i++) {
      const part = template[i] ?? '';
      const actual = segments[i] ?? '';
      if (part.startsWith('{') && part.endsWith('}')) {
        if (actual === '') {
          matched = false;
          break;
        }
        params[part.slice(1, -1)] = decodeURIComponent(actual);
      } else if (part !== actual) {
        matched = false;
        break;
      }
    }
    if (matched) return { route, params };
  }
  return undefined;
}

export function jsonResponse(status: number, body: unknown): ApiResponse {
  return {
    status,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? '' : JSON.stringify(body),
  };
}
