// How the relink's steps use the worker's swap gate (swap-gate.ts): the swap step waits for its turn within its
// attempt (heartbeating, as any step), the loan gives the turn back once it is made, the restore as it starts.
import { ApplicationFailure, Context } from '@temporalio/activity';
import { attemptDeadline, type ActivityDeps } from './deps';
import { SwapGate, SwapGateGaveUp } from './swap-gate';

/**
 * Relinks between swap and loan at once, for a worker of `perSecond` calls/s: each holds ~5 closing calls (the swap's
 * read and write, the scan-in, the loan), so rate / 6 keeps their calls within ~1 s of slots, and at least 3 lets a
 * worker with a small share still admit faster than its share can serve relinks (about rate / 15 a second).
 */
export function swapCapacity(perSecond: number): number {
  return Math.max(3, Math.ceil(perSecond / 6));
}

/**
 * A permit lapses after this: about 4 times the swap-to-loan time of a relink under load. A relink whose loan ran on
 * another worker gives its permit back only this way.
 */
export const SWAP_LEASE_MS = 5_000;

/** The swap's own calls need this much of the attempt after its turn comes. */
const SWAP_NEEDS_MS = 10_000;

export function gateFor(perSecond: number): SwapGate {
  return new SwapGate({ capacity: swapCapacity(perSecond), leaseMs: SWAP_LEASE_MS });
}

type Step<I, O> = (deps: ActivityDeps) => (input: I) => Promise<O>;

/** The step runs once its patron holds a turn; a wait that outlasts the attempt fails retryably, keeping its place. */
export function throughGate<I extends { patronId: string }, O>(create: Step<I, O>): Step<I, O> {
  return (deps) => async (input) => {
    if (deps.swapGate) await waitForTurn(deps.swapGate, input.patronId);
    return create(deps)(input);
  };
}

/** The step gives its patron's turn back: `before` it runs (the restore), or `after` it succeeded (the loan). */
export function leavingGate<I extends { patronId: string }, O>(
  create: Step<I, O>,
  when: 'before' | 'after',
): Step<I, O> {
  return (deps) => async (input) => {
    if (when === 'before') deps.swapGate?.leave(input.patronId);
    const result = await create(deps)(input);
    if (when === 'after') deps.swapGate?.leave(input.patronId);
    return result;
  };
}

async function waitForTurn(gate: SwapGate, patronId: string): Promise<void> {
  let context: Context | undefined;
  try {
    context = Context.current();
  } catch {
    return gate.enter(patronId); // a script calling the functions directly: no attempt to bound the wait
  }
  const deadline = attemptDeadline(context.info, Date.now());
  const maxWaitMs = deadline === undefined ? undefined : Math.max(0, deadline - Date.now() - SWAP_NEEDS_MS);
  try {
    await gate.enter(patronId, { maxWaitMs, signal: context.cancellationSignal });
  } catch (err) {
    if (!(err instanceof SwapGateGaveUp) || err.reason === 'aborted') throw err;
    // Nothing was written; the retry keeps this relink's place in line.
    throw ApplicationFailure.create({ type: 'AwaitingSwapTurn', message: err.message, nonRetryable: false });
  }
}
