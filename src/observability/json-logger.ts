// The worker's log: one JSON object a line on stderr (pino), for the SDK's own messages (worker state, the
// "Activity failed" warnings, the Rust core's forwarded lines) and the workflow's and activities' `log` alike. Every
// message and every metadata value passes through personal-data.ts first.
import pino from 'pino';
import type { LogLevel, LogMetadata, Logger } from '@temporalio/common';
import { scrubText, scrubValue } from './personal-data';

const PINO_LEVEL: Record<LogLevel, pino.Level> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

export const LOG_LEVELS = Object.keys(PINO_LEVEL) as LogLevel[];

export class JsonLogger implements Logger {
  readonly #pino: pino.Logger;

  /** `destination` defaults to stderr: stdout stays free for what a command prints. */
  constructor(level: LogLevel = 'INFO', destination: pino.DestinationStream = pino.destination({ fd: 2, sync: true })) {
    this.#pino = pino(
      {
        level: PINO_LEVEL[level],
        base: { service: 'alma-relink-worker' },
        // Level names, not pino's numbers: what an operator greps for, and what the SDK's levels are called.
        formatters: { level: (label) => ({ level: label }) },
        timestamp: pino.stdTimeFunctions.isoTime,
      },
      destination,
    );
  }

  log(level: LogLevel, message: string, meta?: LogMetadata): void {
    const scrubbed = meta ? (scrubValue(meta) as Record<string, unknown>) : {};
    this.#pino[PINO_LEVEL[level]](scrubbed, scrubText(message));
  }

  trace(message: string, meta?: LogMetadata): void {
    this.log('TRACE', message, meta);
  }
  debug(message: string, meta?: LogMetadata): void {
    this.log('DEBUG', message, meta);
  }
  info(message: string, meta?: LogMetadata): void {
    this.log('INFO', message, meta);
  }
  warn(message: string, meta?: LogMetadata): void {
    this.log('WARN', message, meta);
  }
  error(message: string, meta?: LogMetadata): void {
    this.log('ERROR', message, meta);
  }
}
