// Percentiles and small summaries for the benchmark report. Nearest-rank percentiles: every figure reported is
// one that was actually measured, never an interpolation between two.

export interface Summary {
  n: number;
  p50: number;
  p95: number;
  max: number;
  mean: number;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export function summarise(values: number[]): Summary | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const sum = sorted.reduce((a, b) => a + b, 0);
  return {
    n: sorted.length,
    p50: round(percentile(sorted, 50)),
    p95: round(percentile(sorted, 95)),
    max: round(sorted[sorted.length - 1]!),
    mean: round(sum / sorted.length),
  };
}

export const median = (values: number[]): number =>
  values.length
    ? percentile(
        [...values].sort((a, b) => a - b),
        50,
      )
    : Number.NaN;

/** Rounded for the report: 1 decimal below 100, whole numbers above. */
export function round(x: number, digits?: number): number {
  if (!Number.isFinite(x)) return x;
  const d = digits ?? (Math.abs(x) < 100 ? (Math.abs(x) < 1 ? 3 : 1) : 0);
  const f = 10 ** d;
  return Math.round(x * f) / f;
}

export const ratio = (a: number, b: number): number => (b > 0 && Number.isFinite(a) ? round(a / b, 3) : Number.NaN);
