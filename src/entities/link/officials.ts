/**
 * Contacts -> officials: the people and offices named in lobbying contacts (Sunlight's FARA
 * contacts: a name, a title, an office) linked to Members of Congress (the congress-legislators
 * entities, `us-congress-<bioguide>`).
 *
 * A contact is linked `as-member` when its name carries the member's last name (every token, with
 * Jaro-Winkler >= 0.9 for spelling slips such as "Menndez") and a compatible first name (the same,
 * a nickname of it from a small table, the nickname the legislators file records, or an initial),
 * or a member's title ("Rep.", "Sen.", "Congressman") with a unique last-name match. It is linked
 * `office-of` when its office names a member ("Rep. Ted Poe", "Sen. Murphy"): staff act for the
 * member's office. Ambiguous names (two members fit equally) are left unlinked. Every link keeps
 * the evidence that made it.
 */
import type { Store } from '../../store/store.js';
import { foldText, jaroWinkler } from '../resolve/names.js';

/** Common English given-name variants (a short, documented table; not exhaustive). */
const NICKNAMES: string[][] = [
  ['robert', 'bob', 'rob', 'bobby'],
  ['william', 'bill', 'will', 'billy'],
  ['james', 'jim', 'jimmy'],
  ['michael', 'mike'],
  ['thomas', 'tom', 'tommy'],
  ['richard', 'dick', 'rick', 'rich'],
  ['charles', 'chuck', 'charlie'],
  ['edward', 'ed', 'ted', 'eddie'],
  ['theodore', 'ted'],
  ['christopher', 'chris'],
  ['daniel', 'dan', 'danny'],
  ['david', 'dave'],
  ['joseph', 'joe'],
  ['ronald', 'ron'],
  ['steven', 'steve', 'stephen'],
  ['timothy', 'tim'],
  ['patrick', 'pat'],
  ['gerald', 'gerry', 'jerry'],
  ['kenneth', 'ken'],
  ['donald', 'don'],
  ['jonathan', 'jon'],
  ['john', 'jack'],
  ['benjamin', 'ben'],
  ['frederick', 'fred'],
  ['gregory', 'greg'],
  ['jeffrey', 'jeff'],
  ['lawrence', 'larry'],
  ['leonard', 'leo', 'len'],
  ['matthew', 'matt'],
  ['nicholas', 'nick'],
  ['peter', 'pete'],
  ['raymond', 'ray'],
  ['samuel', 'sam'],
  ['anthony', 'tony'],
  ['andrew', 'andy'],
  ['alexander', 'alex'],
  ['elizabeth', 'liz', 'beth', 'betsy'],
  ['katherine', 'kathy', 'kate'],
  ['patricia', 'pat', 'patty'],
  ['susan', 'sue'],
  ['deborah', 'debbie', 'deb'],
  ['margaret', 'maggie', 'peggy'],
  ['jennifer', 'jen'],
  ['kirsten', 'kirstin'],
  ['rosa', 'rose'],
  ['sheila', 'shelia'],
  ['eleanor', 'ellie'],
  ['carolyn', 'carol'],
];
const VARIANTS = new Map<string, Set<string>>();
for (const group of NICKNAMES)
  for (const n of group) VARIANTS.set(n, new Set([...(VARIANTS.get(n) ?? []), ...group]));

const MEMBER_TITLE =
  /\b(rep|representative|sen|senator|congressman|congresswoman|member|chairman|chairwoman|leader|speaker|whip)\b/;

