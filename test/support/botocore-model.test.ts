import { describe, expect, it } from 'vitest';
import {
  formatProblems,
  limitsFromShapeName,
  loadServiceModel,
  type ModelProblem,
  type ServiceModel,
  validateInput,
  validateOperationInput,
} from './botocore-model.js';

/** A tiny model with one shape of each kind the validator knows. */
const MODEL: ServiceModel = {
  metadata: { protocol: 'rest-json' },
  operations: {
    PutThing: { name: 'PutThing', input: { shape: 'PutThingRequest' } },
    Ping: { name: 'Ping' },
  },
  shapes: {
    PutThingRequest: {
      type: 'structure',
      required: ['Name', 'Items'],
      members: {
        Name: { shape: 'Str' },
        Kind: { shape: 'Kind' },
        Count: { shape: 'Count' },
        Ratio: { shape: 'Ratio' },
        Big: { shape: 'Big' },
        Flag: { shape: 'Flag' },
        Items: { shape: 'ItemList' },
        Tags: { shape: 'TagMap' },
        When: { shape: 'When' },
        Choice: { shape: 'Choice' },
        Data: { shape: 'Data' },
        Named: { shape: '__integerMin1Max86400' },
        NamedText: { shape: '__stringMin2Max3' },
      },
    },
    Str: { type: 'string' },
    Kind: { type: 'string', enum: ['SMALL', 'LARGE'] },
    Count: { type: 'integer', min: 1, max: 10 },
    Ratio: { type: 'double', min: 0, max: 1 },
    Big: { type: 'long' },
    Flag: { type: 'boolean' },
    ItemList: { type: 'list', member: { shape: 'Item' }, min: 1, max: 2 },
    Item: { type: 'structure', required: ['Id'], members: { Id: { shape: 'ItemId' } } },
    ItemId: { type: 'string', min: 2, max: 4, pattern: '^[a-z]+$' },
    TagMap: { type: 'map', key: { shape: 'TagKey' }, value: { shape: 'Str' }, max: 2 },
    TagKey: { type: 'string', min: 1, max: 3 },
    When: { type: 'timestamp' },
    Choice: { type: 'structure', union: true, members: { A: { shape: 'Str' }, B: { shape: 'Count' } } },
    Data: { type: 'blob' },
    __integerMin1Max86400: { type: 'integer' },
    __stringMin2Max3: { type: 'string' },
  },
};

function valid(): Record<string, unknown> {
  return {
    Name: 'thing',
    Kind: 'SMALL',
    Count: 3,
    Ratio: 0.5,
    Big: 2 ** 40,
    Flag: true,
    Items: [{ Id: 'ab' }, { Id: 'abcd' }],
    Tags: { env: 'x' },
    When: new Date('2024-01-01T00:00:00Z'),
    Choice: { A: 'a' },
    Data: new Uint8Array([1, 2]),
    Named: 300,
    NamedText: 'abc',
  };
}

function check(overrides: Record<string, unknown>): ModelProblem[] {
  return validateOperationInput(MODEL, 'PutThing', { ...valid(), ...overrides });
}

function summary(problems: ModelProblem[]): Array<[string, string]> {
  return problems.map((p) => [p.path, p.kind]);
}

