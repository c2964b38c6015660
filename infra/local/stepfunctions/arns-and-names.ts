import { randomUUID } from 'node:crypto';
import { invalidArn, SfnApiError } from './api-errors.js';

/**
 * Execution names: 1–80 characters, none of whitespace, `< > { } [ ] ? * " # % \ ^ | ~ \` $ & , ; : /`
 * or control characters (Step Functions API reference, StartExecution `name`).
 */
/** `\p{Cc}` is exactly U+0000–U+001F and U+007F–U+009F. */
const FORBIDDEN_NAME_CHARACTERS = /[\s<>{}[\]?*"#%\\^|~`$&,;:/\p{Cc}]/u;
const MAX_NAME_LENGTH = 80;

export function checkExecutionName(name: string): void {
  const length = [...name].length;
  if (length < 1 || length > MAX_NAME_LENGTH) {
    throw new SfnApiError(
      'InvalidName',
      `Invalid Name: '${name}' (must be 1 to ${MAX_NAME_LENGTH} characters)`,
    );
  }
  const bad = FORBIDDEN_NAME_CHARACTERS.exec(name);
  if (bad) {
    throw new SfnApiError(
      'InvalidName',
      `Invalid Name: '${name}' (character ${JSON.stringify(bad[0])} is not allowed)`,
    );
  }
}

interface ParsedArn {
  partition: string;
  region: string;
  accountId: string;
  resourceType: string;
  /** Everything after the resource type, split on ':'. */
  resource: string[];
}

function parseStatesArn(arn: string): ParsedArn | undefined {
  const parts = arn.split(':');
  const [prefix, partition, service, region, accountId, resourceType, ...resource] = parts;
  if (prefix !== 'arn' || service !== 'states' || !partition || !resourceType || resource.length === 0) {
    return undefined;
  }
  return { partition, region: region ?? '', accountId: accountId ?? '', resourceType, resource };
}

/** Rejects what is not a state machine ARN at all (InvalidArn), as AWS does before any lookup. */
export function checkStateMachineArn(arn: string): void {
  const parsed = parseStatesArn(arn);
  if (parsed?.resourceType !== 'stateMachine') {
    throw invalidArn(arn, 'Resource type not valid in this context');
  }
}

/** Rejects what is not an execution ARN (standard `execution:` or `express:`). */
export function checkExecutionArn(arn: string): void {
  const parsed = parseStatesArn(arn);
  if (!parsed || (parsed.resourceType !== 'execution' && parsed.resourceType !== 'express')) {
    throw invalidArn(arn, 'Resource type not valid in this context');
  }
}

export function isExpressExecutionArn(arn: string): boolean {
  return parseStatesArn(arn)?.resourceType === 'express';
}

/** `arn:aws:states:r:a:stateMachine:M` → `arn:aws:states:r:a:execution:M:<name>`. */
export function standardExecutionArn(stateMachineArn: string, name: string): string {
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
}

/** Express executions carry a unique suffix: names are not idempotency keys for them. */
export function expressExecutionArn(stateMachineArn: string, name: string): string {
  return `${stateMachineArn.replace(':stateMachine:', ':express:')}:${name}:${randomUUID()}`;
}

export const defaultExecutionName = (): string => randomUUID();
