// What can go wrong in a relink command, as values with a code, a message staff can act on and an exit status.
// Exit status: 0 success; 1 the operation failed (Temporal refused it, the relink ended badly, nothing answered);
// 2 the command was refused before anything was contacted (usage, input, settings).
import { CommanderError } from 'commander';
import { ConfigError } from '../config';

export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export type ErrorCode =
  | 'usage' // the command line itself: unknown command or option, missing option
  | 'invalid-input' // a patron id, barcode, workflow id or batch file that breaks the rules
  | 'config' // settings missing or malformed
  | 'not-found' // no relink with that id
  | 'refused' // the relink or Temporal said no (not waiting for that, already closed, ...)
  | 'unreachable' // no Temporal server, or no worker answering
  | 'failed'; // anything else that went wrong after the command was accepted

import type { Problem } from '../staff-input/problems';

export type { Problem } from '../staff-input/problems';

export class CliError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly options: { hint?: string; problems?: Problem[] } = {},
  ) {
    super(message);
  }

  get exitCode(): ExitCode {
    return this.code === 'usage' || this.code === 'invalid-input' || this.code === 'config' ? EXIT.usage : EXIT.failed;
  }

  /** What --json prints for it (on stdout). */
  toJSON(): Record<string, unknown> {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.options.problems ? { problems: this.options.problems } : {}),
        ...(this.options.hint ? { hint: this.options.hint } : {}),
        exitCode: this.exitCode,
      },
    };
  }

  /** What a person sees (on stderr). */
  toText(): string {
    const problems = this.options.problems ?? [];
    const at = (p: Problem) => `${p.line ? `line ${p.line}: ` : ''}${p.message}`;
    const head =
      problems.length === 0
        ? this.message
        : problems.length === 1 && !problems[0]!.line
          ? `${this.message}: ${at(problems[0]!)}`
          : [`${this.message}:`, ...problems.map((p) => `  - ${at(p)}`)].join('\n');
    return [`relink: ${head}`, ...(this.options.hint ? [this.options.hint] : [])].join('\n');
  }
}

export const usageError = (message: string, hint = 'See: relink --help') => new CliError('usage', message, { hint });

/** Turns whatever a command threw into a CliError; Temporal's own errors are translated in context.ts. */
export function toCliError(err: unknown): CliError {
  if (err instanceof CliError) return err;
  if (err instanceof CommanderError) {
    // commander prefixes its messages with "error: "; the rest names the option or command.
    return usageError(err.message.replace(/^error:\s*/i, ''), 'See: relink --help   (or relink COMMAND --help)');
  }
  if (err instanceof ConfigError) {
    return new CliError('config', 'The settings are incomplete or malformed', {
      problems: err.problems.map((message) => ({ message })),
      hint: 'Set these in the environment or in a .env file in the current directory (see the README, "Using it with your Alma").',
    });
  }
  return new CliError('failed', err instanceof Error ? err.message : String(err));
}