const tokens = (s: string) =>
  foldText(s)
    .replace(/['’]/g, '')
    .split(/[^a-z]+/)
    .filter(Boolean);

interface Member {
  id: string;
  first: string[];
  last: string[];
  name: string;
  born: number | null;
  chamber: 'sen' | 'rep' | null;
}

export interface OfficialLink {
  contactId: string;
  memberId: string;
  kind: 'as-member' | 'office-of';
  score: number;
  evidence: Record<string, string>;
}

function firstCompatible(given: string, m: Member): boolean {
  for (const f of m.first) {
    if (f === given) return true;
    if (given.length === 1 && f.startsWith(given)) return true;
    if (VARIANTS.get(given)?.has(f)) return true;
    if (given.length >= 4 && jaroWinkler(given, f) >= 0.9) return true;
  }
  return false;
}

/** A spelling slip of a name of five letters or more: same first letter, length within one, Jaro-Winkler >= 0.9. */
const slip = (a: string, b: string) =>
  a.length >= 5 && a[0] === b[0] && Math.abs(a.length - b.length) <= 1 && jaroWinkler(a, b) >= 0.9;

/** Members whose every last-name token is in `words` (spelling slips allowed); with the remaining words. */
function byLastName(words: string[], members: Map<string, Member[]>): { member: Member; rest: string[] }[] {
  const out: { member: Member; rest: string[] }[] = [];
  const seen = new Set<string>();
  for (const w of words) {
    for (const [key, list] of members) {
      if (key !== w && !slip(key, w)) continue;
      for (const m of list) {
        if (seen.has(m.id)) continue;
        // Each last-name token takes a word of its own (exact first); the words left are the given names.
        const used = new Set<number>();
        const ok = m.last.every((l) => {
          let k = words.findIndex((x, i) => !used.has(i) && x === l);
          if (k < 0) k = words.findIndex((x, i) => !used.has(i) && slip(x, l));
          if (k >= 0) used.add(k);
          return k >= 0;
        });
        if (!ok) continue;
        seen.add(m.id);
        out.push({ member: m, rest: words.filter((_, i) => !used.has(i)) });
      }
    }
  }
  return out;
}

/** Links one contact (name, title, office) to a member, or returns null. */
export function linkContact(
  contactId: string,
  name: string,
  title: string,
  office: string,
  members: Map<string, Member[]>,
  year: number | null = null,
): OfficialLink | null {
  const context = foldText(`${name} ${title} ${office}`);
  const chamber = /\b(sen|senator|senate)\b/.test(context)
    ? 'sen'
    : /\b(rep|representative|house|congressman|congresswoman)\b/.test(context)
      ? 'rep'
      : null;
  // Namesakes across two centuries of Congress: keep those of an age to serve at the contact's date,
  // then those of the chamber the contact names.
  const narrow = <T extends { member: Member }>(list: T[]): T[] => {
    let out = list;
    if (year !== null)
      out = out.filter(
        (c) => c.member.born === null || (year - c.member.born >= 25 && year - c.member.born <= 95),
      );
    if (out.length > 1 && chamber) {
      const same = out.filter((c) => c.member.chamber === chamber);
      if (same.length) out = same;
    }
    return out;
  };
  const words = tokens(name);
  const titled = MEMBER_TITLE.test(foldText(`${name} ${title}`));
  const fits = byLastName(words, members)
    .map((c) => ({ ...c, first: c.rest.find((w) => !MEMBER_TITLE.test(w)) }))
    .map((c) => ({ ...c, firstOk: c.first !== undefined && firstCompatible(c.first, c.member) }));
  const strong = narrow(fits.filter((c) => c.firstOk));
  const weak = narrow(fits);
  const chosen =
    strong.length === 1
      ? strong[0]
      : strong.length === 0 && titled && weak.length === 1
        ? weak[0]
        : undefined;
  if (chosen)
    return {
      contactId,
      memberId: chosen.member.id,
      kind: 'as-member',
      score: chosen.firstOk ? 0.95 : 0.8,
      evidence: {
        contact: name,
        member: chosen.member.name,
        ...(title ? { title } : {}),
        rule: chosen.firstOk ? 'last and first name' : 'last name and a member title',
      },
    };
  // Staff: the office names the member ("Rep. Ted Poe", "Sen. Murphy").
  if (office && MEMBER_TITLE.test(foldText(office))) {
    const ow = tokens(office).filter((w) => !MEMBER_TITLE.test(w));
    const inOffice = narrow(
      byLastName(ow, members).map((c) => ({
        ...c,
        firstOk: c.rest[0] !== undefined && firstCompatible(c.rest[0], c.member),
      })),
    );
    const pick =
      inOffice.filter((c) => c.firstOk).length === 1
        ? inOffice.find((c) => c.firstOk)
        : inOffice.length === 1
          ? inOffice[0]
          : undefined;
    if (pick)
      return {
        contactId,
        memberId: pick.member.id,
        kind: 'office-of',
        score: pick.firstOk ? 0.9 : 0.75,
        evidence: { contact: name, office, member: pick.member.name, rule: 'the office names the member' },
      };
  }
  return null;
}

/** The Members of Congress in the store, by last-name token. */
export async function loadMembers(store: Store): Promise<Map<string, Member[]>> {
  const rows = await store.all<{ entity_id: string; prop: string; vals: string[] }>(
    `SELECT entity_id, prop, list(DISTINCT value) AS vals FROM statements
     WHERE entity_id LIKE 'us-congress-%' AND prop IN ('firstName', 'lastName', 'alias', 'name', 'middleName', 'birthDate', 'position') AND schema = 'Person'
     GROUP BY ALL`,
  );
  const byId = new Map<string, Member>();
  for (const r of rows) {
    const m = byId.get(r.entity_id) ?? {
      id: r.entity_id,
      first: [],
      last: [],
      name: '',
      born: null,
      chamber: null,
    };
    byId.set(r.entity_id, m);
    if (r.prop === 'lastName') m.last = r.vals.flatMap(tokens);
    if (r.prop === 'firstName' || r.prop === 'middleName') m.first.push(...r.vals.flatMap(tokens));
    if (r.prop === 'alias') for (const a of r.vals) if (tokens(a).length === 2) m.first.push(tokens(a)[0]!);
    if (r.prop === 'name') m.name = r.vals[0]!;
    if (r.prop === 'birthDate') m.born = Number(r.vals[0]!.slice(0, 4));
    if (r.prop === 'position')
      m.chamber = /Senator/.test(r.vals[0]!) ? 'sen' : /Representative/.test(r.vals[0]!) ? 'rep' : null;
  }
  const byLast = new Map<string, Member[]>();
  for (const m of byId.values()) {
    const key = m.last[m.last.length - 1];
    if (!key) continue;
    byLast.set(key, [...(byLast.get(key) ?? []), m]);
    for (const l of m.last.slice(0, -1)) byLast.set(l, [...(byLast.get(l) ?? []), m]);
  }
  return byLast;
}

/**
 * Links every contacted person or office of the store's contact events to Members of Congress and
 * writes the links (`entity_links`, kind `official`); returns them.
 */
export async function linkOfficials(store: Store): Promise<OfficialLink[]> {
  const members = await loadMembers(store);
  if (!members.size) return [];
  const contacts = await store.all<{
    entity_id: string;
    name: string;
    title: string | null;
    notes: string | null;
    year: number | null;
  }>(
    `SELECT entity_id, year(try_cast(min(record_date) AS DATE)) AS year,
       min(value) FILTER (WHERE prop = 'name') AS name,
       min(value) FILTER (WHERE prop IN ('position', 'description')) AS title,
       min(value) FILTER (WHERE prop = 'notes') AS notes
     FROM statements WHERE entity_id LIKE 'sunlight-contact-%' AND entity_id NOT LIKE 'sunlight-contact-record-%'
     GROUP BY entity_id`,
  );
  const links: OfficialLink[] = [];
  for (const c of contacts) {
    if (!c.name) continue;
    const office = /office: ([^;]*)/.exec(c.notes ?? '')?.[1] ?? '';
    const link = linkContact(c.entity_id, c.name, c.title ?? '', office, members, c.year ?? null);
    if (link) links.push(link);
  }
  await store.run(`DELETE FROM entity_links WHERE kind = 'official'`);
  for (let i = 0; i < links.length; i += 5_000) {
    const values = links
      .slice(i, i + 5_000)
      .map(
        (l) =>
          `('official', '${l.contactId.replaceAll("'", "''")}', 'entity', '${l.memberId}', ${l.score}, '${JSON.stringify({ ...l.evidence, kind: l.kind }).replaceAll("'", "''")}'::JSON, now()::TIMESTAMP)`,
      )
      .join(', ');
    await store.run(`INSERT INTO entity_links VALUES ${values}`);
  }
  return links;
}
