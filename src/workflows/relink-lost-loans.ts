// The relink of closed lost loans to one patron, in the order of the README's step table: preflight, request review,
// email swap, scan in, loan, the staff Lost click (confirmed through Alma), and — whatever happens — the restore of
// the patron's email. The state and the steps live in Relink (relink.ts); this function wires the messages to it,
// runs it, and always ends with the compensation.
import { ApplicationFailure, allHandlersFinished, condition, setHandler } from '@temporalio/workflow';
import {
  addBarcodesUpdate,
  almaEventSignal,
  barcodesProblems,
  confirmLostSignal,
  joinCapProblem,
  loanDecisionUpdate,
  progressQuery,
  relinkInputProblems,
  restoreNowUpdate,
  reviewDecisionUpdate,
  type JoinResult,
  type RelinkInput,
  type RelinkResult,
} from '../contract';
import { finish, loanList, loansReturned, resultOf, stoppedBy } from './compensation';
import { keepLoansWarning, staffMember } from './instructions';
import { relinkFailure } from './outcomes';
import { Relink } from './relink';
import { onAlmaEvent } from './alma-events';

export async function relinkLostLoans(input: RelinkInput): Promise<RelinkResult> {
  const problems = relinkInputProblems(input);
  if (problems.length > 0) {
    throw ApplicationFailure.nonRetryable(`Cannot relink: ${problems.join('; ')}.`, 'InvalidInput');
  }
  const relink = new Relink(input);
  const { track, workflowId } = relink;

  // --- handlers: what staff and tools can ask or tell a running relink --------------------------------------------
  setHandler(progressQuery, () => track.snapshot());
  setHandler(almaEventSignal, (event) => onAlmaEvent(relink, event));
  setHandler(confirmLostSignal, (request) => {
    relink.lostSignals++;
    // Who reported it only changes the audit text, not the workflow's commands: no patch needed.
    const by = request?.by ? ` (${request.by})` : '';
    track.log(
      track.awaiting === 'return-refused'
        ? `Staff reported the item returned or Lost in Alma${by}; trying the return again now.`
        : track.awaiting === 'staff-loan'
          ? `Staff reported the loan made at the desk${by}; checking Alma now.`
          : `Staff reported the Lost click${request?.barcode ? ` for ${request.barcode}` : ''}${by}; checking Alma now.`,
    );
  });
  setHandler(
    reviewDecisionUpdate,
    (d) => {
      relink.decision = d;
      // While staff are asked for a desk loan (staff-loan.ts): proceed checks Alma for it now, abort gives up on it.
      if (track.awaiting === 'staff-loan') {
        const then = d.decision === 'proceed' ? 'checking Alma for the desk loan now' : 'giving up on the desk loan';
        return `Decision "${d.decision}" received; ${then}.`;
      }
      // An abort drops the items under review; the relink ends unless its other items still need the address.
      const next = d.decision === 'proceed' ? 're-reading the request queue' : 'aborting the relink';
      return `Decision "${d.decision}" received; ${next}.`;
    },
    {
      validator: (d) => {
        if (track.awaiting !== 'request-review' && track.awaiting !== 'staff-loan') {
          throw new Error(
            `${workflowId} is not waiting for a request review or a desk loan (it is at step ${track.step}).`,
          );
        }
        if (d?.decision !== 'proceed' && d?.decision !== 'abort') throw new Error('decision must be proceed or abort');
      },
    },
  );
  setHandler(
    loanDecisionUpdate,
    (d) => {
      relink.loanDecision = { decision: d.decision, ...(d.by ? { by: d.by } : {}) };
      const open = relink.openLoans();
      if (d.decision === 'keep-loans') {
        // Logged once, where the relink acts on it (the Lost wait's stop, or the refused return's hold).
        const warning = keepLoansWarning(open, d.by, relink.dueDatesMovedOf(open));
        return `${warning} The relink now restores the patron's email and ends.`;
      }
      track.log(`${staffMember(d.by)} chose to return the loans.`);
      return "The relink returns the loans (scans the items in), then restores the patron's email and ends.";
    },
    {
      validator: (d) => {
        if (d?.decision !== 'return-loans' && d?.decision !== 'keep-loans') {
          throw new Error('decision must be return-loans or keep-loans');
        }
        if (d.by !== undefined && (typeof d.by !== 'string' || d.by.length > 100)) {
          throw new Error('by must be a staff user name of at most 100 characters');
        }
        // Holding the address while Alma refuses a return: staff may keep the loans, whatever was decided before.
        if (track.awaiting === 'return-refused') {
          if (d.decision !== 'keep-loans') {
            throw new Error(
              `${workflowId} is already returning its loans, and Alma refuses: return them in Alma, then run ` +
                `relink confirm-lost ${workflowId}; or keep them (--keep-loans).`,
            );
          }
          return;
        }
        if (relink.closing || track.step !== 'lost-declaration' || relink.openLoans().length === 0) {
          throw new Error(
            `${workflowId} has no loan waiting for the Lost click (it is at step ${track.step}): ` +
              'nothing to return or keep; relink cancel stops it.',
          );
        }
        if (relink.loanDecision)
          throw new Error(`${workflowId} already has a decision: ${relink.loanDecision.decision}.`);
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

  const email = { verified: track.contact.verified, neverChanged: relink.neverChanged };
  if (failure) throw relinkFailure(failure, loanList(relink), email, loansReturned(relink));
  return resultOf(relink);
}
