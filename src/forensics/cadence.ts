/**
 * Posting cadence: do the members post like people or like schedulers? Per account, the intervals
 * between its consecutive posts (posts.created_at; at minute resolution an interval is a whole
 * number of minutes, and 0 means two posts in the same minute):
 *
 * - burstiness B = (sigma - mu) / (sigma + mu) of the intervals (Goh & Barabasi 2008, EPL 81 48002):
 *   -1 perfectly regular, 0 a Poisson process, towards +1 bursty (human activity is bursty, B ~ 0.2-0.7);
 * - the coefficient of variation cv = sigma / mu;
 * - the modal interval (among intervals of at least one time unit) and the share of intervals within
 *   +-max(one unit, 5%) of it: a scheduler that posts every 10 minutes puts nearly all its intervals
 *   there, a person rarely half of them;
 * - at second resolution, the share of posts on the account's commonest second of the minute (cron
 *   jobs fire at :00; people spread over all 60 seconds).
 *
 * An account with at least `minPosts` posts is judged scripted when one of these rules holds:
 *   periodic:   modal share >= 0.5 and modal interval >= 5 minutes;
 *   metronomic: cv <= 0.2 (B <= -0.67) with a mean interval of at least a minute;
 *   clockwork:  (second resolution only) >= 80% of posts on one second of the minute.
 * People's intervals are heavy-tailed (cv > 1), so none of these is reached by chance with ten or
 * more posts; what a rule does not tell apart is a person who schedules posts (TweetDeck, Buffer):
 * read the client mix beside it. Accounts with fewer posts are counted as too few, not judged.
 *
 * Per set: the members' median B and quartiles, a 10-bin histogram of B, the share of judged members
 * flagged (with a Poisson tail against the population's share), and the most regular of them. The
 * population's figures come from a deterministic hash sample of the accounts in no set.
 */
import { logPoissonTailSql } from '../detect/stats.js';
import type { Store } from '../store/store.js';
import { populationSize, SETS_TABLE } from './sets.js';

export const CADENCE_DEFAULTS = {
  /** Fewest posts (intervals + 1) for an account to be judged. */
  minPosts: 10,
  /** Population accounts sampled (by a hash of their id) for the population's figures. */
  populationSample: 20_000,
  /** Periodic rule: share of intervals at the modal interval, and the shortest period (seconds). */
  periodicShare: 0.5,
  minPeriodSeconds: 300,
  /** Relative tolerance around the modal interval (at least one time unit). */
  periodTolerance: 0.05,
  /** Metronomic rule: highest coefficient of variation. */
  maxCv: 0.2,
  /** Clockwork rule: share of posts on one second of the minute. */
  clockworkShare: 0.8,
  /** Scripted members listed per set. */
  examples: 5,
};

export type CadenceOptions = Partial<typeof CADENCE_DEFAULTS>;

/** Why an account was judged scripted. */
export type ScriptedRule = 'periodic' | 'metronomic' | 'clockwork';

export interface CadenceAccount {
  accountId: string;
  handle: string | null;
  posts: number;
  /** Mean and modal interval in seconds, and the share of intervals at the modal one. */
  meanInterval: number;
  modalInterval: number | null;
  modalShare: number;
  cv: number;
  burstiness: number;
  /** Share of posts on the commonest second of the minute (null at minute resolution). */
  secondShare: number | null;
  rules: ScriptedRule[];
}

/** Distribution of the judged accounts of a set (or of the population sample). */
export interface CadenceSummary {
  /** Accounts with at least `minPosts` posts. */
  judged: number;
  /** Median and quartiles of burstiness B (null when none judged). */
  medianBurstiness: number | null;
  burstinessQ1: number | null;
  burstinessQ3: number | null;
  medianCv: number | null;
  /** Judged accounts per tenth of B from -1 to 1 (10 bins). */
  burstinessHistogram: number[];
  /** Judged accounts flagged scripted, and their share of the judged. */
  scripted: number;
  scriptedShare: number;
  /** Flagged accounts per rule (an account can meet several). */
  byRule: Record<ScriptedRule, number>;
  /** Share of all intervals that are zero (two posts at the same recorded time). */
  zeroIntervalShare: number;
}

export interface Cadence extends CadenceSummary {
  members: number;
  /** Members with no post, and with some but fewer than `minPosts` (not judged). */
  noPosts: number;
  tooFewPosts: number;
  /** `minute` when every post time read is on a whole minute, else `second`. */
  resolution: 'second' | 'minute';
  /** log10 of the Poisson upper-tail bound of `scripted` given judged x the population's share. */
  scriptedLog10P: number;
  /** The most regular flagged members (at most `examples`). */
  examples: CadenceAccount[];
  population: CadenceSummary;
}

const round = (x: number | null, digits = 4) => (x == null ? null : Number(x.toPrecision(digits)));
const RULES: ScriptedRule[] = ['periodic', 'metronomic', 'clockwork'];

