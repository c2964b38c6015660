/**
 * SFNClient settings for the local endpoint. StartSyncExecution (and TestState) carry the model's
 * `sync-` host prefix: with a custom endpoint the SDK still prepends it, turning 127.0.0.1 into
 * `sync-127.0.0.1`, which does not resolve. `disableHostPrefix` keeps the endpoint's host as given.
 * (AWS CLI / boto3: AWS_DISABLE_HOST_PREFIX_INJECTION=true or `disable_host_prefix_injection`.)
 */
export function localSfnClientConfig(url: string): { endpoint: string; disableHostPrefix: true } {
  return { endpoint: url, disableHostPrefix: true };
}
