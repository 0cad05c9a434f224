/**
 * The semantic tier: echoes that share meaning but not characters (a paraphrase, a translation),
 * through sentence embeddings from a pluggable provider:
 *
 * - a local ONNX sentence-embedding model (onnx.ts: `model.onnx` and its `tokenizer.json`, run by
 *   onnxruntime-node on the CPU), or
 * - an OpenAI-compatible embeddings endpoint (http.ts), e.g. a local server.
 *
 * Nothing is bundled and nothing is downloaded: without a provider the lexical tier works alone and
 * the result says so. Each talking point's wordings and each document's sentences are embedded; a
 * sentence whose cosine similarity with a wording reaches `minCosine` is a semantic echo of that
 * talking point, unless the lexical tier already found the pair. Cosine thresholds depend on the
 * model (docs/echo.md says how to calibrate one); the default suits L2-normalised multilingual
 * sentence-transformer models, where paraphrases score above 0.8 and unrelated sentences of one topic
 * 0.3 to 0.6.
 */
import { InterruptedError, UsageError } from '../../core/errors.js';
import { sentences } from '../boilerplate.js';
import { maskedText, originalEnd } from '../text.js';
import type { TalkingPoint } from '../types.js';

/** Turns texts into vectors. Implementations: onnx.ts, http.ts; anything with this shape works. */
export interface EmbeddingProvider {
  /** For the result's parameters: `onnx:<model file>` or the endpoint's URL and model. */
  readonly name: string;
  embed(texts: string[]): Promise<Float32Array[]>;
  close?(): Promise<void>;
}

export const SEMANTIC_DEFAULTS = {
  /** Cosine similarity a sentence needs to a talking point's wording. */
  minCosine: 0.8,
  /** Sentences embedded per document, at most (the first ones). */
  maxSentences: 400,
};

export function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return na && nb ? dot / Math.sqrt(na * nb) : 0;
}

export interface SemanticHit {
  tp: number;
  variant: number;
  doc: number;
  cosine: number;
  sentence: string;
  passage: { tpStart: number; tpEnd: number; docStart: number; docEnd: number; matches: number };
}

/** Embeds in batches, checking the provider's answer. */
export async function embedAll(
  provider: EmbeddingProvider,
  texts: string[],
  batch = 64,
  signal?: AbortSignal,
): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  for (let i = 0; i < texts.length; i += batch) {
    if (signal?.aborted) throw new InterruptedError('echo tracing interrupted; nothing was kept');
    const part = texts.slice(i, i + batch);
    const vectors = await provider.embed(part);
    if (vectors.length !== part.length)
      throw new UsageError(
        `the embedding provider ${provider.name} returned ${vectors.length} vectors for ${part.length} texts`,
      );
    out.push(...vectors);
  }
  const dims = new Set(out.map((v) => v.length));
  if (dims.size > 1)
    throw new UsageError(`the embedding provider ${provider.name} returned vectors of different lengths`);
  return out;
}

/** Semantic echoes of the talking points in the documents (pairs the lexical tier found are skipped). */
export async function semanticEchoes(
  provider: EmbeddingProvider,
  talkingPoints: TalkingPoint[],
  docs: { rowid: number; text: string }[],
  options: { minCosine: number; maxSentences: number; lexical: Set<string>; signal?: AbortSignal },
): Promise<SemanticHit[]> {
  const units: { tp: number; variant: number; text: string }[] = [];
  talkingPoints.forEach((t, tp) => {
    t.variants.forEach((v, variant) => {
      units.push({ tp, variant, text: v.text });
    });
  });
  if (!units.length || !docs.length) return [];
  const unitVectors = await embedAll(
    provider,
    units.map((u) => u.text),
    64,
    options.signal,
  );
  const found = new Map<string, SemanticHit>();
  // Sentences in batches of documents, so memory stays bounded.
  for (let d0 = 0; d0 < docs.length; d0 += 256) {
    const spans: { doc: number; start: number; end: number; text: string }[] = [];
    for (const d of docs.slice(d0, d0 + 256)) {
      const view = maskedText(d.text);
      for (const s of sentences(d.text, view).slice(0, options.maxSentences)) {
        if (s.end - s.start < 12) continue;
        const start = view.offsets[s.start]!;
        const end = originalEnd(d.text, view, s.end - 1);
        spans.push({ doc: d.rowid, start, end, text: d.text.slice(start, end) });
      }
    }
    const vectors = await embedAll(
      provider,
      spans.map((s) => s.text),
      64,
      options.signal,
    );
    spans.forEach((s, k) => {
      units.forEach((u, j) => {
        const key = `${u.tp}:${s.doc}`;
        if (options.lexical.has(key)) return;
        const c = cosine(vectors[k]!, unitVectors[j]!);
        if (c < options.minCosine || (found.get(key)?.cosine ?? -2) >= c) return;
        found.set(key, {
          tp: u.tp,
          variant: u.variant,
          doc: s.doc,
          cosine: c,
          sentence: s.text,
          passage: { tpStart: 0, tpEnd: u.text.length, docStart: s.start, docEnd: s.end, matches: 0 },
        });
      });
    });
  }
  return [...found.values()];
}

/**
 * A provider from a user's setting: an `http://` or `https://` URL is an OpenAI-compatible endpoint
 * (`model` names the model), anything else a local ONNX model file or a folder holding `model.onnx`
 * and `tokenizer.json`.
 */
export async function embeddingProvider(
  spec: string,
  options: { model?: string; apiKey?: string; maxTokens?: number; prefix?: string } = {},
): Promise<EmbeddingProvider> {
  if (/^https?:\/\//i.test(spec)) {
    const { HttpEmbeddings } = await import('./http.js');
    return new HttpEmbeddings({ url: spec, model: options.model, apiKey: options.apiKey });
  }
  const { OnnxEmbeddings } = await import('./onnx.js');
  return OnnxEmbeddings.load(spec, { maxTokens: options.maxTokens, prefix: options.prefix });
}
