/**
 * Checks request values against the real AWS API models that botocore ships (`service-2.json.gz`), so
 * tests catch a wrong member name, a missing required member or an invalid enum value before AWS does.
 *
 * The models are located through the installed botocore (never a hard-coded path) and parsed once per
 * process.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

export interface ShapeRef {
  shape: string;
  location?: string;
  locationName?: string;
}

export interface Shape {
  type: string;
  members?: Record<string, ShapeRef>;
  required?: string[];
  member?: ShapeRef;
  key?: ShapeRef;
  value?: ShapeRef;
  enum?: string[];
  min?: number;
  max?: number;
  pattern?: string;
  union?: boolean;
}

export interface ServiceModel {
  metadata: Record<string, unknown>;
  operations: Record<string, { name: string; input?: ShapeRef }>;
  shapes: Record<string, Shape>;
}

export type ProblemKind =
  | 'required'
  | 'unknown-member'
  | 'union'
  | 'type'
  | 'enum'
  | 'range'
  | 'length'
  | 'pattern'
  | 'size';

export interface ModelProblem {
  /** Where, from the input root: `EncoderSettings.VideoDescriptions[2].Width`, `Tags["team"]`. */
  path: string;
  kind: ProblemKind;
  message: string;
}

export interface ValidateOptions {
  /**
   * Read limits from shape names such as `__integerMin1Max86400` when the shape has no `min`/`max`.
   * botocore strips MediaLive's range and length traits, but MediaLive's generator names every
   * constrained shape after them, so the name is the only record of the limit in this data.
   * @default true
   */
  limitsFromShapeNames?: boolean;
}

let dataDirCache: string | undefined;

/** `<botocore>/data`, located with the python3 that has botocore installed. */
export function botocoreDataDir(): string {
  if (dataDirCache === undefined) {
    const root = execFileSync(
      'python3',
      ['-c', 'import botocore,os;print(os.path.dirname(botocore.__file__))'],
      {
        encoding: 'utf8',
      },
    ).trim();
    dataDirCache = join(root, 'data');
  }
  return dataDirCache;
}

const modelCache = new Map<string, ServiceModel>();

/** The service's model; the newest API version unless `apiVersion` is given. */
export function loadServiceModel(service: string, apiVersion?: string): ServiceModel {
  const cacheKey = `${service}@${apiVersion ?? 'latest'}`;
  const cached = modelCache.get(cacheKey);
  if (cached) return cached;

  const serviceDir = join(botocoreDataDir(), service);
  if (!existsSync(serviceDir)) throw new Error(`botocore has no model for service "${service}"`);
  const versions = readdirSync(serviceDir)
    .filter((v) => /^\d{4}-\d{2}-\d{2}$/.test(v))
    .sort();
  const version = apiVersion ?? versions.at(-1);
  if (version === undefined || !versions.includes(version)) {
    throw new Error(`botocore has no API version ${apiVersion ?? '(any)'} for "${service}"`);
  }
  const gz = join(serviceDir, version, 'service-2.json.gz');
  const text = existsSync(gz)
    ? gunzipSync(readFileSync(gz)).toString('utf8')
    : readFileSync(join(serviceDir, version, 'service-2.json'), 'utf8');
  const model = JSON.parse(text) as ServiceModel;
  modelCache.set(cacheKey, model);
  return model;
}

/** Problems of `value` as the input of `operation`; an empty list means the model accepts it. */
export function validateOperationInput(
  model: ServiceModel,
  operation: string,
  value: unknown,
  options: ValidateOptions = {},
): ModelProblem[] {
  const op = model.operations[operation];
  if (!op) throw new Error(`the model has no operation "${operation}"`);
  if (!op.input) return isPlainObject(value) && Object.keys(value).length === 0 ? [] : [notEmpty()];
  return validateShape(model, op.input.shape, value, '', options);
}

/** `validateOperationInput` on the newest model of `service`, e.g. `validateInput('medialive', 'CreateChannel', input)`. */
export function validateInput(
  service: string,
  operation: string,
  value: unknown,
  options: ValidateOptions = {},
): ModelProblem[] {
  return validateOperationInput(loadServiceModel(service), operation, value, options);
}

function notEmpty(): ModelProblem {
  return { path: '', kind: 'unknown-member', message: 'the operation takes no input' };
}

