// Which slot of the shared per-second grid this worker takes (issue 17; the grid is in src/alma/rate-limiter.ts).
// The workers sharing ALMA_RATE_LIMIT learn of each other from Temporal itself: the pollers its task queue lists,
// ranked by identity, so slot k is the k-th worker in that order. No store, no election, nothing to configure but
// ALMA_RATE_LIMIT_WORKERS. While the workers' views differ (one has just joined or died) two may share a slot for
// a round: each still keeps to its share, so the limit holds as before; only the interleaving waits a round.
import type { NativeConnection } from '@temporalio/worker';
import { temporal as proto } from '@temporalio/proto';
import type { RateSlot } from './alma';

/** A poller not seen for this long has stopped (an idle poll is renewed about every minute); health.ts too. */
export const POLLER_FRESH_MS = 2 * 60_000;

export interface Poller {
  identity?: string | null;
  lastAccessTime?: { seconds?: unknown } | null;
}

/** When Temporal last saw the poller, in epoch ms (0: never). */
export const lastPolledMs = (p: Poller): number => Number(String(p.lastAccessTime?.seconds ?? 0)) * 1000;

/** The identities of the workers polling now, in the order that gives the slots. */
export function pollingWorkers(pollers: readonly Poller[], now: number): string[] {
  const fresh = pollers.filter((p) => p.identity && now - lastPolledMs(p) <= POLLER_FRESH_MS);
  return [...new Set(fresh.map((p) => p.identity!))].sort();
}

/** This worker's slot among the polling ones, or undefined while Temporal does not list it yet. */
export function slotAmong(identity: string, polling: readonly string[], slots: number): RateSlot | undefined {
  const rank = polling.indexOf(identity);
  return rank < 0 ? undefined : { slot: rank % slots, slots };
}

export interface RateSlotsOptions {
  connection: Pick<NativeConnection, 'workflowService'>;
  namespace: string;
  taskQueue: string;
  /** The worker's identity, as it polls. */
  identity: string;
  /** ALMA_RATE_LIMIT_WORKERS. */
  slots: number;
  align(slot: RateSlot | undefined): void;
  /** How often to look again; the first look is at once. */
  intervalMs?: number;
  info(message: string): void;
  warn(message: string): void;
  now?: () => number;
}

/** Keeps the limiter aligned to this worker's slot as workers come and go. */
export class RateSlots {
  #timer?: NodeJS.Timeout;
  #round?: Promise<unknown>;
  #current?: string;
  #warned?: string;
  #failing?: string;

  constructor(private readonly options: RateSlotsOptions) {}

  start(): void {
    const tick = () => {
      this.#round ??= this.look().finally(() => (this.#round = undefined));
    };
    tick();
    this.#timer = setInterval(tick, this.options.intervalMs ?? 5000);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#round;
  }

  /** One look at the task queue's pollers; a failed look keeps the slot it had (the server may be away). */
  async look(): Promise<RateSlot | undefined> {
    const { connection, namespace, taskQueue, identity, slots, now = Date.now } = this.options;
    let polling: string[];
    try {
      const { pollers } = await connection.workflowService.describeTaskQueue({
        namespace,
        taskQueue: { name: taskQueue },
        taskQueueType: proto.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
      });
      polling = pollingWorkers(pollers ?? [], now());
    } catch (err) {
      // Said once while it lasts (a key without the right to describe the queue would fail every round).
      const why = (err as Error).message;
      if (why !== this.#failing) {
        this.#failing = why;
        this.options.warn(`Could not list the workers of task queue ${taskQueue} (keeping the slot it had): ${why}`);
      }
      return undefined;
    }
    if (this.#failing !== undefined) {
      this.#failing = undefined;
      this.options.info(`Listing the workers of task queue ${taskQueue} again.`);
    }
    const slot = slotAmong(identity, polling, slots);
    const key = slot ? `${slot.slot}/${slots}` : 'none';
    if (key !== this.#current) {
      this.#current = key;
      this.options.align(slot);
      this.options.info(
        slot
          ? `Alma calls in slot ${slot.slot + 1} of ${slots} (${polling.length} worker${polling.length === 1 ? '' : 's'} polling ${taskQueue}).`
          : `Alma calls in no slot yet: Temporal does not list this worker among those polling ${taskQueue}.`,
      );
    }
    if (polling.length > slots && this.#warned !== String(polling.length)) {
      this.#warned = String(polling.length);
      this.options.warn(
        `${polling.length} workers poll task queue ${taskQueue} but ALMA_RATE_LIMIT_WORKERS is ${slots}: together ` +
          `they may exceed ALMA_RATE_LIMIT. Set ALMA_RATE_LIMIT_WORKERS to the number of workers.`,
      );
    }
    return slot;
  }
}
