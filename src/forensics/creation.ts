/**
 * Account creation batches: were a set's accounts made in bursts? For each set and each calendar day,
 * the members created that day are compared with what the population's creation dates predict:
 *
 *   k(s, d) members of set s created on day d, against lambda = n_s * p(d),
 *   p(d) = 0.9 * (population accounts created within +-15 days of d, per day) / (population dated)
 *        + 0.1 / (days in the span of all creation dates)
 *
 * The population is every account of the store in no set; its daily counts are smoothed with a
 * 31-day box so that one lucky day of the population neither hides nor fakes a batch, and a uniform
 * floor keeps days the population never touched from giving infinite significance. The tail of
 * k is the Poisson upper-tail bound of detect/stats.ts (conservative for a binomial count with
 * small p). A day is significant at family-wise level alpha when its tail is below alpha / D, D the
 * number of days tested (Bonferroni over every day of the span, whether or not a member was made
 * on it); a batch needs at least two accounts on a day. Adjacent significant days merge into one
 * batch, whose p-value is the Poisson tail of its total against its total expectation.
 *
 * Cluster level: the share of dated members that fall in batches, and the same-day pair rate (the
 * chance two members were created on the same day, sum k(k-1) / n(n-1)) against the population's
 * (sum over days of the squared daily share): their ratio is how much more concentrated the set's
 * creation dates are than chance.
 *
 * Exports of the X archive give creation dates only; when the store holds times of day, each batch
 * also reports its first and last creation time.
 */
import { logPoissonTailSql } from '../detect/stats.js';
import type { Store } from '../store/store.js';
import { SETS_TABLE } from './sets.js';

export const CREATION_DEFAULTS = {
  /** Family-wise error rate over the days tested in one set (Bonferroni). */
  alpha: 0.01,
  /** Half-width in days of the box that smooths the population's daily creation counts. */
  smoothingDays: 15,
  /** Weight of the uniform floor mixed into the population's creation-date distribution. */
  uniformWeight: 0.1,
  /** Batches listed per set (the largest; the summary counts all of them). */
  maxBatches: 20,
  /** Days listed per batch (the largest). */
  maxBatchDays: 7,
};

export type CreationOptions = Partial<typeof CREATION_DEFAULTS>;

/** One day of a batch. */
export interface CreationDay {
  /** `YYYY-MM-DD` (UTC). */
  date: string;
  /** Members created that day. */
  count: number;
  /** Members expected that day from the population's creation dates. */
  expected: number;
  /** log10 of the Poisson upper-tail bound of `count` given `expected`. */
  log10P: number;
}

/** Consecutive days on which significantly many members were created. */
export interface CreationBatch {
  /** First and last day, `YYYY-MM-DD` (UTC). */
  start: string;
  end: string;
  /** Members created in the batch, and the number expected from the population. */
  count: number;
  expected: number;
  /** log10 of the Poisson upper-tail bound of `count` given `expected` (e.g. -40 is p ~ 1e-40). */
  log10P: number;
  /** The batch's days, largest first (at most `maxBatchDays`). */
  days: CreationDay[];
  /** First and last creation time in the batch (ISO, UTC) when the store records times of day. */
  firstAt: string | null;
  lastAt: string | null;
}

export interface Creation {
  /** Members of the set; `dated` have a creation date, `undated` do not (or have no profile). */
  members: number;
  dated: number;
  undated: number;
  /** `day` when every creation date in the store is at midnight (dates only), else `time`. */
  resolution: 'day' | 'time';
  /** Earliest, median and latest member creation date (`YYYY-MM-DD`), null without dates. */
  first: string | null;
  median: string | null;
  last: string | null;
  /** Days tested (the span of all creation dates in the store) and the per-day threshold. */
  daysTested: number;
  alpha: number;
  /** Significant batches found, and dated members inside them. */
  batchCount: number;
  inBatches: number;
  /** inBatches / dated (0 without dates). */
  shareInBatches: number;
  /** Chance two members were created on the same day, and the same for two population accounts. */
  sameDayPairRate: number;
  populationSameDayPairRate: number;
  /** sameDayPairRate / populationSameDayPairRate: 1 is like the population, 100 is very bunched. */
  concentration: number;
  /** The largest batches, in date order (at most `maxBatches`). */
  batches: CreationBatch[];
  /** Accounts of the population with a creation date (the baseline's size). */
  populationDated: number;
}

