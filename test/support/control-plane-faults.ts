/**
 * Faults and states of MediaLive as the functions meet them: answered by the local double over the
 * wire, so a throttled call goes through the SDK's own retries inside the task first (three attempts,
 * as on AWS), and only what the SDK gives up on reaches the state machine's Retry and Catch.
 */

import type { Reply as ApiResponse } from '../../infra/local/aws-server/aws-error.js';
import type { ControlPlaneFaults, FaultCall } from '../../infra/local/media/control/control-plane.js';

/** The operation of a route of the double (the models' names), as faults are written. */
const OPERATIONS: Record<string, string> = {
  'medialive POST /prod/inputs': 'CreateInput',
  'medialive GET /prod/inputs/{inputId}': 'DescribeInput',
  'medialive DELETE /prod/inputs/{inputId}': 'DeleteInput',
  'medialive POST /prod/channels': 'CreateChannel',
  'medialive GET /prod/channels/{channelId}': 'DescribeChannel',
  'medialive PUT /prod/channels/{channelId}': 'UpdateChannel',
  'medialive DELETE /prod/channels/{channelId}': 'DeleteChannel',
  'medialive POST /prod/channels/{channelId}/start': 'StartChannel',
  'medialive POST /prod/channels/{channelId}/stop': 'StopChannel',
  'mediapackage POST /channels': 'CreateChannel',
  'mediapackage GET /channels/{id}': 'DescribeChannel',
  'mediapackage DELETE /channels/{id}': 'DeleteChannel',
  'mediapackage POST /origin_endpoints': 'CreateOriginEndpoint',
  'mediapackage GET /origin_endpoints/{id}': 'DescribeOriginEndpoint',
  'mediapackage PUT /origin_endpoints/{id}': 'UpdateOriginEndpoint',
  'mediapackage DELETE /origin_endpoints/{id}': 'DeleteOriginEndpoint',
  'cloudfront GET /2020-05-31/distribution/{Id}/config': 'GetDistributionConfig',
  'cloudfront PUT /2020-05-31/distribution/{Id}/config': 'UpdateDistribution',
};

export const operationOf = (call: FaultCall): string =>
  OPERATIONS[`${call.service} ${call.method} ${call.path}`] ?? `${call.method} ${call.path}`;

export interface Fault {
  /** Calls the fault has answered so far. */
  readonly hits: number;
  remove(): void;
}

export interface AwsErrorAnswer {
  code: string;
  status: number;
  message: string;
}

export const THROTTLED: AwsErrorAnswer = {
  code: 'TooManyRequestsException',
  status: 429,
  message: 'Too many requests',
};
export const INTERNAL_ERROR: AwsErrorAnswer = {
  code: 'InternalServerErrorException',
  status: 500,
  message: 'We encountered an internal error',
};

/** The SDK's standard retry mode makes three attempts per call before a task sees the error. */
export const SDK_ATTEMPTS = 3;

export interface Rule {
  before?: (call: FaultCall) => AwsErrorAnswer | undefined;
  after?: (call: FaultCall, response: ApiResponse) => ApiResponse | Promise<ApiResponse>;
}

export class ControlPlaneFaultRules implements ControlPlaneFaults {
  private readonly rules = new Set<Rule>();

  before(call: FaultCall): AwsErrorAnswer | undefined {
    for (const rule of this.rules) {
      const answer = rule.before?.(call);
      if (answer) return answer;
    }
    return undefined;
  }

  async after(call: FaultCall, response: ApiResponse): Promise<ApiResponse> {
    let current = response;
    for (const rule of this.rules) if (rule.after) current = await rule.after(call, current);
    return current;
  }

  /**
   * Serves calls of `operation` of `service`, then answers them with `error` instead, `times` times:
   * the request took effect and its answer was lost, so the caller retries something already done.
   */
  loseAnswer(service: string, operation: string, options: { times: number; error?: AwsErrorAnswer }): Fault {
    let hits = 0;
    const error = options.error ?? INTERNAL_ERROR;
    const rule: Rule = {
      after: (call, response) => {
        if (call.service !== service || operationOf(call) !== operation || hits >= options.times)
          return response;
        hits++;
        return {
          status: error.status,
          headers: { 'content-type': 'application/json', 'x-amzn-errortype': error.code },
          body: JSON.stringify({ message: error.message }),
        };
      },
    };
    return this.addCounted(rule, () => hits);
  }

  /** Any other rule (e.g. a delay before some answers). */
  add(rule: Rule): Fault {
    return this.addCounted(rule, () => 0);
  }

  /** Answers calls of `operation` (e.g. `StartChannel`) with `error`, `times` times or until removed. */
  fail(
    operation: string,
    error: AwsErrorAnswer,
    options: {
      times?: number;
      when?: (params: Record<string, string>) => boolean;
      service?: string;
    } = {},
  ): Fault {
    let hits = 0;
    const rule: Rule = {
      before: (call) => {
        const applies =
          operationOf(call) === operation &&
          (options.service === undefined || call.service === options.service) &&
          (options.times === undefined || hits < options.times) &&
          (options.when?.(call.params) ?? true);
        if (!applies) return undefined;
        hits++;
        return error;
      },
    };
    return this.addCounted(rule, () => hits);
  }

  /**
   * Makes DescribeChannel report another state for one channel (or every channel: `'any'`), as
   * MediaLive would for a channel that failed or hangs, while every other call reaches the double.
   */
  reportChannelState(
    channelId: string | 'any',
    rewrite: (actual: string | undefined) => string | undefined,
  ): Fault {
    let hits = 0;
    const rule: Rule = {
      after: (call, response) => {
        if (operationOf(call) !== 'DescribeChannel' || response.status !== 200 || !response.body)
          return response;
        if (channelId !== 'any' && call.params.channelId !== channelId) return response;
        const body = JSON.parse(response.body) as { state?: string };
        const shown = rewrite(body.state);
        if (shown === body.state) return response;
        hits++;
        return { ...response, body: JSON.stringify({ ...body, state: shown }) };
      },
    };
    return this.addCounted(rule, () => hits);
  }

  clear(): void {
    this.rules.clear();
  }

  private addCounted(rule: Rule, hits: () => number): Fault {
    this.rules.add(rule);
    return {
      get hits() {
        return hits();
      },
      remove: () => {
        this.rules.delete(rule);
      },
    };
  }
}
