/** Small numerical helpers for the tests of significance. */

const LANCZOS = [
  676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
  -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Gamma(x) for x > 0 (Lanczos approximation, g = 7, n = 9; relative error below 1e-13). */
export function lgamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lgamma(1 - x);
  const z = x - 1;
  let a = 0.99999999999980993;
  const t = z + 7.5;
  for (let i = 0; i < 8; i++) a += LANCZOS[i]! / (z + i + 1);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/**
 * Natural log of an upper bound of P(X >= k) for X ~ Poisson(lambda):
 *   e^-lambda lambda^k / k! * 1 / (1 - lambda / (k + 1))  when lambda < k + 1, else 0 (p taken as 1).
 * The series of the tail after its first term is bounded by a geometric one (ratio lambda / (k + 1)).
 * The same formula runs in SQL in significance.ts.
 */
export function logPoissonTailBound(k: number, lambda: number): number {
  if (k <= 0) return 0;
  if (lambda <= 0) return Number.NEGATIVE_INFINITY;
  if (lambda >= k + 1) return 0;
  return Math.min(0, -lambda + k * Math.log(lambda) - lgamma(k + 1) - Math.log(1 - lambda / (k + 1)));
}

/** The same bound as SQL over two numeric expressions (DuckDB). */
export function logPoissonTailSql(k: string, lambda: string): string {
  return `CASE WHEN ${k} <= 0 THEN 0 WHEN ${lambda} <= 0 THEN -1e308 WHEN ${lambda} >= ${k} + 1 THEN 0
    ELSE least(0, -(${lambda}) + (${k}) * ln(${lambda}) - lgamma((${k}) + 1) - ln(1 - (${lambda}) / ((${k}) + 1))) END`;
}

/** log10 of the binomial coefficient C(n, k). */
export function log10Binomial(n: number, k: number): number {
  if (k < 0 || k > n) return Number.NEGATIVE_INFINITY;
  return (lgamma(n + 1) - lgamma(k + 1) - lgamma(n - k + 1)) / Math.LN10;
}

/**
 * SQL: the sum of a DOUBLE expression, the same on every run. DuckDB adds a group's values in
 * parallel, in an order that varies, and floating-point addition is not associative: a plain `sum`
 * (and even a compensated one, `fsum`, measured) could differ in its last digits between two runs
 * and flip a pair at the BH threshold. The values are summed in sorted order instead, which fixes
 * every bit. The groups summed here are small (a pair's strata and signals, a community's members):
 * this costs about what a plain sum does (exact 128-bit fixed point was 2.7x slower).
 */
export function stableSum(expr: string): string {
  return `list_sum(list_sort(list(${expr})))`;
}
