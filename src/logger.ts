import pino from 'pino';
import type { LogLevel } from '../settings';

export type Logger = pino.Logger;

/** Field names that may hold key material; pino censors them wherever they appear. */
const REDACTED_PATHS = ['key', 'masterKey', 'dataKey', 'password', 'secret', 'token', 'value', '*.key', '*.password', '*.secret', '*.token'];

/** One pino logger per process; CLIs log to stderr so their stdout stays machine-readable. */
export function createLogger(level: LogLevel, destination: 1 | 2 = 1): Logger {
  return pino({ level, base: { app: 'walnut' }, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }, pino.destination(destination));
}

/** A logger that drops everything: for library use and tests that do not read logs. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
