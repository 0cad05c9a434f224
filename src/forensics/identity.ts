/**
 * Identity templates: what the members' profiles have in common beyond chance. Operations make
 * accounts from templates (a name and four digits, the same bio with a different town); platforms'
 * handle suggestions make organic users alike too, so every share is read against the population.
 *
 * - Handle shapes: a handle generalised into runs (`Aa` a capitalised word, `a` a lower-case run,
 *   `A` an upper-case run, `L` letters without case, `dN` N digits, separators kept), e.g.
 *   `DonnaMartin8301` -> `Aa Aa d4`. Each of a set's commonest shapes is tested against its
 *   population share q (Poisson upper tail of k members among n with mean n q, Bonferroni over the
 *   set's distinct shapes); `enrichment` is (k / n) / q.
 * - Name + digits: a handle that is letters from the display name followed by two or more digits
 *   (the platforms' default suggestion, and the commonest template of takedown sets), tested the same way.
 * - Bios and display names, normalised (lower case, accents stripped, anything but letters
 *   dropped): the rate of member pairs with the same text against the population's collision rate
 *   (the chance two population accounts share it), the largest groups; and for bios the rate of
 *   near-duplicate pairs (word-set Jaccard >= 0.5) among a sample of members, against the same
 *   rate in a population sample.
 * - Profile URLs given by more than one member (scheme, `www.` and trailing `/` ignored).
 * - Client mix: each account's main client (the app most of its posts came from), shares in the
 *   set and the population, and their Jensen-Shannon divergence (bits, 0 = same mix, 1 = disjoint).
 * - Profile changes from `account_versions`: members seen with more than one handle or display name.
 *
 * Population figures come from a deterministic hash sample of the accounts in no set (all of them
 * up to `populationSample`), so the cost does not grow with the store beyond one scan.
 */
import { logPoissonTailSql } from '../detect/stats.js';
import type { Store } from '../store/store.js';
import { populationSize, SETS_TABLE } from './sets.js';

export const IDENTITY_DEFAULTS = {
  /** Population accounts sampled (by a hash of their id) for the population's shares. */
  populationSample: 20_000,
  /** Family-wise error rate over the handle shapes tested in one set (Bonferroni). */
  alpha: 0.01,
  /** Handle shapes, duplicate groups, URLs and clients listed per set. */
  top: 5,
  /** Members per set (and population accounts) whose bios are compared pairwise. */
  bioSample: 200,
  populationBioSample: 1000,
  /** Word-set Jaccard at which two bios are near-duplicates. */
  bioJaccard: 0.5,
  /** Accounts with changed handles listed per set. */
  examples: 3,
};

export type IdentityOptions = Partial<typeof IDENTITY_DEFAULTS>;

/** A handle shape and how much commoner it is in the set than in the population. */
export interface HandleTemplate {
  /** The shape, e.g. `Aa Aa d4` (see the header for the symbols). */
  template: string;
  /** An example handle of the set with this shape. */
  example: string;
  /** Members with the shape, their share of members with a handle, and the population's share. */
  count: number;
  share: number;
  populationShare: number;
  /** share / populationShare (the population share is smoothed: (c + 0.5) / (N + 1)). */
  enrichment: number;
  /** log10 of the Poisson upper-tail bound of `count` given n * populationShare. */
  log10P: number;
  /** Significant after Bonferroni over the set's distinct shapes. */
  significant: boolean;
}

/** Members sharing one normalised text. */
export interface TextGroup {
  /** One member's text as written. */
  text: string;
  count: number;
}

export interface TextSimilarity {
  /** Members with a non-empty text. */
  withText: number;
  /** Share of member pairs with the same normalised text, and the population's collision rate. */
  samePairRate: number;
  populationSamePairRate: number;
  /** Members whose normalised text another member has too. */
  duplicated: number;
  /** The largest groups of members with the same normalised text (at least 2 each). */
  groups: TextGroup[];
}

export interface BioSimilarity extends TextSimilarity {
  /** Members compared pairwise (a hash sample of at most `bioSample`). */
  sampled: number;
  /** Share of sampled member pairs that are near-duplicates, and the same in a population sample. */
  nearPairRate: number;
  populationNearPairRate: number;
  /** Sampled bios with the most near-duplicates among the sample, with how many. */
  nearExamples: { text: string; near: number }[];
}

