/** Typed reading of REST-JSON request bodies; wrong types become the service's own client error. */
import type { JsonObject, JsonValue } from './control-state.js';
import type { ServiceError } from './service-error.js';

export type InvalidRequest = (message: string, elementPath: string) => ServiceError;

export function isJsonObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export class JsonBody {
  private constructor(
    readonly raw: JsonObject,
    private readonly invalid: InvalidRequest,
  ) {}

  static parse(body: Buffer, invalid: InvalidRequest): JsonBody {
    const text = body.toString('utf8').trim();
    if (text === '') return new JsonBody({}, invalid);
    let value: JsonValue;
    try {
      value = JSON.parse(text) as JsonValue;
    } catch {
      throw invalid('The request body is not valid JSON.', '');
    }
    if (!isJsonObject(value)) throw invalid('The request body must be a JSON object.', '');
    return new JsonBody(value, invalid);
  }

  has(key: string): boolean {
    return this.raw[key] !== undefined && this.raw[key] !== null;
  }

  string(key: string): string | undefined {
    const value = this.present(key);
    if (value === undefined) return undefined;
    if (typeof value !== 'string') throw this.invalid(`${key} must be a string.`, key);
    return value;
  }

  requiredString(key: string): string {
    const value = this.string(key);
    if (value === undefined || value === '') throw this.invalid(`${key} is required.`, key);
    return value;
  }

  integer(key: string): number | undefined {
    const value = this.present(key);
    if (value === undefined) return undefined;
    if (typeof value !== 'number' || !Number.isInteger(value))
      throw this.invalid(`${key} must be an integer.`, key);
    return value;
  }

  boolean(key: string): boolean | undefined {
    const value = this.present(key);
    if (value === undefined) return undefined;
    if (typeof value !== 'boolean') throw this.invalid(`${key} must be a boolean.`, key);
    return value;
  }

  object(key: string): JsonObject | undefined {
    const value = this.present(key);
    if (value === undefined) return undefined;
    if (!isJsonObject(value)) throw this.invalid(`${key} must be an object.`, key);
    return value;
  }

  objectArray(key: string): JsonObject[] | undefined {
    const value = this.present(key);
    if (value === undefined) return undefined;
    if (!Array.isArray(value) || !value.every(isJsonObject)) {
      throw this.invalid(`${key} must be a list of objects.`, key);
    }
    return value;
  }

  stringArray(key: string): string[] | undefined {
    const value = this.present(key);
    if (value === undefined) return undefined;
    if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
      throw this.invalid(`${key} must be a list of strings.`, key);
    }
    return value as string[];
  }

  stringMap(key: string): Record<string, string> | undefined {
    const value = this.present(key);
    if (value === undefined) return undefined;
    if (!isJsonObject(value) || !Object.values(value).every((item) => typeof item === 'string')) {
      throw this.invalid(`${key} must be a map of strings.`, key);
    }
    return value as Record<string, string>;
  }

  private present(key: string): JsonValue | undefined {
    const value = this.raw[key];
    return value === null ? undefined : value;
  }
}
