/** What every page gets: the signed-in API client, the runtime config and the API's optional parts. */
import type { ApiClient } from './api-client.js';
import type { ApiFeatures } from './api-features.js';
import type { ConsoleConfig } from './console-config.js';
import type { Route } from './routes.js';

export interface ConsoleContext {
  api: ApiClient;
  config: ConsoleConfig;
  features: ApiFeatures;
  navigate(route: Route): void;
}

/** A page: mounted into `<main>`, returns its cleanup (pollers, players). */
export type Page = (main: HTMLElement, context: ConsoleContext) => () => void;
