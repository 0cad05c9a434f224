import { buildTextFamilies, MIN_THRESHOLD, TEXT_FAMILY_DEFAULTS } from './near-duplicate/families.js';
import type { SignalDescriptor } from './types.js';

/**
 * Copy-paste with small edits: two accounts posting texts of the same near-duplicate family
 * (MinHash-LSH over character shingles of the normalised text, URLs and mentions masked; see
 * near-duplicate/ and docs/signals/near-duplicate.md). The family is the shared object. The
 * defaults are TEXT_FAMILY_DEFAULTS, defined (and justified) once in near-duplicate/families.ts.
 */
export const nearDuplicate: SignalDescriptor = {
  name: 'near-duplicate',
  title: 'near-duplicate text',
  objectLabel: 'text family',
  description:
    'posting the same text with small edits (MinHash-LSH over character shingles, multilingual; Broder 1997)',
  enabledByDefault: true,
  defaultWindow: 60,
  options: [
    {
      name: 'threshold',
      description: 'Jaccard similarity of two texts (5-character shingles) at which they join one family',
      default: TEXT_FAMILY_DEFAULTS.threshold,
      min: MIN_THRESHOLD,
      max: 1,
    },
    {
      name: 'min-chars',
      description: 'shorter texts (letters and digits, after masking links and mentions) are left out',
      default: TEXT_FAMILY_DEFAULTS.minChars,
      min: 1,
    },
  ],
  async prepare(ctx) {
    const stats = await buildTextFamilies(
      ctx.store,
      {
        ...TEXT_FAMILY_DEFAULTS,
        threshold: Number(ctx.options.threshold),
        minChars: Number(ctx.options['min-chars']),
        seed: ctx.seed,
      },
      { onProgress: ctx.onProgress, signal: ctx.signal },
    );
    return stats.shortTexts > 0
      ? [
          `near-duplicate: ${stats.shortTexts.toLocaleString('en')} texts shorter than ${ctx.options['min-chars']} characters (after masking links and mentions) were not compared`,
        ]
      : [];
  },
  // A family is named by its earliest post: the label is that post's text. One `rowid = x` lookup
  // per post (DuckDB seeks it), not `rowid IN (...)`, which scans all posts (0.5 s at 10M).
  async labelObjects(store, objects) {
    const rows = objects.length
      ? await store.all<{ obj: string; text: string | null }>(
          objects
            .map((o) => `SELECT CAST(rowid AS VARCHAR) AS obj, text FROM posts WHERE rowid = ${BigInt(o)}`)
            .join(' UNION ALL '),
        )
      : [];
    return new Map(rows.map((r) => [r.obj, r.text ?? '']));
  },
  actionsSql() {
    return `SELECT p.platform, p.account_id, CAST(f.family AS VARCHAR) AS obj, p.created_at, p.lang, p.pr
      FROM text_family f JOIN (SELECT rowid AS pr, platform, account_id, created_at, lang FROM posts) p
        ON p.pr = f.pr`;
  },
};
