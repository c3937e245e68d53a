// The `relink` command (bin/relink.js, or `npm run relink -- ...`): runs one command and exits with its status.
import { CommanderError } from 'commander';
import { EXIT, toCliError, type ExitCode } from './errors';
import { Output } from './output';
import { buildProgram } from './program';

export async function run(argv: string[], out: Output): Promise<ExitCode> {
  let code: ExitCode = EXIT.ok;
  try {
    await buildProgram(out, (c) => (code = c)).parseAsync(argv);
    return code;
  } catch (err) {
    // --help and --version end through exitOverride too; help shown for a missing command is a usage error.
    if (
      err instanceof CommanderError &&
      ['commander.helpDisplayed', 'commander.help', 'commander.version'].includes(err.code)
    ) {
      return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    const error = toCliError(err);
    out.error(error);
    return error.exitCode;
  }
}

const out = new Output(process.argv.slice(2).includes('--json'));
run(process.argv, out).then(
  (code) => exit(code),
  (err: unknown) => {
    // Unreachable unless the output itself fails; still never exit 0 on it.
    console.error(err);
    exit(EXIT.failed);
  },
);

/** Exits once stdout and stderr are flushed (pipes are asynchronous on some platforms). */
function exit(code: number): void {
  let pending = 2;
  const done = () => --pending === 0 && process.exit(code);
  process.stdout.write('', done);
  process.stderr.write('', done);
}
