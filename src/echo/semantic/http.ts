/**
 * Embeddings from an OpenAI-compatible endpoint (`POST {base}/embeddings` with
 * `{"model": ..., "input": [...]}`, answering `{"data": [{"index": i, "embedding": [...]}]}`), such
 * as a local llama.cpp, vLLM, Ollama or text-embeddings-inference server. The key, when the server
 * needs one, comes from the option or the LOCKSTEP_EMBEDDINGS_KEY environment variable and is sent as
 * a bearer token; it is never written to results.
 */
import { UsageError } from '../../core/errors.js';
import type { EmbeddingProvider } from './index.js';

export interface HttpEmbeddingOptions {
  /** The API base (`http://localhost:8080/v1`) or the embeddings URL itself. */
  url: string;
  model?: string;
  apiKey?: string;
  /** Milliseconds a request may take. */
  timeoutMs?: number;
}

export class HttpEmbeddings implements EmbeddingProvider {
  readonly name: string;
  private readonly endpoint: string;

  constructor(private readonly options: HttpEmbeddingOptions) {
    let url: URL;
    try {
      url = new URL(options.url);
    } catch {
      throw new UsageError(`invalid embeddings URL "${options.url}"; write e.g. http://localhost:8080/v1`);
    }
    this.endpoint = url.pathname.replace(/\/+$/, '').endsWith('/embeddings')
      ? url.toString()
      : `${url.toString().replace(/\/+$/, '')}/embeddings`;
    this.name = `${this.endpoint}${options.model ? ` (${options.model})` : ''}`;
  }

  async embed(texts: string[]): Promise<Float32Array[]> {
    if (!texts.length) return [];
    const key = this.options.apiKey ?? process.env.LOCKSTEP_EMBEDDINGS_KEY;
    let response: Response;
    try {
      response = await fetch(this.endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
        body: JSON.stringify({ model: this.options.model, input: texts }),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 120_000),
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name;
      throw new UsageError(
        `cannot reach the embeddings endpoint ${this.endpoint} (${cause}); check that the server runs`,
      );
    }
    if (!response.ok) {
      const body = (await response.text().catch(() => '')).replace(/\s+/g, ' ').slice(0, 160);
      throw new UsageError(
        `the embeddings endpoint ${this.endpoint} answered ${response.status}${body ? `: ${body}` : ''}`,
      );
    }
    let json: { data?: { index?: number; embedding?: unknown }[] };
    try {
      json = (await response.json()) as typeof json;
    } catch {
      throw new UsageError(`the embeddings endpoint ${this.endpoint} did not answer JSON`);
    }
    const data = json.data;
    if (!Array.isArray(data) || data.length !== texts.length)
      throw new UsageError(
        `the embeddings endpoint ${this.endpoint} answered ${Array.isArray(data) ? data.length : 'no'} embeddings for ${texts.length} texts`,
      );
    const out: Float32Array[] = new Array(texts.length);
    data.forEach((d, k) => {
      const i = typeof d.index === 'number' ? d.index : k;
      if (
        !Array.isArray(d.embedding) ||
        d.embedding.some((x) => typeof x !== 'number') ||
        i < 0 ||
        i >= texts.length
      )
        throw new UsageError(`the embeddings endpoint ${this.endpoint} answered a malformed embedding`);
      out[i] = Float32Array.from(d.embedding as number[]);
    });
    if (out.some((v) => !v))
      throw new UsageError(`the embeddings endpoint ${this.endpoint} answered repeated indices`);
    return out;
  }
}