/** Problems of `value` against the named shape; `path` prefixes every reported path. */
export function validateShape(
  model: ServiceModel,
  shapeName: string,
  value: unknown,
  path = '',
  options: ValidateOptions = {},
): ModelProblem[] {
  const problems: ModelProblem[] = [];
  new Walker(model, options.limitsFromShapeNames ?? true, problems).check(shapeName, value, path);
  return problems;
}

const NAMED_LIMITS =
  /^__(?:integer|long|double|float|string)(?:Min(Negative)?(\d+))?(?:Max(Negative)?(\d+))?(?:Pattern\w*)?$/;

/** Limits encoded in a MediaLive-style shape name: `__integerMinNegative60Max60` → [-60, 60]. */
export function limitsFromShapeName(shapeName: string): { min?: number; max?: number } {
  const m = NAMED_LIMITS.exec(shapeName);
  if (!m) return {};
  const limits: { min?: number; max?: number } = {};
  if (m[2] !== undefined) limits.min = (m[1] ? -1 : 1) * Number(m[2]);
  if (m[4] !== undefined) limits.max = (m[3] ? -1 : 1) * Number(m[4]);
  return limits;
}

const INT32 = { min: -2_147_483_648, max: 2_147_483_647 };

class Walker {
  private readonly patterns = new Map<string, RegExp | null>();

  constructor(
    private readonly model: ServiceModel,
    private readonly namedLimits: boolean,
    private readonly problems: ModelProblem[],
  ) {}

  check(shapeName: string, value: unknown, path: string): void {
    const shape = this.model.shapes[shapeName];
    if (!shape) throw new Error(`the model has no shape "${shapeName}" (at ${path || 'the root'})`);
    if (value === null) {
      this.report(path, 'type', 'is null; omit the member instead');
      return;
    }
    switch (shape.type) {
      case 'structure':
        this.structure(shape, value, path);
        return;
      case 'list':
        this.list(shape, value, path);
        return;
      case 'map':
        this.map(shape, value, path);
        return;
      case 'string':
        this.string(shapeName, shape, value, path);
        return;
      case 'integer':
      case 'long':
        this.integer(shapeName, shape, value, path);
        return;
      case 'double':
      case 'float':
        this.number(shapeName, shape, value, path);
        return;
      case 'boolean':
        if (typeof value !== 'boolean') {
          this.report(path, 'type', `must be a boolean, got ${describe(value)}`);
        }
        return;
      case 'timestamp':
        this.timestamp(value, path);
        return;
      case 'blob':
        if (!(value instanceof Uint8Array) && typeof value !== 'string') {
          this.report(path, 'type', `must be bytes or a string, got ${describe(value)}`);
        }
        return;
      default:
        throw new Error(`unsupported shape type "${shape.type}" for ${shapeName}`);
    }
  }

  private structure(shape: Shape, value: unknown, path: string): void {
    if (!isPlainObject(value)) {
      this.report(path, 'type', `must be an object, got ${describe(value)}`);
      return;
    }
    const members = shape.members ?? {};
    for (const name of shape.required ?? []) {
      if (value[name] === undefined) this.report(join2(path, name), 'required', 'is required');
    }
    let set = 0;
    for (const [name, member] of Object.entries(value)) {
      // The SDK drops undefined members before sending, so they are the same as absent.
      if (member === undefined) continue;
      set += 1;
      const ref = members[name];
      if (!ref) {
        this.report(join2(path, name), 'unknown-member', 'is not a member of this structure');
        continue;
      }
      this.check(ref.shape, member, join2(path, name));
    }
    if (shape.union && set !== 1) this.report(path, 'union', `must set exactly one member, has ${set}`);
  }

  private list(shape: Shape, value: unknown, path: string): void {
    if (!Array.isArray(value)) {
      this.report(path, 'type', `must be a list, got ${describe(value)}`);
      return;
    }
    this.size(shape, value.length, path, 'items');
    const memberShape = shape.member?.shape;
    if (!memberShape) throw new Error(`list shape at ${path} has no member`);
    value.forEach((item, i) => {
      this.check(memberShape, item, `${path}[${i}]`);
    });
  }

  private map(shape: Shape, value: unknown, path: string): void {
    if (!isPlainObject(value)) {
      this.report(path, 'type', `must be an object (map), got ${describe(value)}`);
      return;
    }
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    this.size(shape, entries.length, path, 'entries');
    const keyShape = shape.key?.shape;
    const valueShape = shape.value?.shape;
    if (!keyShape || !valueShape) throw new Error(`map shape at ${path} has no key or value`);
    for (const [k, v] of entries) {
      const entryPath = `${path}[${JSON.stringify(k)}]`;
      this.check(keyShape, k, `${entryPath}(key)`);
      this.check(valueShape, v, entryPath);
    }
  }