const day = (d: unknown) => (d instanceof Date ? d.toISOString().slice(0, 10) : d == null ? null : String(d));
const iso = (d: unknown) => (d instanceof Date ? d.toISOString().replace('.000Z', 'Z') : null);
const log10 = (ln: number) => ln / Math.LN10;
const round = (x: number, digits = 4) => Number(x.toPrecision(digits));

/** Creation-batch fingerprint of every set in `fp_sets`, keyed by set id. */
export async function creationFingerprints(
  store: Store,
  options: CreationOptions = {},
): Promise<Map<string, Creation>> {
  const o = { ...CREATION_DEFAULTS, ...options };
  const S = SETS_TABLE;
  // Members (once per set) with their creation time; the population's daily counts.
  await store.run(`CREATE OR REPLACE TEMP TABLE fp_cr_members AS
    SELECT s.set_id, s.platform, s.account_id, any_value(a.created_at) AS created_at
    FROM ${S} s LEFT JOIN accounts a ON a.platform = s.platform AND a.account_id = s.account_id
    GROUP BY ALL`);
  await store.run(`CREATE OR REPLACE TEMP TABLE fp_cr_pop AS
    SELECT created_at::DATE AS d, count(*)::DOUBLE AS c
    FROM accounts a
    WHERE created_at IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM ${S} s WHERE s.platform = a.platform AND s.account_id = a.account_id)
    GROUP BY ALL`);
  const [span] = await store.all<{
    lo: Date | null;
    hi: Date | null;
    timed: boolean | null;
    pop: number;
    pop_pairs: number | null;
  }>(`SELECT min(created_at)::DATE AS lo, max(created_at)::DATE AS hi,
        bool_or(created_at <> date_trunc('day', created_at)) AS timed,
        (SELECT coalesce(sum(c), 0) FROM fp_cr_pop)::DOUBLE AS pop,
        (SELECT sum(c * c) / (sum(c) * sum(c)) FROM fp_cr_pop) AS pop_pairs
      FROM accounts WHERE created_at IS NOT NULL`);
  const days = span?.lo && span.hi ? Math.round((+span.hi - +span.lo) / 86_400_000) + 1 : 0;
  const pop = span?.pop ?? 0;
  // p(d) over the dense calendar of the span: the smoothed population share plus the uniform floor
  // (all uniform when the population has no dates).
  const w = pop > 0 ? 1 - o.uniformWeight : 0;
  await store.run(
    `CREATE OR REPLACE TEMP TABLE fp_cr_p AS
    WITH cal AS (
      SELECT g::DATE AS d, coalesce(p.c, 0) AS c
      FROM generate_series(?::DATE, ?::DATE, INTERVAL 1 DAY) t(g) LEFT JOIN fp_cr_pop p ON p.d = g::DATE),
    sm AS (
      SELECT d, avg(c) OVER (ORDER BY d ROWS BETWEEN ${o.smoothingDays} PRECEDING AND ${o.smoothingDays} FOLLOWING) AS m
      FROM cal)
    SELECT d, ${w} * m / nullif(sum(m) OVER (), 0) + ${1 - w} / ${Math.max(1, days)} AS p FROM sm`,
    [day(span?.lo ?? new Date(0))!, day(span?.hi ?? new Date(0))!],
  );
  const threshold = Math.log(o.alpha / Math.max(1, days));
  // Per set and day: count, expectation, tail; significant days grouped into runs of adjacent days.
  await store.run(`CREATE OR REPLACE TEMP TABLE fp_cr_days AS
    WITH n AS (SELECT set_id, count(created_at)::DOUBLE AS n FROM fp_cr_members GROUP BY ALL),
    k AS (
      SELECT set_id, created_at::DATE AS d, count(*)::DOUBLE AS k,
             min(created_at) AS first_at, max(created_at) AS last_at
      FROM fp_cr_members WHERE created_at IS NOT NULL GROUP BY ALL HAVING count(*) >= 2),
    t AS (
      SELECT k.*, n.n * p.p AS lam, ${logPoissonTailSql('k.k', 'n.n * p.p')} AS lnp
      FROM k JOIN n USING (set_id) JOIN fp_cr_p p USING (d))
    SELECT *, d - (row_number() OVER (PARTITION BY set_id ORDER BY d))::INTEGER AS run
    FROM t WHERE lnp < ${threshold}`);
  const summary = await store.all<{
    set_id: string;
    members: number;
    dated: number;
    first: Date | null;
    median: Date | null;
    last: Date | null;
    pairs: number | null;
  }>(`WITH per_day AS (
        SELECT set_id, created_at::DATE AS d, count(*)::DOUBLE AS k FROM fp_cr_members
        WHERE created_at IS NOT NULL GROUP BY ALL),
      pairs AS (
        SELECT set_id, sum(k * (k - 1)) AS kk FROM per_day GROUP BY ALL)
      SELECT m.set_id, count(*) AS members, count(created_at) AS dated,
             min(created_at)::DATE AS first, quantile_disc(created_at, 0.5)::DATE AS median,
             max(created_at)::DATE AS last,
             any_value(pairs.kk) / nullif(count(created_at)::DOUBLE * (count(created_at) - 1), 0) AS pairs
      FROM fp_cr_members m LEFT JOIN pairs USING (set_id) GROUP BY m.set_id`);
  const batches = await store.all<{
    set_id: string;
    start: Date;
    end: Date;
    count: number;
    expected: number;
    lnp: number;
    first_at: Date;
    last_at: Date;
    days: { d: Date; k: number; lam: number; lnp: number }[];
  }>(`SELECT set_id, min(d) AS start, max(d) AS "end", sum(k) AS count, sum(lam) AS expected,
        ${logPoissonTailSql('sum(k)', 'sum(lam)')} AS lnp, min(first_at) AS first_at, max(last_at) AS last_at,
        list({'d': d, 'k': k, 'lam': lam, 'lnp': lnp} ORDER BY k DESC, d) AS days
      FROM fp_cr_days GROUP BY set_id, run ORDER BY set_id, start`);
  await store.run('DROP TABLE IF EXISTS fp_cr_members; DROP TABLE IF EXISTS fp_cr_pop');
  await store.run('DROP TABLE IF EXISTS fp_cr_p; DROP TABLE IF EXISTS fp_cr_days');

  const bySet = new Map<string, typeof batches>();
  for (const b of batches) bySet.set(b.set_id, [...(bySet.get(b.set_id) ?? []), b]);
  const popPairs = span?.pop_pairs ?? 0;
  const out = new Map<string, Creation>();
  for (const s of summary) {
    const found = bySet.get(s.set_id) ?? [];
    const inBatches = found.reduce((a, b) => a + b.count, 0);
    const listed = [...found]
      .sort((a, b) => b.count - a.count || +a.start - +b.start)
      .slice(0, o.maxBatches)
      .sort((a, b) => +a.start - +b.start);
    const pairs = s.pairs ?? 0;
    out.set(s.set_id, {
      members: s.members,
      dated: s.dated,
      undated: s.members - s.dated,
      resolution: span?.timed ? 'time' : 'day',
      first: day(s.first),
      median: day(s.median),
      last: day(s.last),
      daysTested: days,
      alpha: o.alpha,
      batchCount: found.length,
      inBatches,
      shareInBatches: s.dated ? round(inBatches / s.dated) : 0,
      sameDayPairRate: round(pairs),
      populationSameDayPairRate: round(popPairs),
      concentration: popPairs > 0 ? round(pairs / popPairs) : 0,
      batches: listed.map((b) => ({
        start: day(b.start)!,
        end: day(b.end)!,
        count: b.count,
        expected: round(b.expected),
        log10P: round(log10(b.lnp)),
        days: b.days.slice(0, o.maxBatchDays).map((x) => ({
          date: day(x.d)!,
          count: x.k,
          expected: round(x.lam),
          log10P: round(log10(x.lnp)),
        })),
        firstAt: span?.timed ? iso(b.first_at) : null,
        lastAt: span?.timed ? iso(b.last_at) : null,
      })),
      populationDated: pop,
    });
  }
  return out;
}
