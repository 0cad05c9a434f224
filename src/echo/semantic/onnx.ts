/**
 * Sentence embeddings from a local ONNX model, run on the CPU by onnxruntime-node: a transformer
 * encoder exported to ONNX (e.g. a multilingual sentence-transformers model) with its Hugging Face
 * `tokenizer.json`, tokenised by @huggingface/tokenizers (pure JavaScript). Nothing is downloaded:
 * the user points at files they have.
 *
 * The model's inputs are fed by name (`input_ids`, `attention_mask`, `token_type_ids` when it has
 * them). Its output is `sentence_embedding` when the export has it, else the first output, token
 * vectors [batch, tokens, dim], mean-pooled over the attention mask (the sentence-transformers
 * default; Reimers & Gurevych, "Sentence-BERT", EMNLP 2019). Vectors are L2-normalised.
 *
 * onnxruntime-node is an optional dependency: installed with Lockstep where its binaries exist, and
 * loaded only when a model is configured.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { UsageError } from '../../core/errors.js';
import type { EmbeddingProvider } from './index.js';

export interface OnnxEmbeddingOptions {
  /** Tokens per text, special tokens included (longer texts are cut). Default 256. */
  maxTokens?: number;
  /** Text put before every input (some models want `query: ` or `passage: `). */
  prefix?: string;
  /** Texts per inference call. */
  batchSize?: number;
}

type Ort = typeof import('onnxruntime-node');
type Session = Awaited<ReturnType<Ort['InferenceSession']['create']>>;
interface Tokenizer {
  encode(text: string): { ids: number[]; attention_mask: number[] };
  token_to_id(token: string): number | undefined;
}

export class OnnxEmbeddings implements EmbeddingProvider {
  private constructor(
    readonly name: string,
    private readonly ort: Ort,
    private readonly session: Session,
    private readonly tokenizer: Tokenizer,
    private readonly padId: number,
    private readonly options: Required<OnnxEmbeddingOptions>,
  ) {}

  /** Loads `model.onnx` (a file, or a folder holding it) and the `tokenizer.json` beside it. */
  static async load(path: string, options: OnnxEmbeddingOptions = {}): Promise<OnnxEmbeddings> {
    let modelFile = path;
    try {
      if (statSync(path).isDirectory()) modelFile = join(path, 'model.onnx');
    } catch {
      throw new UsageError(`no embedding model at ${path}; give a model.onnx file or the folder holding it`);
    }
    const dir = dirname(modelFile);
    const tokenizerFile = join(dir, 'tokenizer.json');
    if (!existsSync(modelFile))
      throw new UsageError(`no model.onnx in ${path}; give the model file or its folder`);
    if (!existsSync(tokenizerFile))
      throw new UsageError(
        `no tokenizer.json beside ${modelFile}; the model's Hugging Face tokenizer file is needed`,
      );
    let ort: Ort;
    try {
      ort = await import('onnxruntime-node');
    } catch {
      throw new UsageError(
        'ONNX models need onnxruntime-node, which is not installed: npm install onnxruntime-node',
      );
    }
    const { Tokenizer } = await import('@huggingface/tokenizers');
    let tokenizer: Tokenizer;
    let config: Record<string, unknown> = {};
    try {
      const configFile = join(dir, 'tokenizer_config.json');
      if (existsSync(configFile)) config = JSON.parse(readFileSync(configFile, 'utf8'));
      tokenizer = new Tokenizer(
        JSON.parse(readFileSync(tokenizerFile, 'utf8')),
        config,
      ) as unknown as Tokenizer;
    } catch (err) {
      throw new UsageError(
        `cannot read the tokenizer ${tokenizerFile}: ${(err as Error).message.split('\n')[0]}`,
      );
    }
    let session: Session;
    try {
      session = await ort.InferenceSession.create(modelFile, {
        executionProviders: ['cpu'],
        graphOptimizationLevel: 'all',
      });
    } catch (err) {
      throw new UsageError(
        `cannot load the ONNX model ${modelFile}: ${(err as Error).message.split('\n')[0]}`,
      );
    }
    if (!session.inputNames.includes('input_ids'))
      throw new UsageError(
        `the ONNX model ${modelFile} has no input_ids input (inputs: ${session.inputNames.join(', ')})`,
      );
    const pad = typeof config.pad_token === 'string' ? config.pad_token : '[PAD]';
    const padId = tokenizer.token_to_id(pad) ?? tokenizer.token_to_id('<pad>') ?? 0;
    return new OnnxEmbeddings(`onnx:${modelFile}`, ort, session, tokenizer, padId, {
      maxTokens: options.maxTokens ?? 256,
      prefix: options.prefix ?? '',
      batchSize: options.batchSize ?? 16,
    });
  }

