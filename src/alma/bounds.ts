// How a call fits inside a Temporal step (the client knows no Temporal type: the activity layer hands it `bounds`).
// The step's attempt has a deadline (default step timeout 1 minute, so t0 + 60 s). Every call made under bounds:
//   - is not started when less than MIN_CALL_MS would be left before deadline - margin (default 60 - 2 = 58 s);
//   - counts its wait for the per-second limiter against that time, and fails at once (retryable, nothing sent)
//     when the line ahead would carry it past it, rather than sending late;
//   - gets a timeout of min(timeoutMs, time left) = min(30 s, 58 s - now), so it is aborted by t0 + 58 s at the latest;
//   - is aborted at once when the step is cancelled (the activity's AbortSignal);
//   - as a GET, is retried only when the pause and MIN_CALL_MS still fit.
// Temporal starts the next attempt no sooner than t0 + 60 s + its retry interval (1 s), so when it reads Alma no
// request of this attempt is still being sent. What Alma received before the abort may still be applied by Alma
// after it: the client cannot recall a request, only stop sending and listening.
import { almaError, type CallSpec } from './answers';
import { AlmaErrorCodes, type AlmaError } from './errors';
import type { Line } from './line';
import { LimiterGaveUp, type CallPriority } from './rate-limiter';

/** Limits on every call of a client view, set by whoever runs the calls (an activity: its cancel and deadline). */
export interface CallBounds {
  /** Aborts the call in flight, and refuses new ones, once aborted. */
  signal?: AbortSignal;
  /** Epoch ms (on the client's clock) by which no call may be in flight; see deadlineMarginMs. */
  deadline?: number;
  /** Which line of the per-second limiter the calls wait in (rate-limiter.ts); default `opening`. */
  priority?: CallPriority;
}

/** A call is not started with less time than this before its deadline's margin: it could hardly be answered. */
export const MIN_CALL_MS = 1000;

/** One view's bounds, read against its line's clock, limiter and settings. */
export class ViewBounds {
  readonly #line: Line;
  readonly #bounds: CallBounds;

  constructor(line: Line, bounds: CallBounds) {
    this.#line = line;
    this.#bounds = bounds;
  }

  /** Time left before the view's deadline less the margin, in ms; Infinity without a deadline. */
  timeLeft(): number {
    const { deadline } = this.#bounds;
    const margin = this.#line.settings.deadlineMarginMs;
    return deadline === undefined ? Number.POSITIVE_INFINITY : deadline - margin - this.#line.now();
  }

  /** Refuses a call that is cancelled or has less than `needMs` left; answers the timeout the call may have. */
  check(spec: CallSpec, needMs: number): number {
    if (this.#bounds.signal?.aborted) throw this.cancelled(spec, 'before it was sent');
    const left = this.timeLeft();
    if (left < needMs) {
      const shown = Math.max(0, Math.round(left));
      throw this.#outOfTime(
        spec,
        `${shown} ms left before the step's deadline, less its ${this.#line.settings.deadlineMarginMs} ms margin`,
      );
    }
    return Math.min(this.#line.settings.timeoutMs, left);
  }

  /** The limiter's wait, bounded by the view's deadline and signal. */
  async waitForSlot(spec: CallSpec): Promise<void> {
    try {
      const { signal, priority } = this.#bounds;
      await this.#line.limiter.acquire({ maxWaitMs: this.timeLeft() - MIN_CALL_MS, signal, priority });
    } catch (err) {
      if (!(err instanceof LimiterGaveUp)) throw err;
      if (err.reason === 'aborted') throw this.cancelled(spec, 'while waiting for the per-second limiter');
      const { requestsPerSecond } = this.#line.settings;
      throw this.#outOfTime(spec, `the wait for the per-second limiter (${requestsPerSecond}/s) would pass it`);
    }
  }

  /** `sent`: the request had reached Alma, which may still apply it. */
  cancelled(spec: CallSpec, when: string, sent = false): AlmaError {
    return almaError(this.#line, spec, {
      kind: 'cancelled',
      retryable: true,
      code: AlmaErrorCodes.CANCELLED,
      almaMessage: `the step was cancelled ${when}${sent ? ' (the call may still have been applied)' : ''}`,
    });
  }

  /** A call not sent because the step's time was up: retryable, and nothing reached Alma. */
  #outOfTime(spec: CallSpec, why: string): AlmaError {
    return almaError(this.#line, spec, {
      kind: 'deadline',
      retryable: true,
      code: AlmaErrorCodes.DEADLINE,
      almaMessage: `not sent, the step's time was up: ${why}`,
    });
  }
}
