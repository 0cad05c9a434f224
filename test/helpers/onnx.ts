/**
 * A tiny, deterministic sentence-embedding model for the semantic tier's tests, written as an ONNX
 * protobuf by hand (no model is downloaded or bundled), with a BERT-style WordPiece `tokenizer.json`.
 *
 * The model is a word-embedding lookup, `Gather(table, input_ids)`, times the attention mask: token
 * vectors [batch, tokens, dim] that the provider mean-pools, as it pools a real encoder's output.
 * Words that translate each other share one vector (a "concept"), function words and special tokens
 * are zero vectors, so a sentence and its translation embed to the same direction and unrelated
 * sentences to other ones.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from '../../src/core/random.js';

// --- a protobuf writer: varints and length-delimited fields, enough for ONNX's messages ---

function varint(n: number | bigint): number[] {
  let v = BigInt(n);
  const out: number[] = [];
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) b |= 0x80;
    out.push(b);
  } while (v > 0n);
  return out;
}
const key = (field: number, wire: number) => varint((field << 3) | wire);
const int = (field: number, n: number | bigint) => [...key(field, 0), ...varint(n)];
const bytes = (field: number, b: ArrayLike<number>) => [
  ...key(field, 2),
  ...varint(b.length),
  ...Array.from(b),
];
const str = (field: number, s: string) => bytes(field, new TextEncoder().encode(s));
const msg = (field: number, parts: number[]) => bytes(field, parts);

const FLOAT = 1;
const INT64 = 7;

function tensor(name: string, dims: number[], type: number, raw: Uint8Array): number[] {
  return [...dims.flatMap((d) => int(1, d)), ...int(2, type), ...str(8, name), ...bytes(9, raw)];
}

function valueInfo(name: string, type: number, dims: (number | string)[]): number[] {
  const shape = dims.flatMap((d) => msg(1, typeof d === 'number' ? int(1, d) : str(2, d)));
  return [...str(1, name), ...msg(2, msg(1, [...int(1, type), ...msg(2, shape)]))];
}

function node(op: string, inputs: string[], outputs: string[], attrs: number[][] = []): number[] {
  return [
    ...inputs.flatMap((i) => str(1, i)),
    ...outputs.flatMap((o) => str(2, o)),
    ...str(4, op),
    ...attrs.flatMap((a) => msg(5, a)),
  ];
}

/** An ONNX model: last_hidden_state = Gather(table, input_ids) * float(attention_mask)[..., None]. */
export function embeddingModel(table: Float32Array, vocab: number, dim: number): Uint8Array {
  const graph = [
    ...msg(1, node('Gather', ['table', 'input_ids'], ['tokens'])),
    ...msg(
      1,
      node('Cast', ['attention_mask'], ['mask_f'], [[...str(1, 'to'), ...int(20, 2), ...int(3, FLOAT)]]),
    ),
    ...msg(1, node('Unsqueeze', ['mask_f', 'axes'], ['mask_3d'])),
    ...msg(1, node('Mul', ['tokens', 'mask_3d'], ['last_hidden_state'])),
    ...str(2, 'tiny-embeddings'),
    ...msg(5, tensor('table', [vocab, dim], FLOAT, new Uint8Array(table.buffer))),
    ...msg(5, tensor('axes', [1], INT64, new Uint8Array(BigInt64Array.of(2n).buffer))),
    ...msg(11, valueInfo('input_ids', INT64, ['batch', 'tokens'])),
    ...msg(11, valueInfo('attention_mask', INT64, ['batch', 'tokens'])),
    ...msg(12, valueInfo('last_hidden_state', FLOAT, ['batch', 'tokens', dim])),
  ];
  return Uint8Array.from([
    ...int(1, 8),
    ...str(2, 'lockstep-tests'),
    ...msg(7, graph),
    ...msg(8, [...str(1, ''), ...int(2, 13)]),
  ]);
}

/** Concepts: words (any language) that share one vector. */
export const CONCEPTS: string[][] = [
  ['people', 'citizens', 'مردم'],
  ['deserve', 'right', 'حق'],
  ['know', 'learn', 'بدانند'],
  ['truth', 'حقیقت'],
  ['cities', 'towns', 'شهرها'],
];
/** Words with a zero vector (they count as tokens but carry no direction). */
export const FUNCTION_WORDS = [
  'the',
  'to',
  'a',
  'of',
  'in',
  'our',
  'را',
  'دارند',
  'در',
  'و',
  'about',
  'what',
  'is',
];
/** Other words, each with its own random vector. */
export const OTHER_WORDS =
  'budget hospital committee approved weather harbour football market train station music festival bread coffee road bridge rain sun school children بازار قطار باران نان قهوه مدرسه'.split(
    ' ',
  );