/** Posting-cadence fingerprint of every set in `fp_sets`, keyed by set id. */
export async function cadenceFingerprints(
  store: Store,
  options: CadenceOptions = {},
): Promise<Map<string, Cadence>> {
  const o = { ...CADENCE_DEFAULTS, ...options };
  const S = SETS_TABLE;
  const keep = Math.min(1, o.populationSample / Math.max(1, await populationSize(store)));
  await store.run(`CREATE OR REPLACE TEMP TABLE fp_cad_who AS
    SELECT DISTINCT set_id, platform, account_id FROM ${S}
    UNION ALL
    SELECT NULL, platform, account_id FROM accounts a
    WHERE hash(platform, account_id) < ${keep} * 18446744073709551615::UBIGINT
      AND NOT EXISTS (SELECT 1 FROM ${S} s WHERE s.platform = a.platform AND s.account_id = a.account_id)`);
  // Each account's posts in time order (milliseconds), once for all the sets it belongs to.
  await store.run(`CREATE OR REPLACE TEMP TABLE fp_cad_posts AS
    SELECT p.platform, p.account_id, epoch_ms(p.created_at) AS ms
    FROM posts p SEMI JOIN (SELECT DISTINCT platform, account_id FROM fp_cad_who) w
      ON w.platform = p.platform AND w.account_id = p.account_id`);
  const minute = Boolean(
    await store.value(`SELECT coalesce(bool_and(ms % 60000 = 0), true) FROM fp_cad_posts`),
  );
  const unit = minute ? 60 : 1;
  await store.run(`CREATE OR REPLACE TEMP TABLE fp_cad_acc AS
    WITH iv AS (
      SELECT platform, account_id, ms,
             (ms - lag(ms) OVER (PARTITION BY platform, account_id ORDER BY ms)) / 1000.0 AS dt
      FROM fp_cad_posts),
    base AS (
      SELECT platform, account_id, count(*) AS posts, count(dt) AS n, avg(dt) AS mu, stddev_pop(dt) AS sd,
             count(*) FILTER (WHERE dt = 0) AS zeros
      FROM iv GROUP BY ALL),
    modal AS (
      SELECT platform, account_id, arg_max(dt, c ORDER BY dt) AS mode
      FROM (SELECT platform, account_id, dt, count(*) AS c FROM iv WHERE dt >= ${unit} GROUP BY ALL)
      GROUP BY ALL),
    near AS (
      SELECT iv.platform, iv.account_id, count(*) AS at_mode
      FROM iv JOIN modal USING (platform, account_id)
      WHERE abs(iv.dt - modal.mode) <= greatest(${unit}, ${o.periodTolerance} * modal.mode)
      GROUP BY ALL),
    sec AS (
      SELECT platform, account_id, max(c) AS top
      FROM (SELECT platform, account_id, (ms // 1000) % 60 AS s, count(*) AS c FROM fp_cad_posts GROUP BY ALL)
      GROUP BY ALL)
    SELECT b.*, m.mode, coalesce(nr.at_mode, 0) / nullif(b.n, 0)::DOUBLE AS modal_share,
           b.sd / nullif(b.mu, 0) AS cv, (b.sd - b.mu) / nullif(b.sd + b.mu, 0) AS burst,
           ${minute ? 'NULL::DOUBLE' : 'sec.top / b.posts::DOUBLE'} AS second_share,
           b.posts >= ${o.minPosts} AND coalesce(nr.at_mode, 0) >= ${o.periodicShare} * b.n
             AND m.mode >= ${o.minPeriodSeconds} AS periodic,
           b.posts >= ${o.minPosts} AND b.mu >= 60 AND b.sd / b.mu <= ${o.maxCv} AS metronomic,
           ${minute ? 'false' : `b.posts >= ${o.minPosts} AND sec.top >= ${o.clockworkShare} * b.posts`} AS clockwork
    FROM base b LEFT JOIN modal m USING (platform, account_id) LEFT JOIN near nr USING (platform, account_id)
      LEFT JOIN sec USING (platform, account_id)`);
  const summarySql = (groupKey: string) => `
    SELECT ${groupKey} AS set_id, count(*) AS members,
      count(*) FILTER (WHERE coalesce(a.posts, 0) = 0) AS no_posts,
      count(*) FILTER (WHERE a.posts > 0 AND a.posts < ${o.minPosts}) AS too_few,
      count(*) FILTER (WHERE a.posts >= ${o.minPosts}) AS judged,
      quantile_cont(a.burst, [0.25, 0.5, 0.75]) FILTER (WHERE a.posts >= ${o.minPosts}) AS bq,
      median(a.cv) FILTER (WHERE a.posts >= ${o.minPosts}) AS cv,
      list(least(9, floor((a.burst + 1) * 5))::INTEGER) FILTER (WHERE a.posts >= ${o.minPosts} AND a.burst IS NOT NULL) AS bins,
      count(*) FILTER (WHERE a.periodic OR a.metronomic OR a.clockwork) AS scripted,
      count(*) FILTER (WHERE a.periodic) AS periodic, count(*) FILTER (WHERE a.metronomic) AS metronomic,
      count(*) FILTER (WHERE a.clockwork) AS clockwork,
      sum(a.zeros) / nullif(sum(a.n), 0)::DOUBLE AS zero_share
    FROM fp_cad_who w LEFT JOIN fp_cad_acc a USING (platform, account_id)`;
  interface SummaryRow {
    set_id: string | null;
    members: number;
    no_posts: number;
    too_few: number;
    judged: number;
    bq: number[] | null;
    cv: number | null;
    bins: number[] | null;
    scripted: number;
    periodic: number;
    metronomic: number;
    clockwork: number;
    zero_share: number | null;
  }
  const [popRow] = await store.all<SummaryRow>(`${summarySql('NULL')} WHERE w.set_id IS NULL`);
  const rows = await store.all<SummaryRow & { lnp: number }>(
    `WITH s AS (${summarySql('w.set_id')} WHERE w.set_id IS NOT NULL GROUP BY w.set_id)
     SELECT *, ${logPoissonTailSql('scripted::DOUBLE', `judged * ${popRow?.judged ? (popRow.scripted + 0.5) / (popRow.judged + 1) : 0.5}`)} AS lnp FROM s`,
  );
  const examples = await store.all<{
    set_id: string;
    account_id: string;
    handle: string | null;
    posts: number;
    mu: number;
    mode: number | null;
    modal_share: number;
    cv: number;
    burst: number;
    second_share: number | null;
    periodic: boolean;
    metronomic: boolean;
    clockwork: boolean;
  }>(`SELECT w.set_id, w.account_id, ac.handle, a.posts, a.mu, a.mode, a.modal_share, a.cv, a.burst, a.second_share,
        a.periodic, a.metronomic, a.clockwork
      FROM fp_cad_who w JOIN fp_cad_acc a USING (platform, account_id)
      LEFT JOIN accounts ac ON ac.platform = w.platform AND ac.account_id = w.account_id
      WHERE w.set_id IS NOT NULL AND (a.periodic OR a.metronomic OR a.clockwork)
      QUALIFY row_number() OVER (PARTITION BY w.set_id ORDER BY a.burst, a.posts DESC, w.account_id) <= ${o.examples}
      ORDER BY w.set_id, a.burst, a.posts DESC`);
  await store.run('DROP TABLE IF EXISTS fp_cad_who; DROP TABLE IF EXISTS fp_cad_posts');
  await store.run('DROP TABLE IF EXISTS fp_cad_acc');

  const summary = (r: SummaryRow | undefined): CadenceSummary => {
    const histogram = new Array<number>(10).fill(0);
    for (const b of r?.bins ?? []) histogram[b] = (histogram[b] ?? 0) + 1;
    const judged = r?.judged ?? 0;
    return {
      judged,
      medianBurstiness: round(r?.bq?.[1] ?? null),
      burstinessQ1: round(r?.bq?.[0] ?? null),
      burstinessQ3: round(r?.bq?.[2] ?? null),
      medianCv: round(r?.cv ?? null),
      burstinessHistogram: histogram,
      scripted: r?.scripted ?? 0,
      scriptedShare: judged ? round((r?.scripted ?? 0) / judged)! : 0,
      byRule: { periodic: r?.periodic ?? 0, metronomic: r?.metronomic ?? 0, clockwork: r?.clockwork ?? 0 },
      zeroIntervalShare: round(r?.zero_share ?? 0)!,
    };
  };
  const popSummary = summary(popRow);
  const bySet = new Map<string, CadenceAccount[]>();
  for (const e of examples) {
    const list = bySet.get(e.set_id) ?? [];
    list.push({
      accountId: e.account_id,
      handle: e.handle,
      posts: e.posts,
      meanInterval: round(e.mu)!,
      modalInterval: e.mode,
      modalShare: round(e.modal_share)!,
      cv: round(e.cv)!,
      burstiness: round(e.burst)!,
      secondShare: round(e.second_share),
      rules: RULES.filter((rule) => e[rule]),
    });
    bySet.set(e.set_id, list);
  }
  const out = new Map<string, Cadence>();
  for (const r of rows) {
    out.set(r.set_id!, {
      members: r.members,
      noPosts: r.no_posts,
      tooFewPosts: r.too_few,
      resolution: minute ? 'minute' : 'second',
      ...summary(r),
      scriptedLog10P: round(r.lnp / Math.LN10)!,
      examples: bySet.get(r.set_id!) ?? [],
      population: popSummary,
    });
  }
  return out;
}
