// relink start: validate, start (or join) the patron's relink, and with --wait follow it to its end.
import type { RelinkClient } from '../../client';
import { durationSchema, holdingLimitProblem, loadSettings } from '../../config';
import { withRelinks, WORKER_ANSWER_MS } from '../context';
import { CliError, EXIT, type ExitCode } from '../errors';
import { auditLine, finalText, startedText, whatToDoText } from '../format';
import { parseOrThrow, relinkInputFor, startArgsSchema } from '../input';
import type { Output } from '../output';
import { cliInstructions, nextCommands, statusView, type StatusView } from '../view';

export interface StartOptions {
  patron: string;
  barcode: string[];
  wait?: boolean;
  /** Overrides RELINK_HOLDING_ADDRESS_LIMIT for this relink. */
  holdingAddressLimit?: string;
}

export async function startCommand(opts: StartOptions, out: Output): Promise<ExitCode> {
  // Step 1: the input, by the workflow's own rules, and the settings: nothing is contacted before both pass.
  const args = parseOrThrow(startArgsSchema, { patronId: opts.patron, barcodes: opts.barcode }, 'start the relink');
  const { temporal, relink } = loadSettings(['temporal', 'relink', 'codec']);
  const limit = opts.holdingAddressLimit;
  if (limit !== undefined) {
    parseOrThrow(durationSchema, limit, 'start the relink (--holding-address-limit)');
    const problem = holdingLimitProblem(limit, relink.RELINK_LOST_DEADLINE);
    if (problem) throw new CliError('invalid-input', 'Cannot start the relink', { problems: [{ message: problem }] });
  }
  const input = relinkInputFor(args, { ...relink, ...(limit ? { RELINK_HOLDING_ADDRESS_LIMIT: limit } : {}) });

  return withRelinks(temporal, async (relinks) => {
    // Step 2: start, or join the patron's running relink (one relink per patron).
    const started = await relinks.start(input, { timeoutMs: WORKER_ANSWER_MS });
    if (!opts.wait) {
      out.result(started, () => startedText(started, input.patronId));
      return EXIT.ok;
    }
    // Step 3 (--wait): follow it live, telling staff what to do whenever it waits for them.
    out.live(startedText(started, input.patronId) + '\n');
    const final = await follow(relinks, started.workflowId, out);
    out.result({ ...started, final }, () => '\n' + finalText(final));
    return final.outcome === 'completed' ? EXIT.ok : EXIT.failed;
  });
}

async function follow(relinks: RelinkClient, workflowId: string, out: Output): Promise<StatusView> {
  let printed = 0;
  let lastTodo = '';
  // Ctrl-C stops watching, never the relink: say so, and how to pick it up again.
  const onInterrupt = () => {
    out.note(`\nStopped watching. The relink carries on; see it with: relink status ${workflowId}`);
    process.exit(130);
  };
  process.once('SIGINT', onInterrupt);
  try {
    await relinks.follow(workflowId, (progress) => {
      for (const entry of progress.audit.slice(printed)) out.live(auditLine(entry));
      printed = progress.audit.length;
      const todo = whatToDoText({
        workflowId,
        awaiting: progress.awaiting,
        awaitingInstructions: cliInstructions(progress),
        nextCommands: nextCommands(workflowId, progress.awaiting, progress.items),
      });
      if (todo && todo !== lastTodo) {
        out.live(
          `\n${todo}\n\nWaiting for that (in another terminal, or from a colleague). Ctrl-C stops watching, not the relink.\n`,
        );
      }
      lastTodo = todo;
    });
  } finally {
    process.removeListener('SIGINT', onInterrupt);
  }
  const final = await statusView(relinks, workflowId);
  for (const entry of final.audit.slice(printed)) out.live(auditLine(entry));
  return final;
}