  private string(shapeName: string, shape: Shape, value: unknown, path: string): void {
    if (typeof value !== 'string') {
      this.report(path, 'type', `must be a string, got ${describe(value)}`);
      return;
    }
    if (shape.enum && !shape.enum.includes(value)) {
      this.report(path, 'enum', `${JSON.stringify(value)} is not one of ${shape.enum.join(', ')}`);
    }
    // Smithy counts string length in Unicode code points, not UTF-16 units.
    const length = [...value].length;
    const { min, max } = this.limits(shapeName, shape);
    if (min !== undefined && length < min) this.report(path, 'length', `must be at least ${min} characters`);
    if (max !== undefined && length > max) this.report(path, 'length', `must be at most ${max} characters`);
    const re = shape.pattern === undefined ? null : this.pattern(shape.pattern);
    if (re && !re.test(value)) this.report(path, 'pattern', `must match ${shape.pattern}`);
  }

  private integer(shapeName: string, shape: Shape, value: unknown, path: string): void {
    if (typeof value !== 'number' || !Number.isInteger(value)) {
      this.report(path, 'type', `must be an integer, got ${describe(value)}`);
      return;
    }
    if (shape.type === 'integer' && (value < INT32.min || value > INT32.max)) {
      this.report(path, 'range', 'does not fit in a 32-bit integer');
      return;
    }
    if (shape.type === 'long' && !Number.isSafeInteger(value)) {
      this.report(path, 'range', 'is beyond the safe integer range');
      return;
    }
    this.range(shapeName, shape, value, path);
  }

  private number(shapeName: string, shape: Shape, value: unknown, path: string): void {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      this.report(path, 'type', `must be a finite number, got ${describe(value)}`);
      return;
    }
    this.range(shapeName, shape, value, path);
  }

  private timestamp(value: unknown, path: string): void {
    const ok =
      (value instanceof Date && !Number.isNaN(value.getTime())) ||
      (typeof value === 'number' && Number.isFinite(value)) ||
      (typeof value === 'string' && !Number.isNaN(Date.parse(value)));
    if (!ok)
      this.report(
        path,
        'type',
        `must be a date, epoch seconds or an ISO 8601 string, got ${describe(value)}`,
      );
  }

  private range(shapeName: string, shape: Shape, value: number, path: string): void {
    const { min, max } = this.limits(shapeName, shape);
    if (min !== undefined && value < min) this.report(path, 'range', `${value} is below the minimum ${min}`);
    if (max !== undefined && value > max) this.report(path, 'range', `${value} is above the maximum ${max}`);
  }

  private size(shape: Shape, count: number, path: string, unit: string): void {
    if (shape.min !== undefined && count < shape.min) {
      this.report(path, 'size', `must have at least ${shape.min} ${unit}, has ${count}`);
    }
    if (shape.max !== undefined && count > shape.max) {
      this.report(path, 'size', `must have at most ${shape.max} ${unit}, has ${count}`);
    }
  }

  private limits(shapeName: string, shape: Shape): { min?: number; max?: number } {
    const named = this.namedLimits ? limitsFromShapeName(shapeName) : {};
    const min = shape.min ?? named.min;
    const max = shape.max ?? named.max;
    return { ...(min === undefined ? {} : { min }), ...(max === undefined ? {} : { max }) };
  }

  /**
   * Whole-value match: AWS writes patterns like `\p{ASCII}*` that would accept anything as a search.
   * Patterns that JavaScript cannot compile (Java-only syntax) are skipped rather than guessed at.
   */
  private pattern(source: string): RegExp | null {
    if (!this.patterns.has(source)) {
      let re: RegExp | null;
      try {
        re = new RegExp(`^(?:${source})$`, 'u');
      } catch {
        re = null;
      }
      this.patterns.set(source, re);
    }
    return this.patterns.get(source) ?? null;
  }

  private report(path: string, kind: ProblemKind, message: string): void {
    this.problems.push({ path, kind, message });
  }
}

function join2(path: string, member: string): string {
  return path === '' ? member : `${path}.${member}`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value instanceof Date) return 'a Date';
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  if (typeof value === 'number') return `the number ${value}`;
  return typeof value;
}

/** One line per problem, for assertion messages. */
export function formatProblems(problems: ModelProblem[]): string {
  return problems.map((p) => `${p.path || '(root)'}: ${p.message} [${p.kind}]`).join('\n');
}
