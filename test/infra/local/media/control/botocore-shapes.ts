/**
 * Checks raw response bodies against the botocore models: every member name on the wire must be one
 * the model knows (JSON `locationName`s, XML element names), with the model's type and enum values,
 * and errors must be modelled shapes with their modelled HTTP status. The SDK silently drops
 * unknown members, so without this a misspelt member would pass every SDK-level test.
 */
import { XMLParser } from 'fast-xml-parser';
import { loadServiceModel } from '../../../../support/botocore-model.js';

interface Member {
  shape: string;
  location?: string;
  locationName?: string;
}
interface Shape {
  type: string;
  members?: Record<string, Member>;
  member?: Member;
  value?: Member;
  required?: string[];
  enum?: string[];
  payload?: string;
  exception?: boolean;
  error?: { httpStatusCode: number };
}
interface Model {
  operations: Record<string, { output?: { shape: string }; errors?: Array<{ shape: string }> }>;
  shapes: Record<string, Shape>;
}

const VERSIONS = { medialive: '2017-10-14', mediapackage: '2017-10-12', cloudfront: '2020-05-31' } as const;
export type ModelledService = keyof typeof VERSIONS;

const models = new Map<ModelledService, Model>();
function model(service: ModelledService): Model {
  let loaded = models.get(service);
  if (!loaded) {
    loaded = loadServiceModel(service, VERSIONS[service]) as unknown as Model;
    models.set(service, loaded);
  }
  return loaded;
}

const xmlParser = new XMLParser({ ignoreAttributes: true, removeNSPrefix: true, parseTagValue: false });

export interface Exchange {
  service: ModelledService;
  operation: string;
  status: number;
  headers: Record<string, string | undefined>;
  body: string;
}

/** Problems of one recorded exchange; empty when it conforms to the model. */
export function exchangeProblems(exchange: Exchange): string[] {
  const m = model(exchange.service);
  const operation = m.operations[exchange.operation];
  if (!operation) return [`${exchange.operation} is not a ${exchange.service} operation`];
  const where = `${exchange.service}.${exchange.operation}`;
  if (exchange.status >= 300) return errorProblems(m, exchange, where);
  if (!operation.output) return [];
  const output = m.shapes[operation.output.shape];
  if (!output) return [`${where}: output shape missing`];
  if (exchange.service === 'cloudfront') {
    const payload = output.payload ? output.members?.[output.payload] : undefined;
    if (!payload) return [`${where}: no payload`];
    const document = xmlParser.parse(exchange.body) as Record<string, unknown>;
    const root = payload.locationName ?? payload.shape;
    if (!(root in document)) return [`${where}: root element is not <${root}>`];
    return xmlProblems(m, payload.shape, document[root], root);
  }
  const problems: string[] = [];
  const body = exchange.body === '' ? {} : (JSON.parse(exchange.body) as unknown);
  // The top-level output shape also has header members; only body members may appear in the JSON.
  const bodyShape: Shape = {
    ...output,
    members: Object.fromEntries(
      Object.entries(output.members ?? {}).filter(([, member]) => !member.location),
    ),
  };
  jsonProblems(m, bodyShape, body, where, problems);
  return problems;
}

function errorProblems(m: Model, exchange: Exchange, where: string): string[] {
  let code: string | undefined;
  if (exchange.service === 'cloudfront') {
    const document = xmlParser.parse(exchange.body) as { ErrorResponse?: { Error?: { Code?: string } } };
    code = document.ErrorResponse?.Error?.Code;
  } else {
    code = exchange.headers['x-amzn-errortype'];
    const body = JSON.parse(exchange.body) as { message?: unknown };
    if (typeof body.message !== 'string') return [`${where}: error body without message`];
  }
  if (!code) return [`${where}: error without a code`];
  const shape = m.shapes[code];
  if (!shape?.exception || !shape.error) return [`${where}: error ${code} is not a modelled exception`];
  if (shape.error.httpStatusCode !== exchange.status) {
    return [`${where}: ${code} answered ${exchange.status}, model says ${shape.error.httpStatusCode}`];
  }
  return [];
}

