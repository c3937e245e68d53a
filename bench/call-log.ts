// What the simulator's call log says: how many Alma calls were made, how fast, how many got 429, and how long each
// patron's notices went to the holding address (the email-swap window).
import type { SimCall } from '../src/alma-sim';
import { round } from './stats';

export interface CallRate {
  /** Calls Alma let through (not refused with 429). */
  admitted: number;
  /** 429 PER_SECOND_THRESHOLD answers (the simulator's per-second limit or injected). */
  rateLimited: number;
  /** From the first call's arrival to the last's, seconds. */
  spanSeconds: number;
  callsPerSecond: number;
  /** The same over the middle 80 % of calls, without the ramp-up and the tail. */
  steadyCallsPerSecond: number;
  /**
   * The busiest one-second window of calls arriving at Alma, those it refused with 429 included: what the workers
   * sent, as Alma's gateway counts it (the simulator counts on arrival too, so a window over the limit shows as 429s).
   */
  busiestSecond: number;
}

const arrival = (c: SimCall) => Date.parse(c.at);
export const is429 = (c: SimCall) => c.status === 429;

export function callRate(calls: SimCall[]): CallRate {
  const admitted = calls
    .filter((c) => !is429(c))
    .map(arrival)
    .sort((a, b) => a - b);
  const spanMs = admitted.length > 1 ? admitted[admitted.length - 1]! - admitted[0]! : 0;
  const lo = Math.floor(admitted.length * 0.1);
  const hi = Math.max(lo, Math.ceil(admitted.length * 0.9) - 1);
  const steadyMs = admitted.length > 10 ? admitted[hi]! - admitted[lo]! : 0;
  const arrived = calls.map(arrival).sort((a, b) => a - b);
  let busiest = 0;
  for (let i = 0, j = 0; i < arrived.length; i++) {
    while (arrived[i]! - arrived[j]! >= 1000) j++;
    busiest = Math.max(busiest, i - j + 1);
  }
  return {
    admitted: admitted.length,
    rateLimited: calls.filter(is429).length,
    spanSeconds: round(spanMs / 1000, 2),
    callsPerSecond: spanMs > 0 ? round((admitted.length - 1) / (spanMs / 1000), 2) : Number.NaN,
    steadyCallsPerSecond: steadyMs > 0 ? round((hi - lo) / (steadyMs / 1000), 2) : Number.NaN,
    busiestSecond: busiest,
  };
}

export interface RelinkWindow {
  patronId: string;
  fromMs: number;
  toMs: number;
}

/**
 * For each relink: from the swap PUT (the first PUT of the patron's record in the relink) to the restore PUT (the last
 * one), whose answer verifies the restore. Runs measured before the restore dropped its read-back ended the window at
 * that GET, one call later. The simulator applies a call after its latency, so the window in which a letter would
 * reach the holding address is the same length: both ends are shifted by that latency.
 */
export function swapWindows(calls: SimCall[], relinks: RelinkWindow[]): number[] {
  const byPatron = new Map<string, SimCall[]>();
  for (const c of calls) {
    if (is429(c)) continue;
    const m = /^\/almaws\/v1\/users\/([^/?]+)(\?|$)/.exec(c.path);
    if (!m) continue;
    const id = decodeURIComponent(m[1]!);
    let list = byPatron.get(id);
    if (!list) byPatron.set(id, (list = []));
    list.push(c);
  }
  const out: number[] = [];
  for (const r of relinks) {
    const mine = (byPatron.get(r.patronId) ?? []).filter((c) => {
      const t = arrival(c);
      return t >= r.fromMs - 5 && t <= r.toMs + 5;
    });
    const swap = mine.find((c) => c.method === 'PUT');
    const restore = mine.filter((c) => c.method === 'PUT').pop();
    if (swap && restore && arrival(restore) > arrival(swap)) out.push(arrival(restore) - arrival(swap));
  }
  return out;
}

/** Calls (admitted) per relink in a stretch of the log. */
export const callsPerRelink = (calls: SimCall[], relinks: number): number =>
  relinks > 0 ? round(calls.filter((c) => !is429(c)).length / relinks, 2) : Number.NaN;
