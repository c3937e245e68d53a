// Injected faults: what a real Alma does to a client on a bad day (slow answers, 5xx with XML bodies, 429
// thresholds, a write applied whose answer never arrives), plus targeted rules so a test can fail exactly "the
// next loan POST". All random choices come from a seeded PRNG so a run repeats.
import { z } from 'zod';
import { almaError, type AlmaError } from './errors';
import { seededRandom, type Random } from './prng';

const rate = z.number().min(0).max(1);

const compiles = (source: string) => {
  try {
    new RegExp(source);
    return true;
  } catch {
    return false;
  }
};

export const faultRuleSchema = z
  .strictObject({
    /** HTTP method to match; omitted or '*' matches any. */
    method: z.string().min(1).optional(),
    /** A regular expression searched in the path plus query string (apikey masked), e.g. '/users/x/loans\\?'; omitted: any. */
    path: z.string().min(1).refine(compiles, 'not a valid regular expression').optional(),
    /**
     * error: answer without running the call; apply-then-error: run it (the write happens), then answer the error;
     * delay: wait delayMs, then run it normally; drop / apply-then-drop: close the connection with no answer,
     * before or after running the call.
     */
    action: z.enum(['error', 'apply-then-error', 'delay', 'drop', 'apply-then-drop']),
    /** For error actions; default 500. A 5xx gets an XML body whatever was asked, like Alma's. */
    status: z.number().int().min(400).max(599).optional(),
    /** Default: INTERNAL_SERVER_ERROR for 5xx, PER_SECOND_THRESHOLD for 429, 401652 otherwise. */
    errorCode: z.string().min(1).optional(),
    errorMessage: z.string().min(1).optional(),
    delayMs: z.number().int().min(0).max(600_000).optional(),
    /** How many matching calls the rule applies to; default 1. */
    times: z.number().int().min(1).optional(),
  })
  .refine((r) => r.action !== 'delay' || r.delayMs !== undefined, { message: 'a delay rule needs delayMs' });

export const faultsSchema = z.strictObject({
  /** Added to every API call. */
  latencyMs: z.number().int().min(0).max(600_000).optional(),
  /** Share of calls answered 500 (XML body) without being applied. */
  errorRate: rate.optional(),
  /** Share of calls answered 429 PER_SECOND_THRESHOLD. */
  rate429: rate.optional(),
  /** A real limiter: calls beyond this many in any one-second window get 429 PER_SECOND_THRESHOLD. */
  perSecondLimit: z.number().int().min(1).optional(),
  /** Share of writes (POST/PUT/DELETE) applied and then answered 500. */
  applyThenFailRate: rate.optional(),
  /** Sets the daily call counter (X-Exl-Api-Remaining); at 0 every call gets 429 DAILY_THRESHOLD. */
  dailyRemaining: z.number().int().min(0).optional(),
  rules: z.array(faultRuleSchema).optional(),
});

export type SimFaults = z.input<typeof faultsSchema>;
export type FaultRule = z.input<typeof faultRuleSchema>;
type ParsedFaults = z.output<typeof faultsSchema>;
type ParsedRule = z.output<typeof faultRuleSchema>;

export class FaultsError extends Error {}

export function parseFaults(input: unknown): ParsedFaults {
  const parsed = faultsSchema.safeParse(input ?? {});
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new FaultsError(`faults are not valid: ${lines.join('; ')}`);
  }
  return parsed.data;
}

/** An error answer decided by a fault; `xml` forces an XML body (Alma's 5xx come back as XML). */
export interface FaultError {
  error: AlmaError;
  xml: boolean;
  fault: string;
}

export type Outcome = { kind: 'error'; answer: FaultError } | { kind: 'drop'; fault: string };

export interface Plan {
  delayMs: number;
  /** Answer this instead of running the call. */
  before?: Outcome;
  /** Run the call, then answer this instead of its result. */
  after?: Outcome;
}

export const perSecondThreshold = () =>
  almaError('PER_SECOND_THRESHOLD', 'HTTP requests are more than allowed per second', 429);
export const dailyThreshold = () =>
  almaError(
    'DAILY_THRESHOLD',
    'Daily API Request Threshold has been reached. For details see: https://developers.exlibrisgroup.com/alma/apis#threshold',
    429,
  );

function injectedError(status: number, code?: string, message?: string): FaultError['error'] {
  if (status >= 500) {
    return almaError(
      code ?? 'INTERNAL_SERVER_ERROR',
      message ??
        'The web server encountered an unexpected condition that prevented it from fulfilling the request. If the error persists, please use this unique tracking ID when reporting it.',
      status,
    );
  }
  if (status === 429 && !code) return perSecondThreshold();
  return almaError(
    code ?? '401652',
    message ?? 'General Error: An error has occurred while processing the request.',
    status,
  );
}

