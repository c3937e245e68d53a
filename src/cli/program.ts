// The relink command line: one commander program, one subcommand per staff action. Parsing only: the commands
// live in commands/, the output rules in output.ts, the exit statuses in errors.ts.
import { Command, Option } from 'commander';
import { version } from '../../package.json';
import { AWAITING_KINDS } from '../contract';
import { batchCommand } from './commands/batch';
import { cancelCommand, type CancelOptions } from './commands/cancel';
import { confirmLostCommand } from './commands/confirm-lost';
import { doctorCommand } from './commands/doctor';
import { listCommand, type ListOptions } from './commands/list';
import { RELINK_STATUSES } from '../relink-search';
import { restoreNowCommand, type RestoreNowOptions } from './commands/restore-now';
import { reviewCommand, type ReviewOptions } from './commands/review';
import { startCommand, type StartOptions } from './commands/start';
import { statusCommand } from './commands/status';
import { sweepCommand, type SweepOptions } from './commands/sweep';
import { unstickCommand, type UnstickOptions } from './commands/unstick';
import type { ExitCode } from './errors';
import type { Output } from './output';

const jsonOption = () => new Option('--json', 'machine-readable output: one JSON document on stdout (errors too)');

const EXIT_HELP = `
Every command takes --json: one JSON document on stdout, errors included.
Exit status: 0 done; 1 the operation failed or did not reach its aim (the
message says which); 2 bad usage, input or settings (nothing was contacted).
Settings come from the environment or from .env in the current directory.`;

/**
 * Builds the program. `done` receives each command's exit status; commander's own usage errors are thrown
 * (exitOverride) so the caller turns them into exit status 2.
 */
