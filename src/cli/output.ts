// Where output goes. Human mode: results on stdout, errors and notes on stderr. --json mode: exactly one JSON
// document on stdout (the result, or {"error": ...}); live notes, if any, on stderr.
import type { CliError } from './errors';

export interface Streams {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

export class Output {
  constructor(
    readonly json: boolean,
    readonly streams: Streams = { stdout: process.stdout, stderr: process.stderr },
  ) {}

  /** The command's result: `doc` as JSON in --json mode, `text()` for a person otherwise. */
  result(doc: unknown, text: () => string): void {
    if (this.json) this.streams.stdout.write(JSON.stringify(doc, null, 2) + '\n');
    else this.streams.stdout.write(text() + '\n');
  }

  /** Live lines while a command runs (following a relink): stdout for a person, stderr in --json mode. */
  live(text: string): void {
    (this.json ? this.streams.stderr : this.streams.stdout).write(text + '\n');
  }

  /** A remark beside the result (never on stdout, so reports stay clean). */
  note(text: string): void {
    this.streams.stderr.write(text + '\n');
  }

  error(err: CliError): void {
    if (this.json) this.streams.stdout.write(JSON.stringify(err.toJSON(), null, 2) + '\n');
    else this.streams.stderr.write(err.toText() + '\n');
  }
}