export interface SharedUrl {
  /** Normalised URL (no scheme, no `www.`, no trailing `/`). */
  url: string;
  /** Members and population accounts (whole store) that give it. */
  members: number;
  population: number;
}

export interface ClientShare {
  client: string;
  /** Share of members (with posts) whose main client this is, and the same in the population. */
  share: number;
  populationShare: number;
}

export interface ProfileChanges {
  /** Members seen with more than one handle / display name in `account_versions`. */
  handleChanged: number;
  nameChanged: number;
  /** The same shares in the population. */
  populationHandleChangedShare: number;
  populationNameChangedShare: number;
  /** A few members with several handles, oldest first. */
  examples: { accountId: string; handles: string[] }[];
}

export interface Identity {
  members: number;
  /** Members with a handle; the shapes' shares are of these. */
  withHandle: number;
  templates: HandleTemplate[];
  /** Handles that are the display name's letters followed by two or more digits. */
  nameDigits: {
    count: number;
    share: number;
    populationShare: number;
    enrichment: number;
    log10P: number;
  };
  bios: BioSimilarity;
  displayNames: TextSimilarity;
  /** Members giving a URL that another member gives too, and the largest such URLs. */
  sharedUrlMembers: number;
  sharedUrls: SharedUrl[];
  /** Members with posts (the client shares are of these). */
  withPosts: number;
  clients: ClientShare[];
  /** Jensen-Shannon divergence (base 2) between the set's main-client mix and the population's. */
  clientDivergence: number;
  changes: ProfileChanges;
  /** Population accounts sampled for the population's figures. */
  populationSampled: number;
}

/** SQL: a handle's compact shape (`^` capitalised word, `~` lower run, `!` upper run, `*` other letters, `#` digit). */
const shapeSql = (h: string) =>
  `regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(${h},
    '\\p{N}', '#', 'g'), '\\p{Lu}\\p{Ll}+', '^', 'g'), '\\p{Ll}+', '~', 'g'), '\\p{Lu}+', '!', 'g'), '\\p{L}+', '*', 'g')`;

