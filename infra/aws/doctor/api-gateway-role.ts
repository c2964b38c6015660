/**
 * The account's API Gateway CloudWatch role in the deploy region. A REST API stage with access or
 * execution logging fails to create when the account has none ("CloudWatch Logs role ARN must be
 * set in account settings to enable logging"); the setting is per account and region, shared by
 * every REST API there.
 */
import { type APIGatewayClient, GetAccountCommand } from '@aws-sdk/client-api-gateway';
import { GetRoleCommand, type IAMClient } from '@aws-sdk/client-iam';
import { CONTEXT_OPTIONS } from '../config.js';
import { cannotCheck, errorName, isAccessDenied } from './aws-errors.js';
import { type CheckResult, fail, ok, warn } from './report.js';

const ID = 'apigateway-cloudwatch-role';

/**
 * The context option with which the stack creates the role and sets it on the account (the default);
 * `false` keeps the account's own role, which must then exist.
 */
export const CLOUDWATCH_ROLE_OPTION = 'api_gateway_cloudwatch_role';

/** Whether this deploy will create the account's API Gateway CloudWatch role itself. */
export function deployCreatesCloudWatchRole(context: Record<string, unknown>): boolean {
  if (!(CONTEXT_OPTIONS as readonly string[]).includes(CLOUDWATCH_ROLE_OPTION)) return false;
  const value = context[CLOUDWATCH_ROLE_OPTION];
  return !(value === false || (typeof value === 'string' && value.trim().toLowerCase() === 'false'));
}

export interface CloudWatchRoleClients {
  apigateway: APIGatewayClient;
  iam: IAMClient;
}

export async function checkApiGatewayCloudWatchRole(
  clients: CloudWatchRoleClients,
  region: string,
  deployCreatesRole: boolean,
): Promise<CheckResult> {
  const title = `API Gateway CloudWatch role (${region})`;
  let roleArn: string | undefined;
  try {
    roleArn = (await clients.apigateway.send(new GetAccountCommand({}))).cloudwatchRoleArn || undefined;
  } catch (error) {
    return cannotCheck(ID, title, `apigateway:GET on the account (/account) in ${region}`, error);
  }

  const setIt = `aws apigateway update-account --region ${region} --patch-operations op=replace,path=/cloudwatchRoleArn,value=<ARN of a role that apigateway.amazonaws.com can assume, with the AmazonAPIGatewayPushToCloudWatchLogs policy>`;
  const optionIsKnown = (CONTEXT_OPTIONS as readonly string[]).includes(CLOUDWATCH_ROLE_OPTION);
  const orOption = optionIsKnown ? ` (or deploy without -c ${CLOUDWATCH_ROLE_OPTION}=false)` : '';

  if (!roleArn) {
    if (deployCreatesRole)
      return ok(ID, title, `not set; the deploy creates one and sets it (${CLOUDWATCH_ROLE_OPTION}=true)`);
    return fail(
      ID,
      title,
      'not set: the API stage (access logging on) fails to deploy without it',
      `${setIt}${orOption}`,
    );
  }

  if (deployCreatesRole)
    return warn(
      ID,
      title,
      `set to ${roleArn}; the deploy will replace it with its own role (${CLOUDWATCH_ROLE_OPTION}=true, the default), for every REST API in ${region}`,
      `deploy with -c ${CLOUDWATCH_ROLE_OPTION}=false to keep the account's role`,
    );

  const roleName = roleArn.split('/').pop() ?? roleArn;
  try {
    await clients.iam.send(new GetRoleCommand({ RoleName: roleName }));
  } catch (error) {
    if (errorName(error) === 'NoSuchEntity' || errorName(error) === 'NoSuchEntityException')
      return fail(
        ID,
        title,
        `set to ${roleArn}, but that role no longer exists: logging stages fail to deploy`,
        `${setIt}${orOption}`,
      );
    if (isAccessDenied(error))
      return warn(
        ID,
        title,
        `set to ${roleArn}; whether the role still exists was not checked (iam:GetRole denied)`,
        `allow iam:GetRole on ${roleArn}, then run the doctor again`,
      );
    return cannotCheck(ID, title, 'iam:GetRole', error);
  }
  return ok(ID, title, `set to ${roleArn}; the deploy uses it and does not change it`);
}
