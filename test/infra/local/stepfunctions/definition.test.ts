import { describe, expect, it } from 'vitest';
import { MAX_TIMER_SECONDS, prepareDefinition } from '../../../../infra/local/stepfunctions/definition.js';

type States = Record<string, Record<string, unknown>>;
const statesOf = (runnable: Record<string, unknown>): States => runnable.States as States;
const fn = 'arn:aws:lambda:us-east-1:1:function:f';

describe('definition preparation for the interpreter', () => {
  it('gives a Task without a timeout the largest timer instead of the interpreter default of 60 s', () => {
    const { runnable, tasks } = prepareDefinition(
      { StartAt: 'T', States: { T: { Type: 'Task', Resource: fn, End: true } } },
      1,
    );
    expect(statesOf(runnable).T?.TimeoutSeconds).toBe(MAX_TIMER_SECONDS);
    expect(tasks.get('T')).toEqual({ resource: fn, timeoutSeconds: undefined });
  });

  it('keeps a Task timeout that a timer can hold and clamps one that would overflow', () => {
    const { runnable, tasks } = prepareDefinition(
      {
        StartAt: 'A',
        TimeoutSeconds: 99999999,
        States: {
          A: { Type: 'Task', Resource: fn, TimeoutSeconds: 30, Next: 'B' },
          B: { Type: 'Task', Resource: fn, TimeoutSeconds: 99999999, End: true },
        },
      },
      1,
    );
    expect(statesOf(runnable).A?.TimeoutSeconds).toBe(30);
    expect(statesOf(runnable).B?.TimeoutSeconds).toBe(MAX_TIMER_SECONDS);
    expect(runnable.TimeoutSeconds).toBe(MAX_TIMER_SECONDS);
    expect(tasks.get('A')?.timeoutSeconds).toBe(30);
  });

  it('caps the machine timeout for Express runs', () => {
    const definition = { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } };
    expect(prepareDefinition(definition, 1, 300).runnable.TimeoutSeconds).toBe(300);
    expect(prepareDefinition({ ...definition, TimeoutSeconds: 60 }, 1, 300).runnable.TimeoutSeconds).toBe(60);
    expect(prepareDefinition(definition, 1).runnable.TimeoutSeconds).toBeUndefined();
  });

  it('scales retry intervals and maximum delays, defaulting IntervalSeconds to 1', () => {
    const { runnable } = prepareDefinition(
      {
        StartAt: 'T',
        States: {
          T: {
            Type: 'Task',
            Resource: fn,
            Retry: [{ ErrorEquals: ['A'], IntervalSeconds: 10, MaxDelaySeconds: 60 }, { ErrorEquals: ['B'] }],
            End: true,
          },
        },
      },
      0.1,
    );
    expect(statesOf(runnable).T?.Retry).toEqual([
      { ErrorEquals: ['A'], IntervalSeconds: 1, MaxDelaySeconds: 6 },
      { ErrorEquals: ['B'], IntervalSeconds: 0.1 },
    ]);
  });

  it('finds the Task states nested in Map and Parallel', () => {
    const { tasks } = prepareDefinition(
      {
        StartAt: 'M',
        States: {
          M: {
            Type: 'Map',
            ItemProcessor: { StartAt: 'Inner', States: { Inner: { Type: 'Task', Resource: fn, End: true } } },
            Next: 'P',
          },
          P: {
            Type: 'Parallel',
            Branches: [{ StartAt: 'Branch', States: { Branch: { Type: 'Task', Resource: fn, End: true } } }],
            End: true,
          },
        },
      },
      1,
    );
    expect([...tasks.keys()].sort()).toEqual(['Branch', 'Inner']);
  });

  it('leaves the original definition untouched', () => {
    const definition = {
      StartAt: 'T',
      States: { T: { Type: 'Task', Resource: fn, Retry: [{ ErrorEquals: ['A'] }], End: true } },
    };
    const before = structuredClone(definition);
    prepareDefinition(definition, 0.5);
    expect(definition).toStrictEqual(before);
  });
});
