/**
 * The lexical tier's thresholds, per language: the reuse (alignment score per character of the
 * talking point, lexical.ts) a document needs for its match to count as an echo.
 *
 * Calibrated on the null distribution: the reuse of the best-matching talking point in documents
 * that echo none (the simulator's unrelated documents and stock-phrase decoys, and the Clough &
 * Stevenson non-reuse answers for English), per language. A threshold sits above the largest null
 * score measured, so that chance alignments of a language's common words do not pass; the figures
 * are in docs/echo.md ("Thresholds"): each language's threshold is the least reuse that at most one
 * echo-free document in a thousand reaches, and never below 0.4 (less than 40% of a talking point is a
 * fragment, not an echo of it).
 */
export const ECHO_THRESHOLDS: Record<string, number> = {
  default: 0.4,
  // English: 6 of 5,178 echo-free documents reached 0.51 or more (99.9th percentile 0.51).
  en: 0.5,
};

/** The threshold for a language (BCP-47 primary subtag), or the default. */
export function thresholdFor(thresholds: Record<string, number>, lang: string | null): number {
  return (lang ? thresholds[lang] : undefined) ?? thresholds.default ?? ECHO_THRESHOLDS.default!;
}
