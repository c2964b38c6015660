/**
 * Acknowledges cdk-nag's wildcard-resource findings (AwsSolutions-IAM5 `Resource::...`) that match
 * a justified pattern, each pattern with its own reason.
 *
 * cdk-nag 3 acknowledges findings by exact id only, and the id of a wildcard resource carries the
 * deployment's account, region and generated names, rendered as they are after cross-stack
 * references are resolved. So the patterns are matched where cdk-nag itself looks: in a validation
 * plugin registered just before AwsSolutionsChecks, on the same finished tree. Only resources are
 * ever acknowledged here: a wildcard action is always a finding to fix.
 */
import {
  CfnResource,
  type IPolicyValidationContext,
  type IPolicyValidationPlugin,
  type PolicyValidationPluginReport,
  Stack,
  Validations,
} from 'aws-cdk-lib';
import { CfnManagedPolicy, CfnPolicy, CfnRole } from 'aws-cdk-lib/aws-iam';
import { rules } from 'cdk-nag';
// The very function cdk-nag uses to print a resource in a finding id (cdk-nag is pinned exactly).
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference.js';
import type { IConstruct } from 'constructs';

export interface WildcardResourceRule {
  /** Matches the resource as cdk-nag prints it in the finding (`Resource::<this part>`). */
  resource: RegExp;
  /** When set, every action of the statement granting that resource must match it. */
  actions?: RegExp;
  /** Why the wildcard is needed: recorded with the acknowledgment. */
  reason: string;
}

const RULE_ID = 'AwsSolutions-IAM5';
const rulesByScope = new WeakMap<IConstruct, WildcardResourceRule[]>();

/**
 * Actions AWS only grants on `*`: X-Ray tracing (Lambda and Step Functions) and CloudWatch Logs
 * delivery of Step Functions execution logs. A statement granting `*` anything else is not covered.
 */
export const TRACING_AND_LOG_DELIVERY: WildcardResourceRule = {
  resource: /^\*$/,
  actions:
    /^(xray:(PutTraceSegments|PutTelemetryRecords|GetSamplingRules|GetSamplingTargets)|logs:(CreateLogDelivery|GetLogDelivery|UpdateLogDelivery|DeleteLogDelivery|ListLogDeliveries|PutResourcePolicy|DescribeResourcePolicies|DescribeLogGroups))$/,
  reason:
    'X-Ray trace upload and CloudWatch Logs delivery for Step Functions have no resource-level permissions: AWS only accepts "*" for these actions.',
};

/** Registers rules for every IAM policy and role under `scope`. */
export function acknowledgeWildcardResources(scope: IConstruct, wildcardRules: WildcardResourceRule[]): void {
  // A global or sticky RegExp keeps state between test() calls and would match every other time.
  for (const r of wildcardRules) {
    if (r.resource.global || r.resource.sticky || r.actions?.global || r.actions?.sticky) {
      throw new Error(`wildcard rule patterns must not use the g or y flag: ${r.resource}`);
    }
  }
  rulesByScope.set(scope, [...(rulesByScope.get(scope) ?? []), ...wildcardRules]);
}

export class WildcardAcknowledgments implements IPolicyValidationPlugin {
  readonly name = 'WildcardAcknowledgments';

  validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    this.acknowledgeIn(context.appConstruct);
    return { success: true, violations: [] };
  }

  /** Walks `root` and acknowledges the matching findings (also usable directly in tests). */
  acknowledgeIn(root: IConstruct): void {
    for (const node of root.node.findAll()) {
      if (!CfnResource.isCfnResource(node)) continue;
      const applicable = rulesFor(node);
      if (applicable.length === 0) continue;
      const findings = rules.iam.IAMNoWildcardPermissions(node);
      if (!Array.isArray(findings)) continue;
      const statements = statementsOf(node);
      for (const finding of findings) {
        if (!finding.startsWith('Resource::')) continue;
        const resource = finding.slice('Resource::'.length);
        const reasons = acknowledgedBy(applicable, resource, statements);
        if (reasons) Validations.of(node).acknowledge({ id: `${RULE_ID}[${finding}]`, reason: reasons });
      }
    }
  }
}

function rulesFor(node: IConstruct): WildcardResourceRule[] {
  return node.node.scopes.flatMap((scope) => rulesByScope.get(scope) ?? []);
}

interface RenderedStatement {
  actions: string[];
  resources: string[];
}

interface PolicyDocumentJson {
  Statement?: unknown;
}

/** The Allow statements of a policy or of a role's inline policies, rendered as cdk-nag renders them. */
function statementsOf(node: CfnResource): RenderedStatement[] {
  const stack = Stack.of(node);
  const documents: PolicyDocumentJson[] = [];
  if (node instanceof CfnPolicy || node instanceof CfnManagedPolicy) {
    documents.push(stack.resolve(node.policyDocument) as PolicyDocumentJson);
  } else if (node instanceof CfnRole) {
    const policies = (stack.resolve(node.policies) ?? []) as Array<{ policyDocument?: unknown }>;
    for (const policy of policies)
      documents.push(stack.resolve(stack.resolve(policy).policyDocument) as PolicyDocumentJson);
  }
  return documents.flatMap((doc) =>
    asArray(doc.Statement)
      .map((s) => s as { Effect?: unknown; Action?: unknown; Resource?: unknown })
      .filter((s) => s.Effect === 'Allow')
      .map((s) => ({
        actions: asArray(s.Action).map(String),
        resources: asArray(s.Resource).map(flattenCfnReference),
      })),
  );
}

/**
 * The reasons that acknowledge `resource`, or undefined: every action of every statement granting it
 * must be covered by a rule for that resource (CDK merges statements on the same resource, so one
 * statement may hold the actions of several rules, e.g. X-Ray's and MediaPackage's creates on "*").
 */
function acknowledgedBy(
  applicable: WildcardResourceRule[],
  resource: string,
  statements: RenderedStatement[],
): string | undefined {
  const matching = applicable.filter((r) => r.resource.test(resource));
  const granting = statements.filter((s) => s.resources.includes(resource));
  if (matching.length === 0 || granting.length === 0) return undefined;
  const actions = granting.flatMap((s) => s.actions);
  const covering = (action: string) => matching.filter((r) => !r.actions || r.actions.test(action));
  if (!actions.every((action) => covering(action).length > 0)) return undefined;
  const used = [...new Set(actions.flatMap((action) => covering(action).slice(0, 1)))];
  return used.map((r) => r.reason).join(' ');
}

function asArray(value: unknown): unknown[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}
