/**
 * The EventBridge operations served locally: PutEvents, and what the AWS CLI needs to look at the
 * buses (DescribeEventBus, ListEventBuses) and to try a pattern against an event (TestEventPattern).
 */
import { busNotFound, EventsApiError, invalidEventPattern, validationError } from './api-errors.js';
import { DEFAULT_BUS, type EventBus } from './event-bus.js';
import { assertEventPattern, InvalidEventPatternError, matchesEventPattern } from './event-pattern.js';
import type { Operation, RequestBody } from './json-protocol-server.js';

/** PutEvents: at most 10 entries (model), 256 KiB in all (EventBridge quotas). */
const MAX_ENTRIES = 10;
const MAX_REQUEST_ENTRY_BYTES = 256 * 1024;
/** "Calculating PutEvents event entry size": a Time counts 14 bytes. */
const TIME_BYTES = 14;
const MAX_RESOURCE_LENGTH = 2048;

interface EntryResult {
  EventId?: string;
  ErrorCode?: string;
  ErrorMessage?: string;
}

class EntryError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function eventsOperations(bus: EventBus): Record<string, Operation> {
  return {
    PutEvents: (body) => putEvents(bus, body),
    DescribeEventBus: async (body) => describeEventBus(bus, body),
    ListEventBuses: async (body) => listEventBuses(bus, body),
    TestEventPattern: async (body) => testEventPattern(body),
  };
}

async function putEvents(bus: EventBus, body: RequestBody): Promise<object> {
  const entries = body.Entries;
  if (!Array.isArray(entries) || entries.length < 1 || entries.length > MAX_ENTRIES) {
    throw validationError(
      `Value at 'entries' failed to satisfy constraint: Member must have length between 1 and ${MAX_ENTRIES}`,
    );
  }
  if (entries.reduce<number>((total, entry) => total + entrySize(entry), 0) > MAX_REQUEST_ENTRY_BYTES) {
    throw new EventsApiError(
      'ValidationException',
      'Total size of the entries in the request is over the limit.',
    );
  }
  const results: EntryResult[] = [];
  for (const entry of entries) {
    try {
      const input = readEntry(bus, entry);
      const event = await bus.publish(input);
      results.push({ EventId: event.id });
    } catch (error) {
      if (!(error instanceof EntryError)) throw error;
      results.push({ ErrorCode: error.code, ErrorMessage: error.message });
    }
  }
  return { FailedEntryCount: results.filter((r) => r.ErrorCode !== undefined).length, Entries: results };
}

function readEntry(bus: EventBus, entry: unknown): Parameters<EventBus['publish']>[0] {
  if (!isObject(entry)) throw new EntryError('InvalidArgument', 'An entry must be an object.');
  const source = required(entry, 'Source');
  const detailType = required(entry, 'DetailType');
  const detailText = required(entry, 'Detail');
  // Only AWS services put `aws.*` events; in-process producers use publish().
  if (source.startsWith('aws.')) {
    throw new EntryError('NotAuthorizedForSourceException', 'Not authorized for the source.');
  }
  let detail: unknown;
  try {
    detail = JSON.parse(detailText);
  } catch {
    throw new EntryError('MalformedDetail', 'Detail is malformed.');
  }
  if (!isObject(detail)) throw new EntryError('MalformedDetail', 'Detail is malformed.');
  const busName = bus.busName(optionalString(entry, 'EventBusName'));
  if (!bus.busNames.has(busName))
    throw new EntryError('InvalidArgument', `Event bus ${busName} does not exist.`);
  const resources = entry.Resources ?? [];
  if (
    !Array.isArray(resources) ||
    !resources.every((r): r is string => typeof r === 'string' && r.length <= MAX_RESOURCE_LENGTH)
  ) {
    throw new EntryError('InvalidArgument', 'Parameter Resources is not valid. Reason: a list of ARNs.');
  }
  return {
    source,
    detailType,
    detail,
    resources,
    eventBusName: busName,
    ...(entry.Time !== undefined && entry.Time !== null && { time: readTime(entry.Time) }),
  };
}

