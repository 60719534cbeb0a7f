/**
 * One structured logger for the main process. Each line is a JSON object with time, level,
 * service and message plus fields such as templateId, name, step and caProblem. Callers pass
 * facts, never secrets: nothing here can tell a key from a name, so the rule is on them.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, string | number | boolean | null | undefined>;

/** Where log lines go. */
export type LogSink = (line: string) => void;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** A logger whose lines carry `service` (and any fixed fields). */
  child(service: string, fields?: LogFields): Logger;
}

const LEVEL_ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Appends lines to a file, creating its folder; the file is private to the user (0600). */
export function fileSink(path: string): LogSink {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  return (line) => appendFileSync(path, `${line}\n`, { mode: 0o600 });
}

/** Keeps lines in memory; for tests and the secret canary sweep. */
export function memorySink(lines: string[]): LogSink {
  return (line) => lines.push(line);
}

/** Creates the root logger. Lines below `minLevel` are dropped. */
export function createLogger(
  sinks: LogSink[],
  minLevel: LogLevel = 'info',
  base: LogFields = {},
): Logger {
  const emit = (level: LogLevel, message: string, fields?: LogFields) => {
    if (LEVEL_ORDER[level] < LEVEL_ORDER[minLevel]) return;
    const line = JSON.stringify({
      time: new Date().toISOString(),
      level,
      ...base,
      message,
      ...fields,
    });
    for (const sink of sinks) {
      try {
        sink(line);
      } catch {
        // A full disk must not take issuance down with it; the next line may get through.
      }
    }
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (service, fields) => createLogger(sinks, minLevel, { ...base, service, ...fields }),
  };
}

/** A logger that drops everything. */
export const silentLogger: Logger = createLogger([]);