describe('validateOperationInput', () => {
  it('accepts a value that satisfies every constraint', () => {
    const problems = check({});
    expect(problems, formatProblems(problems)).toEqual([]);
  });

  it('reports missing required members with their paths, top level and nested', () => {
    const value = valid();
    delete value.Name;
    value.Items = [{ Id: 'ab' }, {}];
    expect(summary(validateOperationInput(MODEL, 'PutThing', value))).toEqual([
      ['Name', 'required'],
      ['Items[1].Id', 'required'],
    ]);
  });

  it('treats undefined members as absent, as the SDK does', () => {
    expect(summary(check({ Name: undefined, Kind: undefined }))).toEqual([['Name', 'required']]);
  });

  it('rejects members the structure does not have', () => {
    expect(summary(check({ Nmae: 'typo', Items: [{ Id: 'ab', Extra: 1 }] })).sort()).toEqual([
      ['Items[0].Extra', 'unknown-member'],
      ['Nmae', 'unknown-member'],
    ]);
  });

  it('rejects a value outside the enum', () => {
    const problems = check({ Kind: 'MEDIUM' });
    expect(summary(problems)).toEqual([['Kind', 'enum']]);
    expect(problems[0]?.message).toContain('SMALL, LARGE');
  });

  it('rejects non-integers for integer and long shapes', () => {
    expect(summary(check({ Count: 1.5, Big: '7' }))).toEqual([
      ['Count', 'type'],
      ['Big', 'type'],
    ]);
  });

  it('enforces integer min and max', () => {
    expect(summary(check({ Count: 0 }))).toEqual([['Count', 'range']]);
    expect(summary(check({ Count: 11 }))).toEqual([['Count', 'range']]);
    expect(check({ Count: 10 })).toEqual([]);
  });

  it('rejects integers beyond 32 bits and longs beyond the safe range', () => {
    const model: ServiceModel = {
      ...MODEL,
      shapes: { ...MODEL.shapes, Count: { type: 'integer' } },
    };
    const value = { ...valid(), Count: 2 ** 31, Big: 2 ** 53 + 2 };
    expect(summary(validateOperationInput(model, 'PutThing', value))).toEqual([
      ['Count', 'range'],
      ['Big', 'range'],
    ]);
  });

  it('enforces double type and range', () => {
    expect(summary(check({ Ratio: 1.01 }))).toEqual([['Ratio', 'range']]);
    expect(summary(check({ Ratio: Number.NaN }))).toEqual([['Ratio', 'type']]);
  });

  it('enforces string length and pattern', () => {
    expect(summary(check({ Items: [{ Id: 'a' }] }))).toEqual([['Items[0].Id', 'length']]);
    expect(summary(check({ Items: [{ Id: 'abcde' }] }))).toEqual([['Items[0].Id', 'length']]);
    expect(summary(check({ Items: [{ Id: 'AB' }] }))).toEqual([['Items[0].Id', 'pattern']]);
  });

  it('enforces list type and size', () => {
    expect(summary(check({ Items: [] }))).toEqual([['Items', 'size']]);
    expect(summary(check({ Items: [{ Id: 'ab' }, { Id: 'ab' }, { Id: 'ab' }] }))).toEqual([
      ['Items', 'size'],
    ]);
    expect(summary(check({ Items: { Id: 'ab' } }))).toEqual([['Items', 'type']]);
  });

  it('checks map keys, values and entry count', () => {
    expect(summary(check({ Tags: { toolong: 'x', ok: 3 } }))).toEqual([
      ['Tags["toolong"](key)', 'length'],
      ['Tags["ok"]', 'type'],
    ]);
    expect(summary(check({ Tags: { a: '1', b: '2', c: '3' } }))).toEqual([['Tags', 'size']]);
  });

  it('rejects null, booleans given as strings, bad timestamps and bad blobs', () => {
    expect(summary(check({ Kind: null, Flag: 'true', When: 'yesterday', Data: 42 }))).toEqual([
      ['Kind', 'type'],
      ['Flag', 'type'],
      ['When', 'type'],
      ['Data', 'type'],
    ]);
  });

  it('requires exactly one member of a union', () => {
    expect(summary(check({ Choice: { A: 'a', B: 2 } }))).toEqual([['Choice', 'union']]);
    expect(summary(check({ Choice: {} }))).toEqual([['Choice', 'union']]);
  });

  it('reads limits from MediaLive-style shape names unless told not to', () => {
    expect(summary(check({ Named: 0, NamedText: 'abcd' }))).toEqual([
      ['Named', 'range'],
      ['NamedText', 'length'],
    ]);
    const value = { ...valid(), Named: 0 };
    expect(validateOperationInput(MODEL, 'PutThing', value, { limitsFromShapeNames: false })).toEqual([]);
  });

  it('accepts only an empty input for an operation without input', () => {
    expect(validateOperationInput(MODEL, 'Ping', {})).toEqual([]);
    expect(validateOperationInput(MODEL, 'Ping', { X: 1 })).toHaveLength(1);
  });

  it('throws on an operation the model does not have', () => {
    expect(() => validateOperationInput(MODEL, 'DeleteThing', {})).toThrow(/no operation "DeleteThing"/);
  });
});

