/** Hash routes, so the console never shadows an API path on the same origin. */
export type Route = { page: 'streams' } | { page: 'create' } | { page: 'stream'; id: string };

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '');
  if (path === '/new') return { page: 'create' };
  const stream = /^\/streams\/([0-9A-Za-z]{1,64})$/.exec(path);
  if (stream?.[1]) return { page: 'stream', id: stream[1] };
  return { page: 'streams' };
}

export function hrefOf(route: Route): string {
  switch (route.page) {
    case 'create':
      return '#/new';
    case 'stream':
      return `#/streams/${encodeURIComponent(route.id)}`;
    default:
      return '#/';
  }
}
