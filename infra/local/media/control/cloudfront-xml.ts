/**
 * CloudFront's REST-XML, driven by the botocore-derived schema: element names, the
 * `Quantity` + `Items` list wrappers (`<Items><Origin>…</Origin></Items>`), and scalar types.
 */
import { XMLBuilder, XMLParser } from 'fast-xml-parser';
import { type CloudFrontShape, cloudFrontShapes } from './cloudfront-schema.js';

export const CLOUDFRONT_XMLNS = 'http://cloudfront.amazonaws.com/doc/2020-05-31/';

export class XmlShapeError extends Error {
  override readonly name = 'XmlShapeError';
}

const parser = new XMLParser({
  ignoreAttributes: true,
  ignoreDeclaration: true,
  removeNSPrefix: true,
  // Scalars are typed by the schema, never guessed: a Comment of "007" stays a string.
  parseTagValue: false,
});

const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  suppressEmptyNode: false,
});

function shapeOf(name: string): CloudFrontShape {
  const shape = cloudFrontShapes[name];
  if (!shape) throw new Error(`CloudFront shape ${name} is not in the local schema`);
  return shape;
}

/** Parses a document whose root element is `rootElement` into the SDK shape `shapeName`. */
export function parseXmlShape(xml: string, rootElement: string, shapeName: string): unknown {
  let document: Record<string, unknown>;
  try {
    document = parser.parse(xml, true) as Record<string, unknown>;
  } catch (error) {
    throw new XmlShapeError(`The XML is not well-formed: ${String(error)}`);
  }
  if (!(rootElement in document)) throw new XmlShapeError(`The document root must be <${rootElement}>.`);
  return fromXml(shapeName, document[rootElement], rootElement);
}

function fromXml(shapeName: string, node: unknown, path: string): unknown {
  const shape = shapeOf(shapeName);
  if (Array.isArray(node)) throw new XmlShapeError(`${path} appears more than once.`);
  switch (shape.type) {
    case 'structure': {
      if (node === '') return {};
      if (typeof node !== 'object' || node === null)
        throw new XmlShapeError(`${path} must contain elements.`);
      const out: Record<string, unknown> = {};
      for (const [element, child] of Object.entries(node)) {
        const memberShape = shape.members[element];
        if (!memberShape) throw new XmlShapeError(`${path} has an unknown element <${element}>.`);
        out[element] = fromXml(memberShape, child, `${path}.${element}`);
      }
      return out;
    }
    case 'list': {
      if (node === '') return [];
      if (typeof node !== 'object' || node === null)
        throw new XmlShapeError(`${path} must contain elements.`);
      const out: unknown[] = [];
      for (const [element, child] of Object.entries(node)) {
        if (element !== shape.memberName) {
          throw new XmlShapeError(
            `${path} may contain only <${shape.memberName}> elements, not <${element}>.`,
          );
        }
        const items = Array.isArray(child) ? child : [child];
        items.forEach((item, index) => {
          out.push(fromXml(shape.member, item, `${path}.${element}[${index}]`));
        });
      }
      return out;
    }
    default:
      if (typeof node !== 'string') throw new XmlShapeError(`${path} must be a single value.`);
      return scalarFromText(shape.type, node, path);
  }
}

function scalarFromText(type: string, text: string, path: string): unknown {
  switch (type) {
    case 'integer':
    case 'long':
      if (!/^-?\d+$/.test(text)) throw new XmlShapeError(`${path} must be an integer.`);
      return Number(text);
    case 'boolean':
      if (text !== 'true' && text !== 'false') throw new XmlShapeError(`${path} must be true or false.`);
      return text === 'true';
    case 'timestamp': {
      const time = Date.parse(text);
      if (Number.isNaN(time)) throw new XmlShapeError(`${path} must be a timestamp.`);
      return new Date(time);
    }
    default:
      return text;
  }
}

/** Serializes an SDK-shaped value as the document `<rootElement xmlns=…>`. */
export function buildXmlShape(rootElement: string, shapeName: string, value: unknown): string {
  const body = toXmlTree(shapeName, value) as Record<string, unknown>;
  const tree = { [rootElement]: { '@_xmlns': CLOUDFRONT_XMLNS, ...body } };
  return `<?xml version="1.0" encoding="UTF-8"?>\n${builder.build(tree) as string}`;
}

function toXmlTree(shapeName: string, value: unknown): unknown {
  const shape = shapeOf(shapeName);
  switch (shape.type) {
    case 'structure': {
      const record = value as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      // Members in model order: the order CloudFront itself answers with.
      for (const [member, memberShape] of Object.entries(shape.members)) {
        const child = record[member];
        if (child === undefined || child === null) continue;
        // AWS leaves out an empty Items list, keeping only <Quantity>0</Quantity>.
        if (Array.isArray(child) && child.length === 0) continue;
        out[member] = toXmlTree(memberShape, child);
      }
      return out;
    }
    case 'list':
      return { [shape.memberName]: (value as unknown[]).map((item) => toXmlTree(shape.member, item)) };
    case 'timestamp':
      return (value instanceof Date ? value : new Date(String(value))).toISOString();
    case 'boolean':
      return value ? 'true' : 'false';
    default:
      return String(value);
  }
}

/** Missing required members and values outside their enum, as readable paths. */
export function shapeProblems(shapeName: string, value: unknown, path: string): string[] {
  const shape = shapeOf(shapeName);
  switch (shape.type) {
    case 'structure': {
      const record = value as Record<string, unknown>;
      const problems: string[] = [];
      for (const member of shape.required ?? []) {
        if (record[member] === undefined || record[member] === null)
          problems.push(`${path}.${member} is required`);
      }
      for (const [member, memberShape] of Object.entries(shape.members)) {
        const child = record[member];
        if (child !== undefined && child !== null)
          problems.push(...shapeProblems(memberShape, child, `${path}.${member}`));
      }
      return problems;
    }
    case 'list':
      return (value as unknown[]).flatMap((item, index) =>
        shapeProblems(shape.member, item, `${path}[${index}]`),
      );
    case 'string':
      return shape.enum && !shape.enum.includes(String(value))
        ? [`${path} must be one of ${shape.enum.join(', ')}`]
        : [];
    default:
      return [];
  }
}

/** Paths of every `Quantity` + `Items` pair whose counts disagree (CloudFront's InconsistentQuantities). */
export function inconsistentQuantities(value: unknown, path: string): string[] {
  if (Array.isArray(value))
    return value.flatMap((item, index) => inconsistentQuantities(item, `${path}[${index}]`));
  if (typeof value !== 'object' || value === null || value instanceof Date) return [];
  const record = value as Record<string, unknown>;
  const problems: string[] = [];
  if (typeof record.Quantity === 'number') {
    const items = Array.isArray(record.Items) ? record.Items.length : 0;
    if (items !== record.Quantity) problems.push(path);
  }
  for (const [key, child] of Object.entries(record))
    problems.push(...inconsistentQuantities(child, `${path}.${key}`));
  return problems;
}
