// The relink gauges on the worker's Prometheus endpoint: how many relinks run, wait for staff (by kind), are
// overdue, ended needs-attention, and are stuck (their workflow task fails again and again: stuck-relinks.ts).
// Counted from the search attributes by visibility queries on an interval, and the stuck ones by reading each running
// relink, so every worker of a namespace reports the same figures (alert on max(), not sum()). The awaited kinds come
// from the contract's AWAITING_KINDS: a kind added there is counted without a change here.
import type { MetricGauge, MetricMeter } from '@temporalio/common';
import type { NativeConnection } from '@temporalio/worker';
import { AWAITING_KINDS, RelinkAwaiting, RelinkOutcome, equalsClause, type Outcome } from '../contract';
import { findStuckRelinks, RELINK_WORKFLOW_TYPE, RUNNING_RELINKS as RUNNING, STUCK_CAUSES } from '../stuck-relinks';

/** The awaited state of a relink past its deadline (issue 15's overdue state); counted on its own gauge too. */
export const OVERDUE_KIND = 'overdue';
const NEEDS_ATTENTION: Outcome = 'needs-attention';

/** One gauge's visibility query, and the tags its figure carries. */
export interface GaugeQuery {
  gauge: 'running' | 'awaitingStaff' | 'overdue' | 'endedNeedsAttention';
  query: string;
  tags?: Record<string, string>;
}

/** The queries behind the gauges, from the contract's awaited kinds (and the overdue kind when it is one of them). */
export function gaugeQueries(kinds: readonly string[] = AWAITING_KINDS): GaugeQuery[] {
  const staffKinds = kinds.filter((k) => k !== 'none');
  return [
    { gauge: 'running', query: RUNNING },
    ...staffKinds.map((kind): GaugeQuery => ({
      gauge: 'awaitingStaff',
      query: `${RUNNING} AND ${equalsClause(RelinkAwaiting, kind)}`,
      tags: { kind },
    })),
    { gauge: 'overdue', query: `${RUNNING} AND ${equalsClause(RelinkAwaiting, OVERDUE_KIND)}` },
    {
      gauge: 'endedNeedsAttention',
      query: `WorkflowType = '${RELINK_WORKFLOW_TYPE}' AND ExecutionStatus != 'Running' AND ${equalsClause(RelinkOutcome, NEEDS_ATTENTION)}`,
    },
  ];
}

export interface RelinkGaugesOptions {
  connection: Pick<NativeConnection, 'workflowService'>;
  namespace: string;
  meter: MetricMeter;
  intervalMs: number;
  /** Told when a count fails (the server is away): the gauges keep their last figures until the next round. */
  onError?: (err: unknown) => void;
}

export class RelinkGauges {
  readonly #gauges: Record<GaugeQuery['gauge'] | 'stuck', MetricGauge>;
  readonly #queries = gaugeQueries();
  #timer?: NodeJS.Timeout;
  #round?: Promise<void>;

  constructor(private readonly options: RelinkGaugesOptions) {
    const { meter } = options;
    this.#gauges = {
      running: meter.createGauge('relink_running', 'int', '', 'Relinks running now'),
      awaitingStaff: meter.createGauge(
        'relink_awaiting_staff',
        'int',
        '',
        'Running relinks waiting for staff, by kind',
      ),
      overdue: meter.createGauge('relink_overdue', 'int', '', 'Running relinks past their deadline'),
      endedNeedsAttention: meter.createGauge(
        'relink_ended_needs_attention',
        'int',
        '',
        'Relinks that ended needs-attention, within the namespace retention',
      ),
      stuck: meter.createGauge(
        'relink_stuck',
        'int',
        '',
        'Running relinks whose workflow task fails on every attempt, by cause (nondeterminism: roll the worker back)',
      ),
    };
  }

  /** Counts once now, then every interval; the timer does not keep the process alive. */
  start(): void {
    const tick = () => {
      this.#round = this.refresh().then(
        () => undefined,
        (err: unknown) => this.options.onError?.(err),
      );
    };
    tick();
    this.#timer = setInterval(tick, this.options.intervalMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#round;
  }

  /** One round of counts, set on the gauges. */
  async refresh(): Promise<Record<string, number>> {
    const { connection, namespace } = this.options;
    const figures: Record<string, number> = {};
    for (const q of this.#queries) {
      const answer = await connection.workflowService.countWorkflowExecutions({ namespace, query: q.query });
      const count = Number(answer.count ?? 0);
      this.#gauges[q.gauge].set(count, q.tags ?? {});
      figures[q.tags?.kind ? `${q.gauge}:${q.tags.kind}` : q.gauge] = count;
    }
    const stuck = await findStuckRelinks(connection.workflowService, namespace);
    for (const cause of STUCK_CAUSES) {
      const count = stuck.filter((s) => s.cause === cause).length;
      this.#gauges.stuck.set(count, { cause });
      figures[`stuck:${cause}`] = count;
    }
    return figures;
  }
}
