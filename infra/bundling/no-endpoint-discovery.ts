/**
 * What the bundles carry instead of `@aws-sdk/middleware-endpoint-discovery` (about 9 KB with its
 * LRU cache library). Only the DynamoDB client uses it, and in the SDK version the app pins none of
 * its commands adds the discovery middleware: the client only resolves the setting and builds a
 * cache nothing reads. This resolves the setting the same way, without the cache; the settings files
 * and environment variables that would turn discovery on are not read (it has no effect here), and
 * the middleware plugins fail loudly should a command ever ask for them.
 */
interface DiscoveryInput {
  endpointDiscoveryEnabled?: boolean | undefined;
  endpointDiscoveryEnabledProvider?: () => Promise<boolean | undefined>;
}

export const NODE_ENDPOINT_DISCOVERY_CONFIG_OPTIONS = {
  environmentVariableSelector: (): undefined => undefined,
  configFileSelector: (): undefined => undefined,
  default: undefined,
};

export const resolveEndpointDiscoveryConfig = <T extends DiscoveryInput>(
  input: T,
  { endpointDiscoveryCommandCtor }: { endpointDiscoveryCommandCtor: unknown },
) =>
  Object.assign(input, {
    endpointDiscoveryCommandCtor,
    endpointDiscoveryEnabled:
      input.endpointDiscoveryEnabled !== undefined
        ? () => Promise.resolve(input.endpointDiscoveryEnabled)
        : input.endpointDiscoveryEnabledProvider,
    isClientEndpointDiscoveryEnabled: input.endpointDiscoveryEnabled !== undefined,
  });

const missing = (): never => {
  throw new Error('endpoint discovery is not bundled (infra/bundling/no-endpoint-discovery.ts)');
};

export const endpointDiscoveryMiddlewareOptions = {
  name: 'endpointDiscoveryMiddleware',
  step: 'build',
  tags: ['ENDPOINT_DISCOVERY'],
  override: true,
};
export const getEndpointDiscoveryPlugin = missing;
export const getEndpointDiscoveryRequiredPlugin = missing;
export const getEndpointDiscoveryOptionalPlugin = missing;
