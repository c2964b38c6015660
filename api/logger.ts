/**
 * The API function's logger: one JSON line per entry, in the shape Powertools' Logger writes (the
 * task functions use Powertools), so the same CloudWatch Logs Insights queries read both: `level`,
 * `message`, `timestamp`, `service`, `sampling_rate`, `xray_trace_id`, the appended keys, then the
 * entry's own fields, an `Error` as `{name, location, message, stack, cause}`. INFO and DEBUG go to
 * stdout, WARN and ERROR to stderr. The level is Lambda's (`AWS_LAMBDA_LOG_LEVEL`, which wins as
 * in Powertools), else `POWERTOOLS_LOG_LEVEL`, else `LOG_LEVEL`, else INFO.
 *
 * Written here rather than imported: Powertools' Logger (with its sampling, buffering and child
 * loggers, none of which the API uses) was 23 KB of the API's bundle.
 */

/** What the API's code needs of a logger; Powertools' Logger has it too. */
export interface ApiLogger {
  debug(message: string, ...extra: Fields[]): void;
  info(message: string, ...extra: Fields[]): void;
  warn(message: string, ...extra: Fields[]): void;
  error(message: string, ...extra: Fields[]): void;
  appendKeys(keys: Fields): void;
  resetKeys(): void;
}

type Fields = Record<string, unknown>;

const LEVELS = { TRACE: 6, DEBUG: 8, INFO: 12, WARN: 16, ERROR: 20, CRITICAL: 24, SILENT: 28 } as const;
type Level = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

function thresholdOf(env: Record<string, string | undefined>): number {
  for (const value of [env.AWS_LAMBDA_LOG_LEVEL, env.POWERTOOLS_LOG_LEVEL, env.LOG_LEVEL]) {
    const name = value?.toUpperCase() === 'FATAL' ? 'CRITICAL' : value?.toUpperCase();
    if (name && Object.hasOwn(LEVELS, name)) return LEVELS[name as keyof typeof LEVELS];
  }
  return LEVELS.INFO;
}

export class JsonLogger implements ApiLogger {
  private keys: Fields = {};
  private readonly threshold: number;

  constructor(
    private readonly service: string,
    env: Record<string, string | undefined> = process.env,
    private readonly write: (level: Level, line: string) => void = (level, line) =>
      (LEVELS[level] >= LEVELS.WARN ? process.stderr : process.stdout).write(`${line}\n`),
  ) {
    this.threshold = thresholdOf(env);
  }

  debug(message: string, ...extra: Fields[]): void {
    this.log('DEBUG', message, extra);
  }

  info(message: string, ...extra: Fields[]): void {
    this.log('INFO', message, extra);
  }

  warn(message: string, ...extra: Fields[]): void {
    this.log('WARN', message, extra);
  }

  error(message: string, ...extra: Fields[]): void {
    this.log('ERROR', message, extra);
  }

  appendKeys(keys: Fields): void {
    Object.assign(this.keys, keys);
  }

  resetKeys(): void {
    this.keys = {};
  }

  private log(level: Level, message: string, extra: Fields[]): void {
    if (LEVELS[level] < this.threshold) return;
    const trace = /Root=([^;]+)/.exec(process.env._X_AMZN_TRACE_ID ?? '')?.[1];
    const entry: Record<string, unknown> = {
      level,
      message,
      timestamp: new Date().toISOString(),
      service: this.service,
      sampling_rate: 0,
      ...(trace ? { xray_trace_id: trace } : {}),
      ...this.keys,
    };
    for (const fields of extra)
      for (const [key, value] of Object.entries(fields))
        entry[key] = value instanceof Error ? errorEntry(value) : value;
    this.write(level, JSON.stringify(entry));
  }
}

function errorEntry(error: Error): Fields {
  const { name, message, stack, cause, ...own } = error as Error & Fields;
  return {
    name,
    location: locationOf(stack),
    message,
    stack,
    cause: cause instanceof Error ? errorEntry(cause) : cause,
    ...own,
  };
}

/** `file:line` of the first stack frame that names one, as Powertools reports it. */
function locationOf(stack: string | undefined): string {
  for (const line of stack?.split('\n') ?? []) {
    const match = /\(([^()]*?):(\d+?):(\d+?)\)\\?$/.exec(line);
    if (match) return `${match[1]}:${Number(match[2])}`;
  }
  return '';
}