export class FaultEngine {
  private faults: ParsedFaults = {};
  private rules: Array<{ rule: ParsedRule; regex: RegExp; left: number; index: number }> = [];
  private random: Random;
  private window: number[] = [];
  /** Calls left today; sent as X-Exl-Api-Remaining. */
  remaining: number;

  constructor(
    private readonly seed: number,
    private readonly dailyBudget: number,
    /** The institution's own threshold, kept across fault configurations and resets. */
    private readonly institutionPerSecond?: number,
  ) {
    this.random = seededRandom(seed);
    this.remaining = dailyBudget;
  }

  /** Replaces the whole fault configuration (validated); the daily counter is set from it or back to the budget. */
  configure(input: unknown): void {
    const faults = parseFaults(input);
    this.faults = faults;
    this.rules = (faults.rules ?? []).map((rule, index) => ({
      rule,
      regex: new RegExp(rule.path ?? ''),
      left: rule.times ?? 1,
      index,
    }));
    this.remaining = faults.dailyRemaining ?? this.dailyBudget;
    this.window = [];
  }

  reset(): void {
    this.random = seededRandom(this.seed);
    this.configure({});
  }

  /**
   * Alma's midnight: the daily counter starts again (from the budget, or from `remaining`), and every other fault
   * stays as configured, so a test can model the reset in the middle of a scenario.
   */
  resetDaily(remaining: number = this.dailyBudget): void {
    if (!Number.isInteger(remaining) || remaining < 0) {
      throw new FaultsError(`remaining must be a whole number of calls, 0 or more, not ${String(remaining)}`);
    }
    this.remaining = remaining;
  }

  /** The configuration in force, with each rule's remaining `times`. */
  current(): SimFaults {
    const { rules: _rules, dailyRemaining: _daily, ...rest } = this.faults;
    return {
      ...rest,
      dailyRemaining: this.remaining,
      rules: this.rules.filter((r) => r.left > 0).map((r) => ({ ...r.rule, times: r.left })),
    };
  }

  latencyMs(): number {
    return this.faults.latencyMs ?? 0;
  }

  /** Alma's gateway thresholds. A call let through is counted against the daily budget. */
  admit(nowMs: number): FaultError | undefined {
    if (this.remaining <= 0) return { error: dailyThreshold(), xml: false, fault: 'dailyThreshold' };
    const limit = this.faults.perSecondLimit ?? this.institutionPerSecond;
    if (limit !== undefined) {
      this.window = this.window.filter((t) => nowMs - t < 1000);
      if (this.window.length >= limit) return { error: perSecondThreshold(), xml: false, fault: 'perSecondLimit' };
    }
    if (this.roll(this.faults.rate429)) return { error: perSecondThreshold(), xml: false, fault: 'rate429' };
    this.window.push(nowMs);
    this.remaining -= 1;
    return undefined;
  }

  /** What to do with an admitted call: the first matching rule with calls left, else the random faults. */
  plan(method: string, pathWithQuery: string): Plan {
    const isWrite = method !== 'GET' && method !== 'HEAD';
    const match = this.rules.find(
      (r) =>
        r.left > 0 &&
        (!r.rule.method || r.rule.method === '*' || r.rule.method.toUpperCase() === method) &&
        r.regex.test(pathWithQuery),
    );
    if (match) {
      match.left -= 1;
      const { rule } = match;
      const fault = `rule#${match.index}:${rule.action}`;
      const answer = (): Outcome => {
        const error = injectedError(rule.status ?? 500, rule.errorCode, rule.errorMessage);
        return { kind: 'error', answer: { error, xml: error.status >= 500, fault } };
      };
      switch (rule.action) {
        case 'delay':
          return { delayMs: rule.delayMs ?? 0 };
        case 'error':
          return { delayMs: 0, before: answer() };
        case 'apply-then-error':
          return { delayMs: 0, after: answer() };
        case 'drop':
          return { delayMs: 0, before: { kind: 'drop', fault } };
        case 'apply-then-drop':
          return { delayMs: 0, after: { kind: 'drop', fault } };
      }
    }
    if (this.roll(this.faults.errorRate)) {
      return {
        delayMs: 0,
        before: { kind: 'error', answer: { error: injectedError(500), xml: true, fault: 'errorRate' } },
      };
    }
    if (isWrite && this.roll(this.faults.applyThenFailRate)) {
      const answer = { error: injectedError(500), xml: true, fault: 'applyThenFailRate' };
      return { delayMs: 0, after: { kind: 'error', answer } };
    }
    return { delayMs: 0 };
  }

  // Draws only for a configured rate, so adding one fault kind does not shift another's sequence.
  private roll(rate: number | undefined): boolean {
    return rate !== undefined && rate > 0 && this.random() < rate;
  }
}
