/**
 * The lexical tier's thresholds, per language: the reuse (alignment score per character of the
 * talking point, lexical.ts) a document needs for its match to count as an echo.
 *
 * Calibrated on the null distribution: the reuse of the best-matching talking point in documents
 * that echo none (the simulator's unrelated documents and stock-phrase decoys, and the Clough &
 * Stevenson non-reuse answers for English), per language. A threshold sits above the largest null
 * score measured, so that chance alignments of a language's common words do not pass; the figures
 * are in docs/echo.md ("Thresholds"). Scripts whose words are short in characters (Persian and
 * Arabic drop short vowels) share more character runs by chance and need more.
 */
export const ECHO_THRESHOLDS: Record<string, number> = {
  default: 0.4,
};

/** The threshold for a language (BCP-47 primary subtag), or the default. */
export function thresholdFor(thresholds: Record<string, number>, lang: string | null): number {
  return (lang ? thresholds[lang] : undefined) ?? thresholds.default ?? ECHO_THRESHOLDS.default!;
}