describe('limitsFromShapeName', () => {
  it('decodes minimums, maximums and negative bounds', () => {
    expect(limitsFromShapeName('__integerMin1Max86400')).toEqual({ min: 1, max: 86400 });
    expect(limitsFromShapeName('__integerMinNegative60Max60')).toEqual({ min: -60, max: 60 });
    expect(limitsFromShapeName('__doubleMinNegative59Max0')).toEqual({ min: -59, max: 0 });
    expect(limitsFromShapeName('__integerMin1000')).toEqual({ min: 1000 });
    expect(limitsFromShapeName('__stringMax32')).toEqual({ max: 32 });
    expect(limitsFromShapeName('__stringMin1Max255PatternS')).toEqual({ min: 1, max: 255 });
  });

  it('finds no limits in ordinary shape names', () => {
    expect(limitsFromShapeName('__string')).toEqual({});
    expect(limitsFromShapeName('H264Settings')).toEqual({});
    expect(limitsFromShapeName('__listOfOutput')).toEqual({});
  });
});

describe('the real botocore models', () => {
  it('loads the MediaLive model with its channel operations', () => {
    const model = loadServiceModel('medialive');
    expect(model.metadata.serviceId).toBe('MediaLive');
    expect(model.operations.CreateChannel?.input?.shape).toBe('CreateChannelRequest');
    expect(loadServiceModel('medialive')).toBe(model);
  });

  it('reports a deep problem with its full path', () => {
    const video = (name: string, width: unknown) => ({ Name: name, Width: width, Height: 360 });
    const problems = validateInput('medialive', 'CreateChannel', {
      Name: 'x',
      ChannelClass: 'DUAL_PIPELINE',
      EncoderSettings: {
        TimecodeConfig: { Source: 'SYSTEMCLOCK' },
        AudioDescriptions: [],
        OutputGroups: [],
        VideoDescriptions: [video('a', 640), video('b', 640), video('c', '640')],
      },
    });
    expect(summary(problems)).toEqual([
      ['ChannelClass', 'enum'],
      ['EncoderSettings.VideoDescriptions[2].Width', 'type'],
    ]);
  });

  it('applies the ranges MediaLive encodes in shape names', () => {
    const problems = validateInput('medialive', 'UpdateChannel', {
      ChannelId: '1',
      EncoderSettings: {
        TimecodeConfig: { Source: 'SYSTEMCLOCK' },
        AudioDescriptions: [],
        OutputGroups: [],
        VideoDescriptions: [
          { Name: 'v', CodecSettings: { H264Settings: { QvbrQualityLevel: 11, Bitrate: 999 } } },
        ],
      },
    });
    expect(summary(problems)).toEqual([
      ['EncoderSettings.VideoDescriptions[0].CodecSettings.H264Settings.QvbrQualityLevel', 'range'],
      ['EncoderSettings.VideoDescriptions[0].CodecSettings.H264Settings.Bitrate', 'range'],
    ]);
  });

  it('uses the explicit length and pattern traits of other models (Step Functions)', () => {
    const problems = validateInput('stepfunctions', 'StartExecution', {
      stateMachineArn: 'arn:aws:states:eu-west-1:123456789012:stateMachine:Start',
      name: 'x'.repeat(81),
      traceHeader: 'é',
    });
    expect(summary(problems)).toEqual([
      ['name', 'length'],
      ['traceHeader', 'pattern'],
    ]);
    expect(summary(validateInput('mediapackage', 'CreateChannel', {}))).toEqual([['Id', 'required']]);
  });

  it('throws for a service botocore does not know', () => {
    expect(() => loadServiceModel('no-such-service')).toThrow(/no model/);
  });
});
