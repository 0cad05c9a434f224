#!/usr/bin/env node
// Influence-layer benchmark (issue 8, docs/influence.md): on a synthetic FollowTheMoney stream of
// N party entities (default 1M entities, ~5M statements: persons, organisations and companies with
// names, countries, identifiers, addresses; payments, representations and contacts between them;
// about one party in ten is a second record of another, respelt, for resolution to find):
//   import   `importEntities` of the whole stream into a fresh store (target: 1M entities <= 60 s)
//   resolve  `resolveEntities` over every party (target: 1M <= 5 min)
//   match    `matchEntities` of 200 respelt names, one query at a time (target: p95 <= 50 ms)
//   map      `mapPaths` between 100 random pairs of parties, max 6 hops (target: p95 <= 200 ms;
//            the first call builds the in-memory graph, reported apart)
// Each step runs in its own process (its own peak RSS); the figures go to BENCHMARKS.md between
// <!-- influence:start --> and <!-- influence:end -->.
//
//   npm run bench:influence        # 1M entities
//   node bench/influence.mjs 100k  # another size
import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { log, machine, out, root, sizes, writeSection } from './shared.mjs';

const [size] = sizes(['1m']);
const file = join(out, `entities-${size}.ftm.jsonl`);
const db = join(out, `entities-${size}.duckdb`);

// --- the synthetic stream ------------------------------------------------------------------------