  async embed(texts: string[]): Promise<Float32Array[]> {
    const out: Float32Array[] = [];
    for (let i = 0; i < texts.length; i += this.options.batchSize)
      out.push(...(await this.batch(texts.slice(i, i + this.options.batchSize))));
    return out;
  }

  private async batch(texts: string[]): Promise<Float32Array[]> {
    const max = this.options.maxTokens;
    const encoded = texts.map((t) => {
      const e = this.tokenizer.encode(this.options.prefix + t);
      // Cut long texts, keeping the closing special token.
      if (e.ids.length <= max) return e;
      return {
        ids: [...e.ids.slice(0, max - 1), e.ids[e.ids.length - 1]!],
        attention_mask: e.attention_mask.slice(0, max),
      };
    });
    const width = Math.max(1, ...encoded.map((e) => e.ids.length));
    const ids = new BigInt64Array(texts.length * width).fill(BigInt(this.padId));
    const mask = new BigInt64Array(texts.length * width);
    encoded.forEach((e, r) => {
      e.ids.forEach((id, c) => {
        ids[r * width + c] = BigInt(id);
        mask[r * width + c] = BigInt(e.attention_mask[c] ?? 1);
      });
    });
    const { Tensor } = this.ort;
    const feeds: Record<string, InstanceType<Ort['Tensor']>> = {
      input_ids: new Tensor('int64', ids, [texts.length, width]),
    };
    if (this.session.inputNames.includes('attention_mask'))
      feeds.attention_mask = new Tensor('int64', mask, [texts.length, width]);
    if (this.session.inputNames.includes('token_type_ids'))
      feeds.token_type_ids = new Tensor('int64', new BigInt64Array(texts.length * width), [
        texts.length,
        width,
      ]);
    const results = await this.session.run(feeds);
    const name = this.session.outputNames.includes('sentence_embedding')
      ? 'sentence_embedding'
      : this.session.outputNames[0]!;
    const output = results[name]!;
    const data = output.data as Float32Array;
    const dims = output.dims;
    const vectors: Float32Array[] = [];
    if (dims.length === 2) {
      const d = dims[1]!;
      for (let r = 0; r < texts.length; r++) vectors.push(normalise(data.slice(r * d, (r + 1) * d)));
    } else if (dims.length === 3) {
      const [, t, d] = dims as [number, number, number];
      for (let r = 0; r < texts.length; r++) {
        const v = new Float32Array(d);
        let n = 0;
        for (let c = 0; c < t; c++) {
          if (c < width && mask[r * width + c] === 0n) continue;
          n++;
          const at = (r * t + c) * d;
          for (let k = 0; k < d; k++) v[k]! += data[at + k]!;
        }
        if (n) for (let k = 0; k < d; k++) v[k]! /= n;
        vectors.push(normalise(v));
      }
    } else
      throw new UsageError(
        `the ONNX model's output ${name} has ${dims.length} dimensions; expecting token or sentence vectors`,
      );
    return vectors;
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}

function normalise(v: Float32Array): Float32Array {
  let n = 0;
  for (const x of v) n += x * x;
  n = Math.sqrt(n);
  if (n > 0) for (let i = 0; i < v.length; i++) v[i]! /= n;
  return v;
}