export function buildProgram(out: Output, done: (code: ExitCode) => void): Command {
  const program = new Command('relink')
    .description(
      'Re-link closed lost loans to an Alma patron without a notice reaching them (a durable Temporal workflow).',
    )
    .version(version)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => out.streams.stdout.write(s),
      writeErr: (s) => out.streams.stderr.write(s),
      // Usage errors are printed by main (as text, or as JSON with --json).
      outputError: () => undefined,
    })
    .showSuggestionAfterError(true)
    .addHelpText('after', EXIT_HELP);

  program
    .command('start')
    .description("start a patron's relink (or add items to their running one)")
    .requiredOption(
      '--patron <id>',
      'the patron: Alma primary id, or another of their identifiers (card barcode, university id)',
    )
    .requiredOption('--barcode <barcode...>', 'an item barcode; repeat or list several for one relink')
    .option('--wait', 'follow the relink live; say what to do in Alma when it waits for staff; end with its outcome')
    .option(
      '--holding-address-limit <duration>',
      'how long the holding address may stay, e.g. "7 days" (default RELINK_HOLDING_ADDRESS_LIMIT): past it an ' +
        'overdue relink returns its loans and restores',
    )
    .addOption(jsonOption())
    .addHelpText(
      'after',
      `
Examples:
  relink start --patron rivera.ana --barcode 39000000001
  relink start --patron okafor.chidi --barcode 39000000002 --barcode 39000000003 --wait
  relink start --patron 21000000000101 --barcode 39000000001     (a card barcode: relink-<primary id>)

With --wait the exit status is 0 only when the relink completed (1 when it failed, was aborted or needs attention).`,
    )
    .action(async (opts: StartOptions) => done(await startCommand(opts, out)));

  program
    .command('status')
    .description('what a relink is doing, what it awaits, its items and audit trail; once closed, its outcome')
    .argument('<workflow-id>', 'the relink id, relink-<patron id>')
    .addOption(jsonOption())
    .action(async (id: string) => done(await statusCommand(id, out)));

  program
    .command('list')
    .description('running relinks (with --all, closed ones too)')
    .addOption(
      new Option('--awaiting <what>', 'only relinks waiting for this staff action').choices(
        AWAITING_KINDS.filter((k) => k !== 'none'),
      ),
    )
    .option('--all', 'include closed relinks')
    .option('--patron <primary-id>', "only this patron's relinks")
    .option('--barcode <barcode>', 'only relinks holding this item')
    .addOption(
      new Option('--status <status>', 'only relinks in this state (implies --all but for running)').choices(
        RELINK_STATUSES,
      ),
    )
    .addOption(jsonOption())
    .action(async (opts: ListOptions) => done(await listCommand(opts, out)));

  program
    .command('review')
    .description("answer a request review: another patron's request stood in the way")
    .argument('<workflow-id>', 'the relink id, relink-<patron id>')
    .addOption(new Option('--proceed', 'the request queue is arranged in Alma: go on').conflicts('abort'))
    .addOption(new Option('--abort', 'stop this relink (the patron email is restored if it was changed)'))
    .option('--by <name>', 'your staff user name, for the audit trail')
    .addOption(jsonOption())
    .addHelpText('after', '\nExit status 1 also when, after --proceed, the request queue is still in the way.')
    .action(async (id: string, opts: ReviewOptions) => done(await reviewCommand(id, opts, out)));

  program
    .command('confirm-lost')
    .description('tell a relink you clicked "Lost" on its loans in Alma; it checks Alma at once')
    .argument('<workflow-id>', 'the relink id, relink-<patron id>')
    .option('--barcode <barcode>', 'only this item')
    .addOption(jsonOption())
    .addHelpText('after', '\nExit status 1 also when Alma does not show the Lost click yet.')
    .action(async (id: string, opts: { barcode?: string }) => done(await confirmLostCommand(id, opts, out)));

  program
    .command('restore-now')
    .description("end a relink's quiet period before the restore (RELINK_RESTORE_AFTER): restore the patron now")
    .argument('<patron-or-id>', 'the relink id, relink-<patron id>, or the patron primary id')
    .option('--by <name>', 'your staff user name, for the audit trail')
    .addOption(jsonOption())
    .addHelpText('after', "\nThe letters Alma's jobs send later about the new lost-item fee may then reach the patron.")
    .action(async (id: string, opts: RestoreNowOptions) => done(await restoreNowCommand(id, opts, out)));

  program
    .command('cancel')
    .description(
      "stop a relink; its loans are returned first, then the patron's email restored (that part cannot be cancelled)",
    )
    .argument('<workflow-id>', 'the relink id, relink-<patron id>')
    .option(
      '--keep-loans',
      'leave its loans active and not lost (audited): from then on Alma sends the patron its letters about them',
    )
    .option('--by <name>', 'your staff user name, for the audit trail')
    .addOption(jsonOption())
    .action(async (id: string, opts: CancelOptions) => done(await cancelCommand(id, opts, out)));

  program
    .command('batch')
    .description(
      "start relinks from a CSV file (patron_id,barcode; one line per item; a patron's lines share one relink)",
    )
    .argument('<file.csv>', 'the CSV file, with the header line patron_id,barcode')
    .option('--pace', "start what fits above today's Alma quota floor; the rest waits for tomorrow (not refused)")
    .addOption(jsonOption())
    .addHelpText(
      'after',
      `
The whole file is checked first; if any line is wrong, every bad line is listed and nothing starts (exit 2).
The report goes to stdout as CSV: patron_id,barcode,workflow_id,result,message (result: started, joined,
already-in-relink, failed or waits-for-tomorrow); a progress bar goes to stderr when it is a terminal. Exit 1 if
any line failed. Before anything starts, the batch is estimated at about 16 Alma calls a patron plus 7 for each
further item, against the calls Alma has left today above the workers' floor
(ALMA_MIN_DAILY_REMAINING): a batch that would cross it is refused (exit 1), or with --pace started as far as it
fits, the other lines reported waits-for-tomorrow.`,
    )
    .action(async (file: string, options: { pace?: boolean }) => done(await batchCommand(file, out, options)));

  program
    .command('sweep')
    .description(
      'find patrons left with the holding address by a relink that is not running (terminated, history lost)',
    )
    .option('--fix', "restore them: from the relink's history, or from its marker alone (then staff must check)")
    .addOption(jsonOption())
    .addHelpText(
      'after',
      `
Running relinks are reported and left alone. Exit status 0 when no patron is left swapped or needs attention,
1 otherwise (without --fix, any relink not running leaves its patron swapped).`,
    )
    .action(async (opts: SweepOptions) => done(await sweepCommand(opts, out)));

  program
    .command('unstick')
    .description(
      'reset a relink stuck on a nondeterminism error to the last step the current workflow code replays alike',
    )
    .argument('<workflow-id>', 'the relink id, relink-<patron id>')
    .option('--yes', 'reset it; without --yes the command only says what it would do')
    .addOption(jsonOption())
    .addHelpText(
      'after',
      `
For a relink no patch can save (two earlier releases wrote the same step two ways); when a new release broke the
replay, roll the worker back instead (docs/operations.md). Run it from the release the workers run: it replays the
relink's history with this installation's workflow code, finds the first workflow task that code does differently,
and with --yes resets the relink to it (Temporal's reset; signals after it are reapplied, staff answers are not:
answer again if it asks). The current workers then carry the relink on. The steps after that point run again, which
is safe: every step reads Alma first and writes only what is still needed. Refused when the relink is not running,
not stuck on a nondeterminism error, or when its whole history replays.`,
    )
    .action(async (id: string, opts: UnstickOptions) => done(await unstickCommand(id, opts, out)));

  program
    .command('doctor')
    .description(
      "check this library's Alma key, libraries, desks, holding address and Temporal setup (changes nothing)",
    )
    .addOption(jsonOption())
    .addHelpText(
      'after',
      `
Needs the worker's settings, the Alma API key included (ALMA_API_KEY, ALMA_REGION or ALMA_BASE_URL, the desks,
RELINK_HOLDING_EMAIL, TEMPORAL_*). Exit status 0 when every check passed, 1 on any problem.`,
    )
    .action(async () => done(await doctorCommand(out)));

  return program;
}
