// The relink of closed lost loans to one patron, in the order of the README's step table: preflight, request review,
// email swap, scan in, loan, the staff Lost click (confirmed through Alma), and — whatever happens — the restore of
// the patron's email. The state and the steps live in Relink (relink.ts); this function wires the messages to it,
// runs it, and always ends with the compensation.
import { ApplicationFailure, allHandlersFinished, condition, setHandler } from '@temporalio/workflow';
import {
  addBarcodesUpdate,
  barcodesProblems,
  confirmLostSignal,
  joinCapProblem,
  progressQuery,
  relinkInputProblems,
  restoreNowUpdate,
  reviewDecisionUpdate,
  type JoinResult,
  type RelinkInput,
  type RelinkResult,
} from '../contract';
import { finish, loanList, resultOf, stoppedBy } from './compensation';
import { relinkFailure } from './outcomes';
import { Relink } from './relink';

export async function relinkLostLoans(input: RelinkInput): Promise<RelinkResult> {
  const problems = relinkInputProblems(input);
  if (problems.length > 0) {
    throw ApplicationFailure.nonRetryable(`Cannot relink: ${problems.join('; ')}.`, 'InvalidInput');
  }
  const relink = new Relink(input);
  const { track, workflowId } = relink;

  // --- handlers: what staff and tools can ask or tell a running relink --------------------------------------------
  setHandler(progressQuery, () => track.snapshot());
  setHandler(confirmLostSignal, (request) => {
    relink.lostSignals++;
    track.log(`Staff reported the Lost click${request?.barcode ? ` for ${request.barcode}` : ''}; checking Alma now.`);
  });
  setHandler(
    reviewDecisionUpdate,
    (d) => {
      relink.decision = d;
      const next = d.decision === 'proceed' ? 're-reading the request queue' : 'aborting the relink';
      return `Decision "${d.decision}" received; ${next}.`;
    },
    {
      validator: (d) => {
        if (track.awaiting !== 'request-review') {
          throw new Error(`${workflowId} is not waiting for a request review (it is at step ${track.step}).`);
        }
        if (d?.decision !== 'proceed' && d?.decision !== 'abort') throw new Error('decision must be proceed or abort');
      },
    },
  );
  setHandler(
    restoreNowUpdate,
    (request) => {
      relink.restoreNowAsked = true;
      relink.restoreNowBy = request?.by;
      return `Quiet period ended${request?.by ? ` by ${request.by}` : ''}; restoring the patron's email now.`;
    },
    {
      validator: (request) => {
        if (track.awaiting !== 'quiet-period') {
          throw new Error(`${workflowId} is not in its quiet period before the restore (it is at step ${track.step}).`);
        }
        if (request?.by !== undefined && (typeof request.by !== 'string' || request.by.length > 100))
          throw new Error('by must be a staff user name of at most 100 characters');
      },
    },
  );
  setHandler(
    addBarcodesUpdate,
    async (barcodes, options?): Promise<JoinResult> => {
      // Start-or-join sends this update with every start: on the run it started, it only confirms the start.
      if (options?.startRequestId && options.startRequestId === input.startRequestId) {
        return { workflowId, started: true, added: [...input.barcodes], alreadyPresent: [] };
      }
      return relink.join(barcodes);
    },
    {
      validator: (barcodes, _options?) => {
        const problems = barcodesProblems(barcodes);
        const overCap = joinCapProblem([...track.items.keys()], barcodes ?? []);
        if (overCap) problems.push(overCap);
        if (problems.length) throw new Error(`Cannot join: ${problems.join('; ')}.`);
        if (relink.closing) throw relink.closingFailure();
      },
    },
  );

  // --- run, then the compensation in every outcome -------------------------------------------------------------
  let failure: unknown;
  try {
    await relink.run();
  } catch (err) {
    failure = stoppedBy(relink, err);
  } finally {
    await finish(relink);
  }
  // A join accepted just before the close answers (refused, as RelinkClosing) before the relink closes.
  await condition(allHandlersFinished);

  if (failure) throw relinkFailure(failure, loanList(relink), track.contact.verified);
  return resultOf(relink);
}
