// What activities are given, and how each run of one is tied to its Temporal attempt: the Alma client it sees is
// cancelled with the attempt and never has a call in flight past the attempt's deadline, and the attempt heartbeats
// meanwhile. The Alma client itself knows no Temporal type: it is handed a signal and a deadline.
import { Context, type Info } from '@temporalio/activity';
import type { AlmaClient, AlmaUser, CallPriority } from '../alma';
import type { PatronReads } from './patron-reads';
import type { SwapGate } from './swap-gate';

/** What every activity needs: an Alma client (its API key and rate limiter live inside it). */
export interface ActivityDeps {
  alma: AlmaClient;
  /** How often a running activity heartbeats, in ms; default HEARTBEAT_EVERY_MS (tests shorten it). */
  heartbeatEveryMs?: number;
  /** Admission to the swap on this worker (swap-gate.ts, gateFor); none: no admission (the bench's plain scripts). */
  swapGate?: SwapGate;
  /** The institution's time zone (ALMA_TIME_ZONE), for a quiet period "next HH:MM"; default UTC. */
  timeZone?: string;
  /** The loan process status code that means Lost (ALMA_LOST_PROCESS_STATUS); unset: LOST or LOST_LOAN. */
  lostProcessStatus?: string;
  /** The patron lookups' reads on this worker, for the start's preflight (patron-reads.ts); one per worker. */
  patronReads?: PatronReads<AlmaUser>;
}

/**
 * A running activity heartbeats this often. Temporal delivers a cancel, or the news that the attempt timed out, only
 * in a heartbeat's answer; the SDK sends at most one heartbeat per 0.8 x heartbeatTimeout, so with a heartbeatTimeout
 * of 20 s a cancel reaches the step within about 16 s, and a worker that died is noticed after 20 s, not 60.
 */
export const HEARTBEAT_EVERY_MS = 5_000;

type Timeouts = Pick<Info, 'startToCloseTimeoutMs' | 'scheduleToCloseTimeoutMs' | 'scheduledTimestampMs'>;

/**
 * The moment the current attempt times out, epoch ms: its start-to-close timeout counted from `startedAt`, when it
 * began here, capped by the schedule-to-close timeout (0: none). Not from currentAttemptScheduledTimestampMs: that
 * includes the wait in the task queue, which the start-to-close timeout does not count, and is the server's clock.
 */
export function attemptDeadline(info: Timeouts, startedAt: number): number | undefined {
  const ends: number[] = [];
  if (info.startToCloseTimeoutMs > 0) ends.push(startedAt + info.startToCloseTimeoutMs);
  if (info.scheduleToCloseTimeoutMs > 0) ends.push(info.scheduledTimestampMs + info.scheduleToCloseTimeoutMs);
  return ends.length > 0 ? Math.min(...ends) : undefined;
}

/** Which client an activity gets: the compensation's is never refused by the daily-quota floor. */
export type ActivityRole = 'forward' | 'compensation';

/**
 * Runs one attempt of an activity with deps whose Alma client is bound to the attempt's Context: its cancellation
 * signal aborts the call in flight, and its deadline bounds every call. Outside an activity (a script calling the
 * functions directly) the client has no bounds.
 */
export async function inAttempt<R>(
  deps: ActivityDeps,
  role: ActivityRole,
  run: (deps: ActivityDeps) => Promise<R>,
  priority: CallPriority = 'opening',
): Promise<R> {
  const alma = role === 'compensation' ? deps.alma.forCompensation() : deps.alma;
  const context = currentContext();
  if (!context) return run({ ...deps, alma });
  const { cancellationSignal: signal } = context;
  const bound = alma.within({ signal, deadline: attemptDeadline(context.info, Date.now()), priority });
  context.heartbeat();
  const ticker = setInterval(() => context.heartbeat(), deps.heartbeatEveryMs ?? HEARTBEAT_EVERY_MS);
  try {
    return await run({ ...deps, alma: bound });
  } catch (err) {
    // A cancelled attempt reports its cancel, not the aborted call it caused, so Temporal records it as cancelled.
    throw signal.aborted ? ((signal.reason as unknown) ?? err) : err;
  } finally {
    clearInterval(ticker);
  }
}

function currentContext(): Context | undefined {
  try {
    return Context.current();
  } catch {
    return undefined;
  }
}