function required(entry: Record<string, unknown>, field: string): string {
  const value = entry[field];
  if (typeof value !== 'string' || value === '') {
    throw new EntryError(
      'InvalidArgument',
      `Parameter ${field} is not valid. Reason: ${field} is a required argument.`,
    );
  }
  return value;
}

function optionalString(entry: Record<string, unknown>, field: string): string | undefined {
  const value = entry[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new EntryError('InvalidArgument', `Parameter ${field} is not valid.`);
  return value;
}

/** AWS JSON 1.1 sends timestamps as epoch seconds; ISO strings are accepted too (hand-written calls). */
function readTime(value: unknown): Date {
  const date =
    typeof value === 'number'
      ? new Date(value * 1000)
      : typeof value === 'string'
        ? new Date(value)
        : undefined;
  if (!date || Number.isNaN(date.getTime())) {
    throw new EntryError('InvalidArgument', 'Parameter Time is not valid. Reason: not a timestamp.');
  }
  return date;
}

function entrySize(entry: unknown): number {
  if (!isObject(entry)) return 0;
  const bytes = (value: unknown) => (typeof value === 'string' ? Buffer.byteLength(value) : 0);
  const resources = Array.isArray(entry.Resources) ? entry.Resources : [];
  return (
    (entry.Time === undefined || entry.Time === null ? 0 : TIME_BYTES) +
    bytes(entry.Source) +
    bytes(entry.DetailType) +
    bytes(entry.Detail) +
    resources.reduce<number>((total, resource) => total + bytes(resource), 0)
  );
}

function describeEventBus(bus: EventBus, body: RequestBody): object {
  const requested = body.Name;
  if (requested !== undefined && requested !== null && typeof requested !== 'string') {
    throw validationError("Value at 'name' failed to satisfy constraint: Member must be a string");
  }
  const name = bus.busName(requested ?? DEFAULT_BUS);
  if (!bus.busNames.has(name)) throw busNotFound(name);
  return summary(bus, name);
}

function listEventBuses(bus: EventBus, body: RequestBody): object {
  const prefix = typeof body.NamePrefix === 'string' ? body.NamePrefix : '';
  const limit = body.Limit ?? 100;
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > 100) {
    throw validationError(
      "Value at 'limit' failed to satisfy constraint: Member must have value between 1 and 100",
    );
  }
  const names = [...bus.busNames].filter((name) => name.startsWith(prefix)).sort();
  let offset = 0;
  if (typeof body.NextToken === 'string') {
    offset = Number(Buffer.from(body.NextToken, 'base64url').toString('utf8'));
    if (!Number.isInteger(offset) || offset < 0) throw validationError('The NextToken is not valid.');
  }
  const page = names.slice(offset, offset + limit);
  return {
    EventBuses: page.map((name) => summary(bus, name)),
    ...(offset + limit < names.length && {
      NextToken: Buffer.from(String(offset + limit)).toString('base64url'),
    }),
  };
}

function summary(bus: EventBus, name: string): object {
  const created = bus.createdAt.getTime() / 1000;
  return { Name: name, Arn: bus.arn(name), CreationTime: created, LastModifiedTime: created };
}

function testEventPattern(body: RequestBody): object {
  const patternText = body.EventPattern;
  const eventText = body.Event;
  if (typeof patternText !== 'string' || typeof eventText !== 'string') {
    throw validationError('EventPattern and Event are required strings');
  }
  let pattern: unknown;
  try {
    pattern = JSON.parse(patternText);
    assertEventPattern(pattern);
  } catch (error) {
    throw invalidEventPattern(error instanceof InvalidEventPatternError ? error.message : 'not valid JSON.');
  }
  let event: unknown;
  try {
    event = JSON.parse(eventText);
  } catch {
    throw validationError('Event is not valid JSON');
  }
  return { Result: matchesEventPattern(pattern, event) };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