/** Writes model.onnx and tokenizer.json into `dir`; returns `dir`. */
export function writeTinyModel(dir: string, dim = 16, seed = 5): string {
  mkdirSync(dir, { recursive: true });
  const specials = ['[PAD]', '[UNK]', '[CLS]', '[SEP]'];
  const words = [...specials, ...CONCEPTS.flat(), ...FUNCTION_WORDS, ...OTHER_WORDS];
  const vocab = Object.fromEntries(words.map((w, i) => [w, i]));
  const rng = new Rng(seed);
  const randomUnit = () => {
    const v = Array.from({ length: dim }, () => rng.normal());
    const n = Math.hypot(...v);
    return v.map((x) => x / n);
  };
  const table = new Float32Array(words.length * dim);
  const conceptVectors = CONCEPTS.map(randomUnit);
  words.forEach((w, i) => {
    const c = CONCEPTS.findIndex((ws) => ws.includes(w));
    const v =
      c >= 0 ? conceptVectors[c]! : specials.includes(w) || FUNCTION_WORDS.includes(w) ? null : randomUnit();
    if (v) table.set(v, i * dim);
  });
  writeFileSync(join(dir, 'model.onnx'), embeddingModel(table, words.length, dim));
  const special = (content: string) => ({
    id: vocab[content],
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  });
  writeFileSync(
    join(dir, 'tokenizer.json'),
    JSON.stringify({
      version: '1.0',
      truncation: null,
      padding: null,
      added_tokens: specials.map(special),
      normalizer: {
        type: 'BertNormalizer',
        clean_text: true,
        handle_chinese_chars: true,
        strip_accents: false,
        lowercase: true,
      },
      pre_tokenizer: { type: 'BertPreTokenizer' },
      post_processor: {
        type: 'TemplateProcessing',
        single: [
          { SpecialToken: { id: '[CLS]', type_id: 0 } },
          { Sequence: { id: 'A', type_id: 0 } },
          { SpecialToken: { id: '[SEP]', type_id: 0 } },
        ],
        pair: [
          { SpecialToken: { id: '[CLS]', type_id: 0 } },
          { Sequence: { id: 'A', type_id: 0 } },
          { SpecialToken: { id: '[SEP]', type_id: 0 } },
          { Sequence: { id: 'B', type_id: 1 } },
          { SpecialToken: { id: '[SEP]', type_id: 1 } },
        ],
        special_tokens: {
          '[CLS]': { id: '[CLS]', ids: [vocab['[CLS]']], tokens: ['[CLS]'] },
          '[SEP]': { id: '[SEP]', ids: [vocab['[SEP]']], tokens: ['[SEP]'] },
        },
      },
      decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
      model: {
        type: 'WordPiece',
        unk_token: '[UNK]',
        continuing_subword_prefix: '##',
        max_input_chars_per_word: 100,
        vocab,
      },
    }),
  );
  writeFileSync(
    join(dir, 'tokenizer_config.json'),
    JSON.stringify({ pad_token: '[PAD]', model_max_length: 128 }),
  );
  return dir;
}

/** The same embedding as the model computes (mean of word vectors, L2-normalised), for a fake HTTP server. */
export function bagOfConcepts(text: string, dim = 16, seed = 5): number[] {
  const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  const rng = new Rng(seed);
  const vectors = new Map<string, number[]>();
  const randomUnit = () => {
    const v = Array.from({ length: dim }, () => rng.normal());
    const n = Math.hypot(...v);
    return v.map((x) => x / n);
  };
  const conceptVectors = CONCEPTS.map(randomUnit);
  for (const w of OTHER_WORDS) vectors.set(w, randomUnit());
  CONCEPTS.forEach((ws, c) => {
    for (const w of ws) vectors.set(w, conceptVectors[c]!);
  });
  const sum = new Array(dim).fill(0);
  for (const w of words) {
    const v = vectors.get(w);
    if (v) for (let k = 0; k < dim; k++) sum[k] += v[k]!;
  }
  const n = Math.hypot(...sum) || 1;
  return sum.map((x) => x / n);
}
