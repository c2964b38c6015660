/** ARNs the function registry's resource names resolve to, built with the stack's partition. */
import { Fn, Stack } from 'aws-cdk-lib';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import type { IConstruct } from 'constructs';

/** `arn:<partition>:<service>:<region>:<account>:<resource><separator>` */
export function arnPrefix(
  scope: IConstruct,
  service: string,
  resource: string,
  separator: ':' | '/' = ':',
): string {
  const stack = Stack.of(scope);
  return `arn:${stack.partition}:${service}:${stack.region}:${stack.account}:${resource}${separator}`;
}

/** Every execution of these machines: execution ARNs carry the machine's name, its ARN's 7th field. */
export function executionArns(scope: IConstruct, machines: readonly IStateMachine[]): string[] {
  return machines.map(
    (m) => `${arnPrefix(scope, 'states', 'execution')}${Fn.select(6, Fn.split(':', m.stateMachineArn))}:*`,
  );
}

/** Every schedule of a schedule group. */
export function schedulesArn(scope: IConstruct, groupName: string): string {
  return `${arnPrefix(scope, 'scheduler', 'schedule', '/')}${groupName}/*`;
}