/** The compact shape as shown: `^^####` -> `Aa Aa d4`. */
export function renderShape(compact: string): string {
  const names: Record<string, string> = { '^': 'Aa', '~': 'a', '!': 'A', '*': 'L' };
  return (compact.match(/#+|./gu) ?? [])
    .map((t) => (t[0] === '#' ? `d${t.length}` : (names[t] ?? t)))
    .join(' ');
}

/** SQL: text normalised for duplicate matching (lower case, no accents, letters only, single spaces). */
const normSql = (x: string) =>
  `nullif(trim(regexp_replace(strip_accents(lower(${x})), '[^\\p{L}]+', ' ', 'g')), '')`;

const round = (x: number, digits = 4) => Number(x.toPrecision(digits));
const log10 = (ln: number) => round(ln / Math.LN10);

/** Identity-template fingerprint of every set in `fp_sets`, keyed by set id. */
export async function identityFingerprints(
  store: Store,
  options: IdentityOptions = {},
): Promise<Map<string, Identity>> {
  const o = { ...IDENTITY_DEFAULTS, ...options };
  const S = SETS_TABLE;
  const keep = Math.min(1, o.populationSample / Math.max(1, await populationSize(store)));
  // Members (set_id) and the population sample (set_id NULL), with their profile features.
  await store.run(`CREATE OR REPLACE TEMP TABLE fp_id_acc AS
    WITH m AS (SELECT DISTINCT set_id, platform, account_id FROM ${S}),
    pop AS (
      SELECT NULL::VARCHAR AS set_id, platform, account_id FROM accounts a
      WHERE hash(platform, account_id) < ${keep} * 18446744073709551615::UBIGINT
        AND NOT EXISTS (SELECT 1 FROM ${S} s WHERE s.platform = a.platform AND s.account_id = a.account_id)),
    u AS (SELECT * FROM m UNION ALL SELECT * FROM pop)
    SELECT u.set_id, u.platform, u.account_id, a.handle, a.display_name, a.bio,
      ${shapeSql('a.handle')} AS shape,
      regexp_matches(a.handle, '^[\\p{L}_.]+\\p{N}{2,}$')
        AND length(regexp_replace(a.handle, '[^\\p{L}]', '', 'g')) >= 3
        AND contains(regexp_replace(strip_accents(lower(coalesce(a.display_name, ''))), '[^\\p{L}]', '', 'g'),
                     regexp_replace(strip_accents(lower(a.handle)), '[^\\p{L}]', '', 'g')) AS name_digits,
      ${normSql('a.bio')} AS bio_norm, ${normSql('a.display_name')} AS name_norm,
      nullif(regexp_replace(regexp_replace(lower(trim(a.url)), '^[a-z]+://(www\\.)?', ''), '/+$', ''), '') AS url_norm
    FROM u LEFT JOIN accounts a ON a.platform = u.platform AND a.account_id = u.account_id`);
  const popSampled = Number((await store.value(`SELECT count(*) FROM fp_id_acc WHERE set_id IS NULL`)) ?? 0);

  const base = await store.all<{
    set_id: string;
    members: number;
    with_handle: number;
    shapes: number;
    nd: number;
    nd_q: number;
    nd_lnp: number;
  }>(`WITH pq AS (
        SELECT (count(*) FILTER (WHERE name_digits) + 0.5) / (count(handle) + 1) AS q
        FROM fp_id_acc WHERE set_id IS NULL)
      SELECT set_id, count(*) AS members, count(handle) AS with_handle, count(DISTINCT shape) AS shapes,
        count(*) FILTER (WHERE name_digits) AS nd, any_value(pq.q) AS nd_q,
        ${poissonTail('count(*) FILTER (WHERE name_digits)', 'count(handle) * any_value(pq.q)')} AS nd_lnp
      FROM fp_id_acc, pq WHERE set_id IS NOT NULL GROUP BY set_id`);

  const shapes = await store.all<{
    set_id: string;
    shape: string;
    example: string;
    k: number;
    n: number;
    q: number;
    lnp: number;
    m: number;
  }>(`WITH pop AS (SELECT shape, count(*) AS c FROM fp_id_acc WHERE set_id IS NULL AND shape IS NOT NULL GROUP BY ALL),
      np AS (SELECT count(shape) AS n FROM fp_id_acc WHERE set_id IS NULL),
      n AS (SELECT set_id, count(shape) AS n, count(DISTINCT shape) AS m FROM fp_id_acc WHERE set_id IS NOT NULL GROUP BY ALL),
      k AS (SELECT set_id, shape, count(*) AS k, min(handle) AS example FROM fp_id_acc
            WHERE set_id IS NOT NULL AND shape IS NOT NULL GROUP BY set_id, shape
            QUALIFY row_number() OVER (PARTITION BY set_id ORDER BY count(*) DESC, shape) <= ${o.top})
      SELECT k.*, n.n, n.m, (coalesce(pop.c, 0) + 0.5) / (np.n + 1) AS q,
        ${poissonTail('k.k', 'n.n * (coalesce(pop.c, 0) + 0.5) / (np.n + 1)')} AS lnp
      FROM k JOIN n USING (set_id) CROSS JOIN np LEFT JOIN pop USING (shape)
      ORDER BY set_id, k DESC, shape`);

  const texts = await textSimilarity(store, 'bio_norm', 'bio', o.top);
  const names = await textSimilarity(store, 'name_norm', 'display_name', o.top);
  const near = await nearBios(store, o);

  const urls = await store.all<{ set_id: string; url: string; members: number; population: number }>(
    `WITH k AS (SELECT set_id, url_norm, count(*) AS members FROM fp_id_acc
                WHERE set_id IS NOT NULL AND url_norm IS NOT NULL GROUP BY ALL HAVING count(*) > 1),
      p AS (SELECT ${`nullif(regexp_replace(regexp_replace(lower(trim(a.url)), '^[a-z]+://(www\\.)?', ''), '/+$', ''), '')`} AS url_norm,
                   count(*) AS population
            FROM accounts a
            WHERE a.url IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM ${S} s WHERE s.platform = a.platform AND s.account_id = a.account_id)
            GROUP BY ALL)
      SELECT set_id, url_norm AS url, members, coalesce(p.population, 0) AS population
      FROM k LEFT JOIN p USING (url_norm) ORDER BY set_id, members DESC, url`,
  );

  const clients = await clientMix(store);
  const changes = await profileChanges(store, o.examples);

  const group = <T extends { set_id: string }>(rows: T[]) => {
    const m = new Map<string, T[]>();
    for (const r of rows) m.set(r.set_id, [...(m.get(r.set_id) ?? []), r]);
    return m;
  };
  const shapesBy = group(shapes);
  const urlsBy = group(urls);
  const out = new Map<string, Identity>();
  for (const b of base) {
    const threshold = Math.log(o.alpha / Math.max(1, b.shapes));
    const setUrls = urlsBy.get(b.set_id) ?? [];
    const c = clients.get(b.set_id);
    const ndShare = b.with_handle ? b.nd / b.with_handle : 0;
    out.set(b.set_id, {
      members: b.members,
      withHandle: b.with_handle,
      templates: (shapesBy.get(b.set_id) ?? []).map((s) => ({
        template: renderShape(s.shape),
        example: s.example,
        count: s.k,
        share: round(s.k / s.n),
        populationShare: round(s.q),
        enrichment: round(s.k / s.n / s.q),
        log10P: log10(s.lnp),
        significant: s.lnp < threshold,
      })),
      nameDigits: {
        count: b.nd,
        share: round(ndShare),
        populationShare: round(b.nd_q),
        enrichment: round(ndShare / b.nd_q),
        log10P: log10(b.nd_lnp),
      },
      bios: { ...texts.get(b.set_id)!, ...near.get(b.set_id)! },
      displayNames: names.get(b.set_id)!,
      sharedUrlMembers: setUrls.reduce((a, u) => a + u.members, 0),
      sharedUrls: setUrls
        .slice(0, o.top)
        .map(({ url, members, population }) => ({ url, members, population })),
      withPosts: c?.withPosts ?? 0,
      clients: (c?.shares ?? []).slice(0, o.top),
      clientDivergence: c?.divergence ?? 0,
      changes: changes.get(b.set_id)!,
      populationSampled: popSampled,
    });
  }
  await store.run('DROP TABLE IF EXISTS fp_id_acc');
  return out;
}

/** SQL: natural log of the Poisson upper-tail bound (detect/stats.ts) over DOUBLE arguments. */
const poissonTail = (k: string, lambda: string) => logPoissonTailSql(`(${k})::DOUBLE`, `(${lambda})::DOUBLE`);

/** Same-text pair rates and groups for one normalised column, every set at once. */
async function textSimilarity(
  store: Store,
  column: string,
  raw: string,
  top: number,
): Promise<Map<string, TextSimilarity>> {
  const rows = await store.all<{
    set_id: string;
    with_text: number;
    kk: number | null;
    duplicated: number | null;
    pop: number | null;
    groups: { text: string; count: number }[] | null;
  }>(`WITH g AS (
        SELECT set_id, ${column} AS t, count(*)::DOUBLE AS k, min(${raw}) AS text
        FROM fp_id_acc WHERE ${column} IS NOT NULL GROUP BY ALL),
      pop AS (SELECT sum(k * (k - 1)) / nullif(sum(k) * (sum(k) - 1), 0) AS rate FROM g WHERE set_id IS NULL),
      s AS (
        SELECT set_id, sum(k)::BIGINT AS with_text, sum(k * (k - 1)) AS kk,
               sum(k) FILTER (WHERE k > 1)::BIGINT AS duplicated,
               list({'text': text, 'count': k::BIGINT} ORDER BY k DESC, t) FILTER (WHERE k > 1) AS groups
        FROM g WHERE set_id IS NOT NULL GROUP BY ALL),
      sets AS (SELECT DISTINCT set_id FROM fp_id_acc WHERE set_id IS NOT NULL)
      SELECT sets.set_id, coalesce(s.with_text, 0) AS with_text, s.kk, s.duplicated, pop.rate AS pop, s.groups
      FROM sets LEFT JOIN s USING (set_id) CROSS JOIN pop`);
  return new Map(
    rows.map((r) => [
      r.set_id,
      {
        withText: r.with_text,
        samePairRate: r.with_text > 1 ? round((r.kk ?? 0) / (r.with_text * (r.with_text - 1))) : 0,
        populationSamePairRate: round(r.pop ?? 0),
        duplicated: r.duplicated ?? 0,
        groups: (r.groups ?? []).slice(0, top).map((g) => ({ text: g.text, count: Number(g.count) })),
      },
    ]),
  );
}

/** Near-duplicate bio pairs (word-set Jaccard) within a hash sample of each set and of the population. */
async function nearBios(
  store: Store,
  o: typeof IDENTITY_DEFAULTS,
): Promise<
  Map<string, Pick<BioSimilarity, 'sampled' | 'nearPairRate' | 'populationNearPairRate' | 'nearExamples'>>
> {
  // Words hashed; the pairs sharing a word found by an equality join on it, with their
  // intersection counted (pairs sharing no word have Jaccard 0 and never meet).
  await store.run(`CREATE OR REPLACE TEMP TABLE fp_id_bio AS
    SELECT coalesce(set_id, '') AS g, set_id IS NULL AS is_pop, bio,
           list_distinct(list_transform(string_split(bio_norm, ' '), x -> hash(x))) AS w,
           row_number() OVER (PARTITION BY set_id ORDER BY hash(platform, account_id), account_id) AS r
    FROM fp_id_acc WHERE bio_norm IS NOT NULL
    QUALIFY r <= CASE WHEN set_id IS NULL THEN ${o.populationBioSample} ELSE ${o.bioSample} END`);
  const rows = await store.all<{
    g: string;
    is_pop: boolean;
    sampled: number;
    near_pairs: number;
    examples: { text: string; near: number }[] | null;
  }>(`WITH t AS (SELECT g, is_pop, r, unnest(w) AS x, len(w) AS l FROM fp_id_bio),
      p AS (
        SELECT a.g, a.r AS ra, b.r AS rb, count(*)::DOUBLE AS i, any_value(a.l) AS la, any_value(b.l) AS lb
        FROM t a JOIN t b ON a.g = b.g AND a.is_pop = b.is_pop AND a.x = b.x AND a.r < b.r
        GROUP BY a.g, a.r, b.r),
      near AS (SELECT g, ra, rb FROM p WHERE i / (la + lb - i) >= ${o.bioJaccard}),
      deg AS (
        SELECT g, r, count(*) AS near FROM (SELECT g, ra AS r FROM near UNION ALL SELECT g, rb FROM near) GROUP BY ALL),
      ex AS (
        SELECT d.g, list({'text': b.bio, 'near': d.near} ORDER BY d.near DESC, d.r) AS examples
        FROM deg d JOIN fp_id_bio b ON b.g = d.g AND b.r = d.r AND NOT b.is_pop GROUP BY d.g),
      s AS (SELECT g, is_pop, count(*) AS sampled FROM fp_id_bio GROUP BY ALL),
      c AS (SELECT g, count(*) AS near_pairs FROM near GROUP BY ALL)
      SELECT s.g, s.is_pop, s.sampled, coalesce(c.near_pairs, 0) AS near_pairs, ex.examples
      FROM s LEFT JOIN c USING (g) LEFT JOIN ex USING (g)`);
  await store.run('DROP TABLE IF EXISTS fp_id_bio');
  const rate = (r: { sampled: number; near_pairs: number }) =>
    r.sampled > 1 ? round((2 * r.near_pairs) / (r.sampled * (r.sampled - 1))) : 0;
  const popRow = rows.find((r) => r.is_pop);
  const popRate = popRow ? rate(popRow) : 0;
  const sets = await store.all<{ set_id: string }>(`SELECT DISTINCT set_id FROM ${SETS_TABLE}`);
  const bySet = new Map(rows.filter((r) => !r.is_pop).map((r) => [r.g, r]));
  return new Map(
    sets.map(({ set_id }) => {
      const r = bySet.get(set_id);
      return [
        set_id,
        {
          sampled: r?.sampled ?? 0,
          nearPairRate: r ? rate(r) : 0,
          populationNearPairRate: popRate,
          nearExamples: (r?.examples ?? []).slice(0, 3).map((e) => ({ text: e.text, near: Number(e.near) })),
        },
      ];
    }),
  );
}

/** Main-client shares of every set and of the population sample, and their JS divergence. */
async function clientMix(
  store: Store,
): Promise<Map<string, { withPosts: number; shares: ClientShare[]; divergence: number }>> {
  const rows = await store.all<{ set_id: string | null; client: string; n: number }>(
    `WITH acc AS (SELECT DISTINCT platform, account_id FROM fp_id_acc),
      per AS (
        SELECT p.platform, p.account_id, coalesce(p.client, '(none)') AS client, count(*) AS n
        FROM posts p SEMI JOIN acc ON acc.platform = p.platform AND acc.account_id = p.account_id
        GROUP BY ALL),
      main AS (SELECT platform, account_id, arg_max(client, n ORDER BY client) AS client
               FROM per GROUP BY ALL)
      SELECT f.set_id, m.client, count(*) AS n
      FROM fp_id_acc f JOIN main m USING (platform, account_id) GROUP BY ALL`,
  );
  const dist = new Map<string | null, Map<string, number>>();
  for (const r of rows) {
    const d = dist.get(r.set_id) ?? new Map<string, number>();
    d.set(r.client, r.n);
    dist.set(r.set_id, d);
  }
  const pop = dist.get(null) ?? new Map<string, number>();
  const popTotal = [...pop.values()].reduce((a, b) => a + b, 0);
  const q = (c: string) => (popTotal ? (pop.get(c) ?? 0) / popTotal : 0);
  const out = new Map<string, { withPosts: number; shares: ClientShare[]; divergence: number }>();
  for (const [set, d] of dist) {
    if (set === null) continue;
    const total = [...d.values()].reduce((a, b) => a + b, 0);
    // Jensen-Shannon divergence in bits over the union of clients.
    let js = 0;
    for (const c of new Set([...d.keys(), ...pop.keys()])) {
      const p = (d.get(c) ?? 0) / total;
      const qc = q(c);
      const m = (p + qc) / 2;
      if (p > 0) js += 0.5 * p * Math.log2(p / m);
      if (qc > 0) js += 0.5 * qc * Math.log2(qc / m);
    }
    const shares = [...d.entries()]
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .map(([client, n]) => ({ client, share: round(n / total), populationShare: round(q(client)) }));
    out.set(set, { withPosts: total, shares, divergence: popTotal ? round(Math.max(0, js)) : 0 });
  }
  return out;
}

/** Members (and the population sample) seen with several handles or display names. */
async function profileChanges(store: Store, examples: number): Promise<Map<string, ProfileChanges>> {
  const rows = await store.all<{
    set_id: string | null;
    n: number;
    handle_changed: number;
    name_changed: number;
    examples: { account_id: string; handles: string[] }[] | null;
  }>(`WITH v AS (
        SELECT platform, account_id,
               count(DISTINCT handle) AS handles, count(DISTINCT display_name) AS names
        FROM account_versions SEMI JOIN (SELECT DISTINCT platform, account_id FROM fp_id_acc) USING (platform, account_id)
        GROUP BY ALL),
      h AS (
        SELECT platform, account_id, list(handle ORDER BY first_observed NULLS LAST, handle) AS handles
        FROM (SELECT platform, account_id, handle, min(first_observed) AS first_observed FROM account_versions
              SEMI JOIN (SELECT platform, account_id FROM v WHERE handles > 1) USING (platform, account_id)
              WHERE handle IS NOT NULL GROUP BY ALL)
        GROUP BY ALL)
      SELECT f.set_id, count(*) AS n,
             count(*) FILTER (WHERE v.handles > 1) AS handle_changed,
             count(*) FILTER (WHERE v.names > 1) AS name_changed,
             list({'account_id': f.account_id, 'handles': h.handles} ORDER BY len(h.handles) DESC, f.account_id)
               FILTER (WHERE h.handles IS NOT NULL) AS examples
      FROM fp_id_acc f LEFT JOIN v USING (platform, account_id) LEFT JOIN h USING (platform, account_id)
      GROUP BY f.set_id`);
  const pop = rows.find((r) => r.set_id === null);
  const share = (k: number) => (pop?.n ? round(k / pop.n) : 0);
  const sets = await store.all<{ set_id: string }>(`SELECT DISTINCT set_id FROM ${SETS_TABLE}`);
  const bySet = new Map(rows.filter((r) => r.set_id !== null).map((r) => [r.set_id!, r]));
  return new Map(
    sets.map(({ set_id }) => {
      const r = bySet.get(set_id);
      return [
        set_id,
        {
          handleChanged: r?.handle_changed ?? 0,
          nameChanged: r?.name_changed ?? 0,
          populationHandleChangedShare: share(pop?.handle_changed ?? 0),
          populationNameChangedShare: share(pop?.name_changed ?? 0),
          examples: (r?.examples ?? [])
            .slice(0, examples)
            .map((e) => ({ accountId: e.account_id, handles: e.handles })),
        },
      ];
    }),
  );
}
