import { describe, expect, it } from 'vitest';
import {
  MAX_TIMER_SECONDS,
  prepareDefinition,
  WAIT_RESOURCE,
} from '../../../../infra/local/stepfunctions/definition-preparation.js';

type States = Record<string, Record<string, unknown>>;
const statesOf = (runnable: Record<string, unknown>): States => runnable.States as States;

describe('definition preparation for the interpreter', () => {
  it('gives a Task without a timeout the largest timer instead of the interpreter default of 60 s', () => {
    const { runnable } = prepareDefinition(
      {
        StartAt: 'T',
        States: { T: { Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:1:function:f', End: true } },
      },
      { waitTimeScale: 1 },
    );
    expect(statesOf(runnable).T?.TimeoutSeconds).toBe(MAX_TIMER_SECONDS);
  });

  it('keeps a Task timeout that a timer can hold and clamps one that would overflow', () => {
    const { runnable } = prepareDefinition(
      {
        StartAt: 'A',
        TimeoutSeconds: 99999999,
        States: {
          A: {
            Type: 'Task',
            Resource: 'arn:aws:lambda:us-east-1:1:function:f',
            TimeoutSeconds: 30,
            Next: 'B',
          },
          B: {
            Type: 'Task',
            Resource: 'arn:aws:lambda:us-east-1:1:function:f',
            TimeoutSeconds: 99999999,
            End: true,
          },
        },
      },
      { waitTimeScale: 1 },
    );
    expect(statesOf(runnable).A?.TimeoutSeconds).toBe(30);
    expect(statesOf(runnable).B?.TimeoutSeconds).toBe(MAX_TIMER_SECONDS);
    expect(runnable.TimeoutSeconds).toBe(MAX_TIMER_SECONDS);
  });

  it('caps the machine timeout for Express runs', () => {
    const definition = { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } };
    expect(
      prepareDefinition(definition, { waitTimeScale: 1, maxExecutionSeconds: 300 }).runnable.TimeoutSeconds,
    ).toBe(300);
    expect(
      prepareDefinition({ ...definition, TimeoutSeconds: 60 }, { waitTimeScale: 1, maxExecutionSeconds: 300 })
        .runnable.TimeoutSeconds,
    ).toBe(60);
  });

  it('replaces a Wait state by a local wait task with the same name, paths and transition', () => {
    const wait = {
      Type: 'Wait',
      SecondsPath: '$.delay',
      InputPath: '$.schedule',
      OutputPath: '$.x',
      Next: 'After',
    };
    const { runnable, states } = prepareDefinition(
      { StartAt: 'Pause', States: { Pause: wait, After: { Type: 'Succeed' } } },
      { waitTimeScale: 1 },
    );
    expect(statesOf(runnable).Pause).toEqual({
      Type: 'Task',
      Resource: WAIT_RESOURCE,
      Parameters: { 'input.$': '$', 'seconds.$': '$.delay' },
      TimeoutSeconds: MAX_TIMER_SECONDS,
      InputPath: '$.schedule',
      OutputPath: '$.x',
      Next: 'After',
    });
    expect(states.get('Pause')).toEqual({ type: 'Wait', definition: wait });
  });

  it('scales retry intervals and maximum delays, defaulting IntervalSeconds to 1', () => {
    const { runnable } = prepareDefinition(
      {
        StartAt: 'T',
        States: {
          T: {
            Type: 'Task',
            Resource: 'arn:aws:lambda:us-east-1:1:function:f',
            Retry: [{ ErrorEquals: ['A'], IntervalSeconds: 10, MaxDelaySeconds: 60 }, { ErrorEquals: ['B'] }],
            End: true,
          },
        },
      },
      { waitTimeScale: 0.1 },
    );
    expect(statesOf(runnable).T?.Retry).toEqual([
      { ErrorEquals: ['A'], IntervalSeconds: 1, MaxDelaySeconds: 6 },
      { ErrorEquals: ['B'], IntervalSeconds: 0.1 },
    ]);
  });

  it('prepares the states nested in Map and Parallel and indexes them by name', () => {
    const { runnable, states } = prepareDefinition(
      {
        StartAt: 'M',
        States: {
          M: {
            Type: 'Map',
            ItemProcessor: {
              StartAt: 'Inner wait',
              States: { 'Inner wait': { Type: 'Wait', Seconds: 1, End: true } },
            },
            Next: 'P',
          },
          P: {
            Type: 'Parallel',
            Branches: [{ StartAt: 'Branch pass', States: { 'Branch pass': { Type: 'Pass', End: true } } }],
            End: true,
          },
        },
      },
      { waitTimeScale: 1 },
    );
    const processor = statesOf(runnable).M?.ItemProcessor as { States: States };
    const inner = processor.States['Inner wait'];
    expect(inner?.Resource).toBe(WAIT_RESOURCE);
    expect([...states.keys()].sort()).toEqual(['Branch pass', 'Inner wait', 'M', 'P']);
    expect(states.get('Inner wait')?.type).toBe('Wait');
  });

  it('leaves the original definition untouched', () => {
    const definition = {
      StartAt: 'W',
      States: {
        W: { Type: 'Wait', Seconds: 5, Next: 'T' },
        T: { Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:1:function:f', End: true },
      },
    };
    const before = structuredClone(definition);
    prepareDefinition(definition, { waitTimeScale: 0.5 });
    expect(definition).toStrictEqual(before);
  });
});