function jsonProblems(m: Model, shape: Shape | undefined, value: unknown, path: string, out: string[]): void {
  if (!shape) {
    out.push(`${path}: unknown shape`);
    return;
  }
  switch (shape.type) {
    case 'structure': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        out.push(`${path}: expected an object`);
        return;
      }
      const byWireName = new Map(
        Object.entries(shape.members ?? {}).map(([name, member]) => [member.locationName ?? name, member]),
      );
      for (const [key, child] of Object.entries(value)) {
        const member = byWireName.get(key);
        if (!member) out.push(`${path}.${key}: not a member of the model`);
        else jsonProblems(m, m.shapes[member.shape], child, `${path}.${key}`, out);
      }
      return;
    }
    case 'list':
      if (!Array.isArray(value)) {
        out.push(`${path}: expected a list`);
        return;
      }
      for (const [i, item] of value.entries()) {
        jsonProblems(m, m.shapes[shape.member?.shape ?? ''], item, `${path}[${i}]`, out);
      }
      return;
    case 'map':
      if (typeof value !== 'object' || value === null) out.push(`${path}: expected a map`);
      else
        for (const [key, item] of Object.entries(value))
          jsonProblems(m, m.shapes[shape.value?.shape ?? ''], item, `${path}.${key}`, out);
      return;
    case 'string':
      if (typeof value !== 'string') out.push(`${path}: expected a string`);
      else if (shape.enum && !shape.enum.includes(value)) out.push(`${path}: ${value} is not in the enum`);
      return;
    case 'integer':
    case 'long':
      if (!Number.isInteger(value)) out.push(`${path}: expected an integer`);
      return;
    case 'double':
    case 'float':
      if (typeof value !== 'number') out.push(`${path}: expected a number`);
      return;
    case 'boolean':
      if (typeof value !== 'boolean') out.push(`${path}: expected a boolean`);
      return;
    default:
      return;
  }
}

function xmlProblems(m: Model, shapeName: string, node: unknown, path: string): string[] {
  const shape = m.shapes[shapeName];
  if (!shape) return [`${path}: unknown shape ${shapeName}`];
  if (Array.isArray(node)) return [`${path}: repeated element`];
  switch (shape.type) {
    case 'structure': {
      const record = node === '' ? {} : node;
      if (typeof record !== 'object' || record === null) return [`${path}: expected elements`];
      const problems: string[] = [];
      for (const required of shape.required ?? []) {
        if (!(required in record)) problems.push(`${path}.${required}: required`);
      }
      for (const [element, child] of Object.entries(record)) {
        const member = shape.members?.[element];
        if (!member) problems.push(`${path}.${element}: not a member of the model`);
        else problems.push(...xmlProblems(m, member.shape, child, `${path}.${element}`));
      }
      return problems;
    }
    case 'list': {
      if (node === '') return [];
      const memberName = shape.member?.locationName ?? 'member';
      const problems: string[] = [];
      for (const [element, child] of Object.entries(node as Record<string, unknown>)) {
        if (element !== memberName) {
          problems.push(`${path}: list member <${element}>, model says <${memberName}>`);
          continue;
        }
        const items = Array.isArray(child) ? child : [child];
        items.forEach((item, i) => {
          problems.push(...xmlProblems(m, shape.member?.shape ?? '', item, `${path}.${element}[${i}]`));
        });
      }
      return problems;
    }
    default: {
      if (typeof node !== 'string') return [`${path}: expected text`];
      if (shape.type === 'integer' || shape.type === 'long') {
        return /^-?\d+$/.test(node) ? [] : [`${path}: ${node} is not an integer`];
      }
      if (shape.type === 'boolean')
        return node === 'true' || node === 'false' ? [] : [`${path}: not a boolean`];
      if (shape.type === 'timestamp')
        return Number.isNaN(Date.parse(node)) ? [`${path}: not a timestamp`] : [];
      if (shape.enum && !shape.enum.includes(node)) return [`${path}: ${node} is not in the enum`];
      return [];
    }
  }
}
