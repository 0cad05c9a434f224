/**
 * Scoring the matcher against labelled pairs: each query name is matched by name only against a
 * set of candidate records after resolution (so several registrations of one firm count as one
 * candidate, as a user sees them), and the top result is right when its entity holds the labelled
 * record. Reported: top-1 accuracy, and precision and recall of `match` at the threshold.
 */
import type { Store } from '../../store/store.js';
import { loadRecords } from './index.js';
import { MATCH_DEFAULTS, Matcher } from './match.js';
import { prepareRecord } from './score.js';

export interface LabelledQuery {
  name: string;
  /** The source record id the query should find (e.g. `fara-reg-6161`). */
  expected: string;
}

export interface MatchEvaluation {
  queries: number;
  top1: number;
  precision: number;
  recall: number;
  threshold: number;
  /** Queries whose top result is wrong, with what was found. */
  errors: {
    name: string;
    expected: string;
    found: string | null;
    foundName: string | null;
    score: number | null;
  }[];
}

export async function evaluateMatching(
  store: Store,
  queries: LabelledQuery[],
  candidatePrefix: string,
  threshold = MATCH_DEFAULTS.threshold,
): Promise<MatchEvaluation> {
  const records = (await loadRecords(store)).filter((r) => r.id.startsWith(candidatePrefix));
  const canonical = new Map(
    (await store.all<{ entity_id: string; canonical_id: string }>(`SELECT * FROM entity_canonical`)).map(
      (r) => [r.entity_id, r.canonical_id],
    ),
  );
  const canon = (id: string) => canonical.get(id) ?? id;
  const matcher = await Matcher.build(records);
  let top1 = 0;
  let tp = 0;
  let fp = 0;
  const errors: MatchEvaluation['errors'] = [];
  for (const q of queries) {
    const best = matcher.rank(prepareRecord('query', 'LegalEntity', { name: [q.name] }))[0];
    const right = best !== undefined && canon(best.record.id) === canon(q.expected);
    if (right) top1++;
    if (best && best.score >= threshold) right ? tp++ : fp++;
    if (!right)
      errors.push({
        name: q.name,
        expected: q.expected,
        found: best?.record.id ?? null,
        foundName: best?.record.names[0]?.original ?? null,
        score: best?.score ?? null,
      });
  }
  const n = queries.length;
  return {
    queries: n,
    top1: n ? top1 / n : 0,
    precision: tp + fp ? tp / (tp + fp) : 1,
    recall: n ? tp / n : 0,
    threshold,
    errors,
  };
}