/** A small deterministic generator (mulberry32), so every run writes the same file. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const FIRST =
  'James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara Richard Susan Joseph Jessica Thomas Sarah Ali Maryam Reza Zahra Mohammad Fatemeh Hossein Sara Olivia Ahmed Fatima Omar Layla Ivan Olga Dmitri Anna Wei Li Chen Hana Kenji Yuki Carlos Lucia Jorge Elena'.split(
    ' ',
  );
const LAST =
  'Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts Tehrani Rahimi Karimi Hosseini Mousavi Ivanov Petrov Sokolov Wang Zhang Liu Tanaka Sato Suzuki Rossi Bianchi Moreau Dubois Muller Schmidt Novak Horvat Kowalski Nowak'.split(
    ' ',
  );
const WORDS =
  'Atlas Beacon Cedar Delta Ember Falcon Granite Harbor Iris Juniper Keystone Lantern Meridian Nova Orchid Pinnacle Quarry Raven Sierra Tundra Unity Vertex Willow Xenon Yarrow Zenith Amber Birch Cobalt Dune Echo Fjord Glacier Horizon Indigo Jasper Kestrel Lotus Maple Nimbus Onyx Prairie Quartz Ridge Summit Timber Umber Valley Wren'.split(
    ' ',
  );
const KINDS =
  'Holdings Group Partners Associates Strategies Capital Consulting Media Foundation Institute Council Trading Energy Logistics Advisors Networks Ventures'.split(
    ' ',
  );
const FORMS = ['LLC', 'Inc.', 'Ltd', 'GmbH', 'S.A.', 'PLC', ''];
const COUNTRIES = ['us', 'gb', 'de', 'fr', 'ir', 'ru', 'cn', 'ae', 'tr', 'br', 'in', 'ng', 'ua', 'jp', 'mx'];

function respell(name, r) {
  const ops = [
    (s) => s.replace(/ (LLC|Inc\.|Ltd|GmbH|S\.A\.|PLC)$/, ''),
    (s) => (s.includes(' ') ? `${s.split(' ').slice(-1)[0]}, ${s.split(' ').slice(0, -1).join(' ')}` : s),
    (s) => s.toUpperCase(),
    (s) => s.replace(/[aeiou](?=[a-z])/, (v) => (v === 'a' ? 'e' : 'a')),
    (s) => s.replace(/ /g, '  ').replace(/,/g, ''),
  ];
  return ops[Math.floor(r() * ops.length)](name);
}

async function writeStream(n) {
  const r = rng(42);
  const pick = (xs) => xs[Math.floor(r() * xs.length)];
  const tmp = `${file}.partial`;
  const w = createWriteStream(tmp);
  const write = (s) => (w.write(s) ? null : new Promise((ok) => w.once('drain', ok)));
  const parties = [];
  let statements = 0;
  const line = (e) => {
    for (const v of Object.values(e.properties)) statements += v.length;
    statements++;
    return `${JSON.stringify(e)}\n`;
  };
  let written = 0;
  for (let i = 0; written < n; i++) {
    // ~1 in 10 parties is a second, respelt record of an earlier one (what resolution must find).
    let e;
    if (parties.length > 100 && r() < 0.1) {
      const orig = parties[Math.floor(r() * parties.length)];
      e = {
        id: `p${i}`,
        schema: orig.schema === 'Company' ? 'LegalEntity' : orig.schema,
        properties: { name: [respell(orig.properties.name[0], r)], country: orig.properties.country },
      };
    } else if (r() < 0.5) {
      const name = `${pick(FIRST)} ${pick(FIRST)[0]}. ${pick(LAST)}`;
      e = {
        id: `p${i}`,
        schema: 'Person',
        properties: {
          name: [name],
          country: [pick(COUNTRIES)],
          birthDate: [`${1940 + Math.floor(r() * 60)}-0${1 + Math.floor(r() * 9)}-1${Math.floor(r() * 9)}`],
          idNumber: [`ID-${i}`],
        },
      };
    } else {
      const name = `${pick(WORDS)} ${pick(WORDS)} ${pick(KINDS)} ${pick(FORMS)}`.trim();
      e = {
        id: `p${i}`,
        schema: r() < 0.5 ? 'Company' : 'Organization',
        properties: {
          name: [name],
          country: [pick(COUNTRIES)],
          registrationNumber: [`R${i}`],
          address: [`${1 + Math.floor(r() * 999)} ${pick(WORDS)} Street, ${pick(WORDS)}`],
        },
      };
    }
    parties.push(e);
    await write(line(e));
    written++;
    // Relationships between parties: about one for every two parties.
    if (parties.length > 2 && written < n && r() < 0.5) {
      const a = parties[Math.floor(r() * parties.length)].id;
      const b = parties[Math.floor(r() * parties.length)].id;
      const kind = r();
      const date = `20${10 + Math.floor(r() * 14)}-0${1 + Math.floor(r() * 9)}-2${Math.floor(r() * 8)}`;
      const rel =
        kind < 0.5
          ? {
              id: `x${i}`,
              schema: 'Payment',
              properties: {
                payer: [a],
                beneficiary: [b],
                amount: [String(Math.floor(r() * 1e6))],
                currency: ['USD'],
                date: [date],
              },
            }
          : kind < 0.8
            ? {
                id: `x${i}`,
                schema: 'Representation',
                properties: { agent: [a], client: [b], role: ['registered agent'], startDate: [date] },
              }
            : {
                id: `x${i}`,
                schema: 'Event',
                properties: {
                  name: ['meeting'],
                  date: [date],
                  organizer: [a],
                  involved: [b],
                  keywords: ['meeting'],
                },
              };
      await write(line(rel));
      written++;
    }
  }
  await new Promise((ok) => w.end(ok));
  renameSync(tmp, file);
  return statements;
}

if (!existsSync(file)) {
  log(`writing ${size.toLocaleString('en')} FtM entities...`);
  const s = await writeStream(size);
  log(`  ${s.toLocaleString('en')} statements`);
}

// --- the steps, each in its own process ----------------------------------------------------------

const child = `
  import { readFileSync } from 'node:fs';
  import { Store, importEntities, resolveEntities, matchEntities, matchIndex, mapPaths, influenceGraph } from ${JSON.stringify(join(root, 'dist', 'index.js'))};
  const [mode, db, file] = process.argv.slice(1);
  const store = await Store.open(db, { memoryLimit: '6GB' });
  const t0 = performance.now();
  const out = {};
  const pct = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(p * s.length))]; };
  if (mode === 'import') {
    const r = await importEntities(store, file);
    Object.assign(out, { records: r.recordsRead, statements: r.statementsNew, entities: r.entitiesTouched });
  } else if (mode === 'resolve') {
    const r = await resolveEntities(store);
    Object.assign(out, { parties: r.entities, pairs: r.pairsScored, merged: r.merged, clusters: r.clusters });
  } else if (mode === 'match') {
    const names = (await store.all("SELECT value FROM statements WHERE prop = 'name' AND entity_id LIKE 'p%' ORDER BY hash(entity_id) LIMIT 200")).map((r) => r.value);
    const tb = performance.now();
    await matchIndex(store);
    out.buildSeconds = (performance.now() - tb) / 1000;
    const times = [];
    let matched = 0;
    for (const [i, name] of names.entries()) {
      const q = name.replace(/[aeiou](?=[a-z])/, 'y');
      const t = performance.now();
      const r = await matchEntities(store, { q: { schema: 'LegalEntity', properties: { name: [q] } } }, { limit: 5 });
      times.push(performance.now() - t);
      if (r.q.results[0]?.match) matched++;
    }
    Object.assign(out, { queries: names.length, matched, p50: pct(times, 0.5), p95: pct(times, 0.95), max: Math.max(...times) });
  } else if (mode === 'map') {
    const tb = performance.now();
    const g = await influenceGraph(store);
    out.buildSeconds = (performance.now() - tb) / 1000;
    out.nodes = g.keys.length;
    out.edges = g.edgeCount;
    // Pairs of parties: half drawn at random (mostly unconnected in a sparse graph), half joined by a
    // relationship two to four records long (a walk from the first), so that searches that find paths count.
    const ids = (await store.all("SELECT DISTINCT source_id AS id FROM entity_edges WHERE source_prop <> '' ORDER BY hash(source_id) LIMIT 200")).map((r) => r.id);
    const walk = (id, steps) => {
      let key = g.entityKey(id);
      if (!key) return null;
      let node = g.node(key);
      for (let s = 0; s < steps; s++) {
        const next = [...g.neighbours(node)];
        if (!next.length) return null;
        node = next[(s * 7 + id.length) % next.length][0];
      }
      return g.keys[node].startsWith('entity:') ? g.keys[node].slice(7) : null;
    };
    const pairs = [];
    // Two ids of one merged entity are one node: such pairs are not searches.
    const distinct = (a, b) => g.entityKey(a) !== g.entityKey(b);
    for (let i = 0; i + 1 < ids.length && pairs.length < 50; i += 2) if (distinct(ids[i], ids[i + 1])) pairs.push([ids[i], ids[i + 1]]);
    for (const id of ids) {
      if (pairs.length >= 100) break;
      const end = walk(id, 2 + (id.length % 3));
      if (end && distinct(id, end)) pairs.push([id, end]);
    }
    const times = [];
    let found = 0;
    for (const [a, b] of pairs) {
      const t = performance.now();
      const paths = await mapPaths(store, a, b, { maxHops: 6, limit: 10 });
      times.push(performance.now() - t);
      if (paths.length) found++;
    }
    Object.assign(out, { queries: times.length, found, p50: pct(times, 0.5), p95: pct(times, 0.95), max: Math.max(...times) });
  }
  out.seconds = (performance.now() - t0) / 1000;
  out.rssMiB = Math.round(process.resourceUsage().maxRSS / 1024);
  store.close();
  console.log(JSON.stringify(out));
`;

function step(mode) {
  log(`${mode}...`);
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', child, mode, db, file], {
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  if (r.status !== 0) {
    process.stderr.write(r.stderr);
    throw new Error(`${mode} failed`);
  }
  const result = JSON.parse(r.stdout.trim().split('\n').at(-1));
  log(`  ${JSON.stringify(result)}`);
  return result;
}

// STEPS=map (or match,map) reruns only those steps on the store the last run left, keeping the
// other figures of that run (bench/out/influence-N.results, JSON).
const cacheFile = join(out, `influence-${size}.results`);
const only = process.env.STEPS?.split(',');
const cache = only && existsSync(cacheFile) ? JSON.parse(readFileSync(cacheFile, 'utf8')) : {};
if (!only) {
  rmSync(db, { force: true });
  rmSync(`${db}.wal`, { force: true });
}
for (const mode of ['import', 'resolve', 'match', 'map']) {
  if (!only || only.includes(mode)) {
    cache[mode] = step(mode);
    writeFileSync(cacheFile, JSON.stringify(cache));
  }
}
const { import: imp, resolve: res, match: mat, map } = cache;

const ms = (x) => `${x.toFixed(1)} ms`;
const ok = (v, target) => (v <= target ? 'met' : '**missed**');
const section = `<!-- influence:start -->
## Influence layer (issue 8)

Measured ${new Date().toISOString().slice(0, 10)} on ${machine()}, with \`npm run bench:influence\`
(\`bench/influence.mjs\`, ${size.toLocaleString('en')} synthetic FtM entities: parties with names,
countries, identifiers, addresses; one in ten a respelt second record; payments, representations and
meetings between them). Each step in its own process; peak RSS per step.

| step | figure | target | | peak RSS |
|---|---|---|---|---|
| import | ${imp.records.toLocaleString('en')} entities, ${imp.statements.toLocaleString('en')} statements in ${imp.seconds.toFixed(1)} s | <= 60 s | ${ok(imp.seconds, 60)} | ${imp.rssMiB} MiB |
| resolve | ${res.parties.toLocaleString('en')} parties, ${res.pairs.toLocaleString('en')} pairs scored, ${res.merged.toLocaleString('en')} merges in ${res.seconds.toFixed(1)} s | <= 300 s | ${ok(res.seconds, 300)} | ${res.rssMiB} MiB |
| match | ${mat.queries} respelt names, p50 ${ms(mat.p50)}, p95 ${ms(mat.p95)}, max ${ms(mat.max)} (${mat.matched} marked match); index of every party built once in ${mat.buildSeconds.toFixed(1)} s | p95 <= 50 ms | ${ok(mat.p95, 50)} | ${mat.rssMiB} MiB |
| map | ${map.queries} pairs (half random, half joined by a walk of 2-4 records), max 6 hops, p50 ${ms(map.p50)}, p95 ${ms(map.p95)}, max ${ms(map.max)} (${map.found} connected); graph of ${map.nodes.toLocaleString('en')} nodes and ${map.edges.toLocaleString('en')} edges built once in ${map.buildSeconds.toFixed(1)} s | p95 <= 200 ms | ${ok(map.p95, 200)} | ${map.rssMiB} MiB |

The match and map figures are per query in a process that keeps the store open (a library user, the
workbench's server): the match index and the graph are built on the first query and kept until the
store changes. A one-shot \`lockstep entities match\` or \`lockstep map\` pays the build too.
<!-- influence:end -->`;
writeSection('influence', section);
log(
  readFileSync(join(root, 'BENCHMARKS.md'), 'utf8').includes('influence:start')
    ? 'BENCHMARKS.md updated'
    : 'BENCHMARKS.md not updated',
);
