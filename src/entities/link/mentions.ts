/**
 * Names of parties mentioned in posts, in any script: every party name of two or more tokens (and
 * six letters or more) is folded as resolution folds names (names.ts: Persian and Arabic
 * transliterated, diacritics and case folded, titles dropped), and each post's text is folded the
 * same way and scanned for those token sequences. A name written in Arabic script is compared by
 * its phonetic key with و/ی read as vowels, so "مریم رجوی" is found as "Maryam Rajavi".
 * Each mention is a link (kind `mention`) from the entity to the posting account, with the post,
 * its time and the words matched kept as evidence.
 */
import { fetchFields } from '../../store/bulk.js';
import type { Store } from '../../store/store.js';
import { inList } from '../query/sources.js';
import { PARTY_SCHEMATA } from '../resolve/index.js';
import { looseKey, nameTokens, phoneticKey, prepareName } from '../resolve/names.js';

export const MENTION_DEFAULTS = { maxPosts: 5_000_000, maxMentionsPerEntity: 1_000 };

export async function linkMentions(
  store: Store,
  options: Partial<typeof MENTION_DEFAULTS> = {},
): Promise<number> {
  const o = { ...MENTION_DEFAULTS, ...options };
  await store.run(`DELETE FROM entity_links WHERE kind = 'mention'`);
  const posts = Number(await store.value(`SELECT count(*) FROM (SELECT 1 FROM posts LIMIT 1)`));
  if (!posts) return 0;
  // Names to look for: by their folded token sequence, and by a loose phonetic key for Arabic script.
  const names = await store.all<{ id: string; value: string }>(
    `SELECT DISTINCT coalesce(c.canonical_id, s.entity_id) AS id, s.value FROM statements s
     JOIN entities e USING (entity_id) LEFT JOIN entity_canonical c USING (entity_id)
     WHERE s.prop IN ('name', 'alias') AND e.schema IN (${inList(PARTY_SCHEMATA)})`,
  );
  const exact = new Map<string, Set<string>>();
  const loose = new Map<string, Set<string>>();
  let longest = 0;
  for (const n of names) {
    const p = prepareName(n.value);
    if (p.tokens.length < 2 || p.tokens.join('').length < 6) continue;
    longest = Math.max(longest, p.tokens.length);
    const add = (m: Map<string, Set<string>>, k: string) =>
      (m.get(k) ?? m.set(k, new Set()).get(k)!).add(n.id);
    add(exact, p.tokens.join(' '));
    add(loose, p.tokens.map((t) => looseKey(phoneticKey(t))).join(' '));
  }
  if (!exact.size) return 0;
  const rows = await fetchFields(
    store,
    `SELECT platform, post_id, account_id, strftime(created_at, '%Y-%m-%dT%H:%M:%SZ') AS at, translate(text, chr(30) || chr(31), '  ') AS text
     FROM posts WHERE text IS NOT NULL LIMIT ${o.maxPosts}`,
    ['platform', 'post_id', 'account_id', 'at', 'text'],
  );
  const perEntity = new Map<string, number>();
  const values: string[] = [];
  for (const [platform, postId, accountId, at, text] of rows) {
    // Folded and cut as names are (titles, function words and company forms out), so phrases line up.
    const w = nameTokens(text!);
    const arabic = /[\u0600-\u06ff]/.test(text!);
    const keys = arabic ? w.map((t) => looseKey(phoneticKey(t))) : null;
    const found = new Map<string, string>();
    for (let i = 0; i < w.length; i++)
      for (let len = 2; len <= longest && i + len <= w.length; len++) {
        const phrase = w.slice(i, i + len).join(' ');
        for (const id of exact.get(phrase) ?? []) found.set(id, phrase);
        if (keys)
          for (const id of loose.get(keys.slice(i, i + len).join(' ')) ?? [])
            if (!found.has(id)) found.set(id, w.slice(i, i + len).join(' '));
      }
    for (const [id, phrase] of found) {
      const k = (perEntity.get(id) ?? 0) + 1;
      perEntity.set(id, k);
      if (k > o.maxMentionsPerEntity) continue;
      const evidence = {
        post: `${platform}:${postId}`,
        date: at!.slice(0, 10),
        at,
        words: phrase,
        excerpt: text!.slice(0, 280),
      };
      values.push(
        `('mention', '${id.replaceAll("'", "''")}', 'account', '${`${platform}:${accountId}`.replaceAll("'", "''")}', ${arabic ? 0.7 : 0.8}, '${JSON.stringify(evidence).replaceAll("'", "''")}'::JSON, now()::TIMESTAMP)`,
      );
    }
  }
  for (let i = 0; i < values.length; i += 2_000)
    await store.run(`INSERT INTO entity_links VALUES ${values.slice(i, i + 2_000).join(', ')}`);
  return values.length;
}
