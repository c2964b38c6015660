/**
 * ARNs of the resources local mode stands in for. Local mode plays one account in the commercial
 * partition (the AWS CLI and the SDK accept its ARNs as they are); this is the one place that says
 * so. The CDK app never builds ARNs this way: it takes the stack's partition.
 */
export const LOCAL_PARTITION = 'aws';

/** `arn:<LOCAL_PARTITION>:<service>:<region>:<account>:<resource>`; region and account empty for global ones. */
export function localArn(service: string, region: string, account: string, resource: string): string {
  return `arn:${LOCAL_PARTITION}:${service}:${region}:${account}:${resource}`;
}
