/**
 * The semantic tier through its two providers: a local ONNX model run by onnxruntime-node (a tiny
 * deterministic model written by the test, test/helpers/onnx.ts) and an OpenAI-compatible embeddings
 * endpoint (a local fake server on 127.0.0.1). A Persian translation of an English talking point,
 * which the lexical tier cannot see, is found as a semantic echo; an unrelated document is not.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.js';
import { traceEchoes } from '../../src/echo/index.js';
import { HttpEmbeddings } from '../../src/echo/semantic/http.js';
import { cosine, embeddingProvider } from '../../src/echo/semantic/index.js';
import { OnnxEmbeddings } from '../../src/echo/semantic/onnx.js';
import { ingestDocuments } from '../../src/ingest/documents/index.js';
import { ingestFile } from '../../src/ingest/pipeline.js';
import { Store } from '../../src/store/store.js';
import { lockstep } from '../helpers/cli.js';
import { bagOfConcepts, writeTinyModel } from '../helpers/onnx.js';
import { scratch } from '../helpers/store.js';

const tmp = scratch();
const TP = 'The people deserve to know the truth about our cities';
const model = writeTinyModel(join(tmp.dir, 'model'));
let server: Server;
let url: string;
const requests: { model?: string; input: string[]; auth?: string }[] = [];
let store: Store;
const db = join(tmp.dir, 'semantic.duckdb');

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const json = JSON.parse(body) as { model?: string; input: string[] };
      requests.push({ ...json, auth: req.headers.authorization });
      if (json.model === 'broken') {
        res.writeHead(500, { 'content-type': 'text/plain' }).end('model crashed');
        return;
      }
      // Answers in reverse order with explicit indices, as some servers do.
      const data = json.input.map((t, index) => ({ index, embedding: bagOfConcepts(t) })).reverse();
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  // Three accounts post the talking point (a family); documents: a Persian translation, an English
  // verbatim quote, an unrelated English article.
  const posts = ['a1', 'a2', 'a3'].map((a, i) => `${a},2024-06-0${i + 1}T10:00:00Z,${TP} #now`).join('\n');
  const postsFile = tmp.file('posts.csv', `account,time,text\n${posts}\n`);
  const docs = [
    {
      id: 'fa',
      text: 'سخنرانی وزیر. مردم حق دارند حقیقت را در شهرها بدانند. نان و قهوه در بازار.',
      date: '2024-06-05T10:00:00Z',
      lang: 'fa',
    },
    { id: 'en', text: `Opening remarks. ${TP}. Thank you.`, date: '2024-06-06T10:00:00Z', lang: 'en' },
    {
      id: 'other',
      text: 'The committee approved the hospital budget. Rain and sun at the harbour.',
      date: '2024-06-06T10:00:00Z',
      lang: 'en',
    },
  ];
  const docsFile = tmp.file('docs.jsonl', docs.map((d) => JSON.stringify(d)).join('\n'));
  store = await Store.open(db, { memoryLimit: '1GB', threads: 2 });
  await ingestFile(store, postsFile, {
    format: 'generic',
    formatOptions: { mapping: { columns: { account_id: 'account', created_at: 'time', text: 'text' } } },
  });
  await ingestDocuments(store, docsFile);
});
afterAll(async () => {
  store?.close();
  await new Promise((r) => server?.close(r));
  tmp.cleanup();
});

describe('the ONNX provider', () => {
  it('embeds a sentence and its translation alike, and unrelated sentences apart', async () => {
    const provider = await OnnxEmbeddings.load(model);
    const [en, fa, other] = await provider.embed([
      TP,
      'مردم حق دارند حقیقت را در شهرها بدانند',
      'The committee approved the hospital budget',
    ]);
    expect(cosine(en!, fa!)).toBeGreaterThan(0.99);
    expect(cosine(en!, other!)).toBeLessThan(0.6);
    // Deterministic: the same input gives the same vector.
    expect([...(await provider.embed([TP]))[0]!]).toEqual([...en!]);
    await provider.close();
  });

  it('finds the translation as a semantic echo, the quote as a lexical one, and not the unrelated article', async () => {
    const provider = await embeddingProvider(model);
    const result = await traceEchoes(store, { from: 'all', semantic: { provider, minCosine: 0.8 } });
    await provider.close?.();
    const byDoc = new Map(result.echoes.map((e) => [e.document.docId, e]));
    expect([...byDoc.keys()].sort()).toEqual(['en', 'fa']);
    expect(byDoc.get('en')).toMatchObject({ tier: 'lexical', status: 'echo' });
    const fa = byDoc.get('fa')!;
    expect(fa).toMatchObject({ tier: 'semantic', status: 'echo', lexical: null });
    expect(fa.cosine).toBeGreaterThan(0.9);
    expect(fa.passages[0]!.docText).toBe('مردم حق دارند حقیقت را در شهرها بدانند');
    expect(fa.lag!.seconds).toBe(4 * 86_400);
    expect(result.parameters.semantic).toMatchObject({
      provider: expect.stringMatching(/^onnx:.*model\.onnx$/),
    });
    expect(result.limits.some((l) => l.startsWith('lexical tier only'))).toBe(false);
  });

  it('says in one line what is missing', async () => {
    await expect(OnnxEmbeddings.load(join(tmp.dir, 'no-model'))).rejects.toThrow(UsageError);
    await expect(OnnxEmbeddings.load(tmp.file('model.onnx', 'not a model'))).rejects.toThrow(UsageError);
  });
});

describe('the OpenAI-compatible endpoint provider', () => {
  it('sends the model and key, reorders by index, and finds the same echoes', async () => {
    process.env.LOCKSTEP_EMBEDDINGS_KEY = 'secret-key';
    const provider = new HttpEmbeddings({ url, model: 'tiny' });
    const [a, b] = await provider.embed([TP, 'مردم حق دارند حقیقت را در شهرها بدانند']);
    expect(cosine(a!, b!)).toBeGreaterThan(0.99);
    expect(requests.at(-1)).toMatchObject({ model: 'tiny', auth: 'Bearer secret-key' });
    const result = await traceEchoes(store, { from: 'all', semantic: { provider } });
    delete process.env.LOCKSTEP_EMBEDDINGS_KEY;
    expect(result.echoes.find((e) => e.document.docId === 'fa')?.tier).toBe('semantic');
    expect(JSON.stringify(result)).not.toContain('secret-key');
  });

  it('turns a server error or an unreachable server into one line', async () => {
    await expect(new HttpEmbeddings({ url, model: 'broken' }).embed(['x'])).rejects.toThrow(
      /answered 500: model crashed/,
    );
    await expect(new HttpEmbeddings({ url: 'http://127.0.0.1:9/v1' }).embed(['x'])).rejects.toThrow(
      UsageError,
    );
    expect(() => new HttpEmbeddings({ url: 'not a url' })).toThrow(UsageError);
  });

  it('runs from the command line', async () => {
    store.close();
    const run = await lockstep(
      tmp.dir,
      'echo',
      '--db',
      db,
      '--from',
      'all',
      '--embeddings',
      url,
      '--embeddings-model',
      'tiny',
      '-q',
    );
    store = await Store.open(db, { memoryLimit: '1GB', threads: 2 });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/2 echoes in 2 documents \(1 lexical, 1 semantic\)/);
    expect(run.stdout).toMatch(/cosine 1\.00 \(semantic\)/);
  });
});
