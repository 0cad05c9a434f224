/**
 * Exports of the influence layer:
 * - FollowTheMoney JSON Lines: one canonical entity per line (`id`, `schema`, `properties`,
 *   `referents` = the source ids merged into it, `datasets`, `caption`), entity references
 *   rewritten to canonical ids, as OpenSanctions publishes resolved data; every line validates
 *   against the FtM model (`validateEntity`) and the file imports back (`lockstep entities import`);
 * - GEXF 1.3 and GraphML of every layer (`InfluenceGraph`): entity, account, cluster, domain and
 *   document nodes with their kind; one edge per record (relationship, contact, link, membership)
 *   with its label, date and strength, directed as the record reads (payer -> beneficiary);
 * - CSV (formula-safe, report/csv.ts): entities, relationships (every edge with its source) and
 *   payments (with amount, currency, date and the source file, row and URL).
 */
import { join } from 'node:path';
import {
  captionOf,
  commonSchema,
  FTM_VERSION,
  propertyOf,
  schemaOf,
  validateEntity,
} from '../../entities/model.js';
import { type InfluenceGraph, influenceGraph } from '../../entities/query/map.js';
import { fetchFields } from '../../store/bulk.js';
import type { Store } from '../../store/store.js';
import { csvLines } from '../csv.js';
import { ensureFolder, writeFileAtomic } from './files.js';
import { xmlEscape, xmlNumber, xmlToken } from './xml.js';

export interface FtmEntity {
  id: string;
  schema: string;
  caption: string;
  properties: Record<string, string[]>;
  referents: string[];
  datasets: string[];
}

/**
 * Canonical entities of the store, merged from their members' statements, in id order. Values of
 * properties the merged schema lacks (none once resolution keeps schemata compatible) are counted in
 * `dropped`, not written.
 */
export async function* canonicalEntities(store: Store, dropped = { count: 0 }): AsyncGenerator<FtmEntity> {
  const rows = await fetchFields(
    store,
    `WITH s AS (
       SELECT coalesce(c.canonical_id, s.entity_id) AS cid, s.entity_id, s.schema, s.prop, s.dataset,
         CASE WHEN s.prop_type = 'entity' THEN coalesce(v.canonical_id, s.value) ELSE s.value END AS value
       FROM statements s LEFT JOIN entity_canonical c ON c.entity_id = s.entity_id
       LEFT JOIN entity_canonical v ON v.entity_id = s.value),
     d AS (SELECT DISTINCT cid, entity_id, schema, prop, dataset, value FROM s)
     SELECT cid, string_agg(DISTINCT entity_id, chr(29)) AS members, string_agg(DISTINCT schema, chr(29)) AS schemata,
       string_agg(DISTINCT dataset, chr(29)) AS datasets,
       string_agg(CASE WHEN prop <> 'id' THEN prop || chr(28) || value END, chr(29)) AS props
     FROM (SELECT DISTINCT cid, entity_id, schema, dataset, CASE WHEN prop <> 'id' THEN prop END AS prop, CASE WHEN prop <> 'id' THEN value END AS value FROM d)
     GROUP BY cid ORDER BY cid`,
    ['cid', 'members', 'schemata', 'datasets', 'props'],
  );
  // Referents an imported FtM stream named (kept as judgements) count as members when not resolved yet.
  const referents = new Map<string, string[]>();
  for (const r of await store.all<{ left_id: string; right_id: string }>(
    `SELECT left_id, right_id FROM entity_judgements WHERE origin LIKE 'referents:%' AND judgement = 'same'`,
  ))
    referents.set(r.left_id, [...(referents.get(r.left_id) ?? []), r.right_id]);
  for (const [cid, members, schemata, datasets, props] of rows) {
    let schema: string | null = null;
    for (const s of schemata!.split('\u001d'))
      schema = schema === null ? s : (commonSchema(schema, s) ?? 'LegalEntity');
    const properties: Record<string, string[]> = {};
    for (const pair of props ? props.split('\u001d') : []) {
      const cut = pair.indexOf('\u001c');
      const prop = pair.slice(0, cut);
      const list = properties[prop] ?? [];
      properties[prop] = list;
      list.push(pair.slice(cut + 1));
    }
    const model = schemaOf(schema ?? 'LegalEntity');
    for (const [prop, list] of Object.entries(properties)) {
      // A value of a property the merged schema does not have cannot be written as FtM: counted, left out.
      if (model && !propertyOf(model, prop)) {
        dropped.count += list.length;
        delete properties[prop];
      } else properties[prop] = [...new Set(list)].sort();
    }
    yield {
      id: cid!,
      schema: schema ?? 'LegalEntity',
      caption: captionOf(schema ?? 'LegalEntity', properties),
      properties,
      referents: [...new Set([...members!.split('\u001d'), ...(referents.get(cid!) ?? [])])]
        .filter((m) => m !== cid)
        .sort(),
      datasets: datasets!.split('\u001d').sort(),
    };
  }
}

export interface FtmExportResult {
  path: string;
  entities: number;
  /** Entities that failed validation against the model (none expected; listed with the problem). */
  invalid: { entityId: string; problem: string }[];
  /** Values left out because the merged entity's schema has no such property. */
  dropped: number;
}

/** Writes the canonical entities as FtM JSON Lines, validating each against the model. */
export async function exportFtm(store: Store, path: string): Promise<FtmExportResult> {
  const lines: string[] = [];
  const invalid: FtmExportResult['invalid'] = [];
  const dropped = { count: 0 };
  for await (const e of canonicalEntities(store, dropped)) {
    invalid.push(...validateEntity(e));
    lines.push(JSON.stringify(e));
  }
  writeFileAtomic(
    path,
    (function* () {
      for (const l of lines) yield `${l}\n`;
    })(),
  );
  return { path, entities: lines.length, invalid, dropped: dropped.count };
}

// --- graphs ------------------------------------------------------------------------------------

const kindOf = (key: string) => key.slice(0, key.indexOf(':'));

async function nodeLabels(
  store: Store,
  g: InfluenceGraph,
): Promise<Map<string, { label: string; schema: string }>> {
  const out = new Map<string, { label: string; schema: string }>();
  const rows = await fetchFields(
    store,
    `SELECT coalesce(c.canonical_id, e.entity_id) AS id, min_by(coalesce(e.caption, e.schema), length(coalesce(e.caption, e.schema))) AS caption, min(e.schema) AS schema
     FROM entities e LEFT JOIN entity_canonical c USING (entity_id) GROUP BY 1`,
    ['id', 'caption', 'schema'],
  );
  const entities = new Map(rows.map(([id, caption, schema]) => [id!, { label: caption!, schema: schema! }]));
  for (const key of g.keys) {
    const id = key.slice(key.indexOf(':') + 1);
    out.set(
      key,
      kindOf(key) === 'entity'
        ? (entities.get(id) ?? { label: id, schema: 'Thing' })
        : { label: key, schema: '' },
    );
  }
  return out;
}

/** Node kinds' colours (Paul Tol's "bright" scheme), so the layers show in Gephi as soon as the file opens. */
const KIND_COLOUR: Record<string, [number, number, number]> = {
  entity: [0x44, 0x77, 0xaa],
  account: [0xee, 0x66, 0x77],
  cluster: [0xaa, 0x33, 0x77],
  domain: [0x22, 0x88, 0x33],
  document: [0xcc, 0xbb, 0x44],
};

export async function* influenceGexf(store: Store): AsyncGenerator<string> {
  const g = await influenceGraph(store);
  const labels = await nodeLabels(store, g);
  yield '<?xml version="1.0" encoding="UTF-8"?>\n<gexf xmlns="http://gexf.net/1.3" xmlns:viz="http://gexf.net/1.3/viz" version="1.3">\n';
  yield `  <meta><creator>Lockstep (influence layer, FtM ${FTM_VERSION})</creator><description>Entities, accounts, clusters, domains and documents, one edge per record</description></meta>\n`;
  yield '  <graph mode="static" defaultedgetype="directed" idtype="string">\n';
  yield '    <attributes class="node">\n      <attribute id="kind" title="kind" type="string"/>\n      <attribute id="schema" title="schema" type="string"/>\n    </attributes>\n';
  yield '    <attributes class="edge">\n      <attribute id="record" title="record" type="string"/>\n      <attribute id="date" title="date" type="string"/>\n      <attribute id="strength" title="strength" type="double"/>\n    </attributes>\n';
  yield `    <nodes count="${g.keys.length}">\n`;
  for (const key of g.keys) {
    const l = labels.get(key)!;
    const [r, gg, b] = KIND_COLOUR[kindOf(key)] ?? [0xbb, 0xbb, 0xbb];
    yield `      <node id="${xmlEscape(key)}" label="${xmlEscape(xmlToken(l.label) || key)}"><attvalues><attvalue for="kind" value="${kindOf(key)}"/>${l.schema ? `<attvalue for="schema" value="${xmlEscape(l.schema)}"/>` : ''}</attvalues><viz:color r="${r}" g="${gg}" b="${b}"/></node>\n`;
  }
  yield '    </nodes>\n    <edges>\n';
  for (const [e, a, b] of edgeEnds(g)) {
    const date = g.dates[e];
    yield `      <edge id="e${e}" source="${xmlEscape(g.keys[a]!)}" target="${xmlEscape(g.keys[b]!)}" label="${xmlEscape(xmlToken(g.labels[e]!))}" weight="${xmlNumber(g.strengths[e]!) ?? 1}"><attvalues><attvalue for="record" value="${xmlEscape(g.records[e]!)}"/>${date ? `<attvalue for="date" value="${xmlEscape(date)}"/>` : ''}<attvalue for="strength" value="${xmlNumber(g.strengths[e]!) ?? 1}"/></attvalues></edge>\n`;
  }
  yield '    </edges>\n  </graph>\n</gexf>\n';
}

export async function* influenceGraphml(store: Store): AsyncGenerator<string> {
  const g = await influenceGraph(store);
  const labels = await nodeLabels(store, g);
  yield '<?xml version="1.0" encoding="UTF-8"?>\n<graphml xmlns="http://graphml.graphdrawing.org/xmlns">\n';
  for (const [id, forWhat, name, type] of [
    ['label', 'node', 'label', 'string'],
    ['kind', 'node', 'kind', 'string'],
    ['schema', 'node', 'schema', 'string'],
    ['edge_label', 'edge', 'label', 'string'],
    ['edge_record', 'edge', 'record', 'string'],
    ['edge_date', 'edge', 'date', 'string'],
    ['edge_weight', 'edge', 'weight', 'double'],
  ])
    yield `  <key id="${id}" for="${forWhat}" attr.name="${name}" attr.type="${type}"/>\n`;
  yield '  <graph id="influence" edgedefault="directed">\n';
  for (const key of g.keys) {
    const l = labels.get(key)!;
    yield `    <node id="${xmlEscape(key)}"><data key="label">${xmlEscape(l.label)}</data><data key="kind">${kindOf(key)}</data>${l.schema ? `<data key="schema">${xmlEscape(l.schema)}</data>` : ''}</node>\n`;
  }
  for (const [e, a, b] of edgeEnds(g)) {
    const date = g.dates[e];
    yield `    <edge id="e${e}" source="${xmlEscape(g.keys[a]!)}" target="${xmlEscape(g.keys[b]!)}"><data key="edge_label">${xmlEscape(g.labels[e]!)}</data><data key="edge_record">${xmlEscape(g.records[e]!)}</data>${date ? `<data key="edge_date">${xmlEscape(date)}</data>` : ''}<data key="edge_weight">${xmlNumber(g.strengths[e]!) ?? 1}</data></edge>\n`;
  }
  yield '  </graph>\n</graphml>\n';
}

/** Each edge once, in the direction the record reads. */
function* edgeEnds(g: InfluenceGraph): Generator<[number, number, number]> {
  for (let e = 0; e < g.edgeCount; e++) {
    const [from, to] = g.ends(e);
    yield [e, from, to];
  }
}

/** Writes an export produced in pieces (a graph) atomically. */
export async function writeChunks(path: string, chunks: AsyncIterable<string>): Promise<string> {
  const pieces: string[] = [];
  for await (const c of chunks) pieces.push(c);
  return writeFileAtomic(path, pieces);
}

// --- CSV ---------------------------------------------------------------------------------------

/** The payments table's columns: the query's alias and the CSV header. */
const PAYMENT_COLUMNS: [string, string][] = [
  ['entity_id', 'payment'],
  ['payer', 'payer'],
  ['beneficiary', 'beneficiary'],
  ['amount', 'amount'],
  ['currency', 'currency'],
  ['date', 'date'],
  ['purpose', 'purpose'],
  ['file_name', 'source_file'],
  ['source_row', 'source_row'],
  ['source_url', 'source_url'],
];

export async function writeInfluenceCsv(store: Store, dir: string): Promise<string[]> {
  ensureFolder(dir);
  const written: string[] = [];
  const entities: (string | number)[][] = [];
  for await (const e of canonicalEntities(store))
    entities.push([
      e.id,
      e.schema,
      e.caption,
      e.referents.length + 1,
      e.datasets.join(';'),
      (e.properties.country ?? []).join(';'),
      (e.properties.registrationNumber ?? []).join(';'),
    ]);
  written.push(
    writeFileAtomic(
      join(dir, 'entities.csv'),
      csvLines(
        ['id', 'schema', 'caption', 'records', 'datasets', 'countries', 'registration_numbers'],
        entities,
      ),
    ),
  );
  const g = await influenceGraph(store);
  const rels: (string | number | null)[][] = [];
  for (const [e, a, b] of edgeEnds(g))
    rels.push([g.keys[a]!, g.keys[b]!, g.labels[e]!, g.records[e]!, g.dates[e] ?? null, g.strengths[e]!]);
  written.push(
    writeFileAtomic(
      join(dir, 'relationships.csv'),
      csvLines(['from', 'to', 'label', 'record', 'date', 'strength'], rels),
    ),
  );
  const payments = await fetchFields(
    store,
    `SELECT p.entity_id, coalesce(cp.canonical_id, pp.value) AS payer, coalesce(cb.canonical_id, pb.value) AS beneficiary,
       a.value AS amount, cur.value AS currency, d.value AS date, pu.value AS purpose, i.file_name, s.source_row, s.source_url
     FROM (SELECT DISTINCT entity_id FROM statements WHERE schema = 'Payment') p
     LEFT JOIN statements pp ON pp.entity_id = p.entity_id AND pp.prop = 'payer'
     LEFT JOIN statements pb ON pb.entity_id = p.entity_id AND pb.prop = 'beneficiary'
     LEFT JOIN entity_canonical cp ON cp.entity_id = pp.value LEFT JOIN entity_canonical cb ON cb.entity_id = pb.value
     LEFT JOIN (SELECT entity_id, min(value) AS value FROM statements WHERE prop = 'amount' GROUP BY 1) a ON a.entity_id = p.entity_id
     LEFT JOIN (SELECT entity_id, min(value) AS value FROM statements WHERE prop = 'currency' GROUP BY 1) cur ON cur.entity_id = p.entity_id
     LEFT JOIN (SELECT entity_id, min(value) AS value FROM statements WHERE prop = 'date' GROUP BY 1) d ON d.entity_id = p.entity_id
     LEFT JOIN (SELECT entity_id, min(value) AS value FROM statements WHERE prop = 'purpose' GROUP BY 1) pu ON pu.entity_id = p.entity_id
     LEFT JOIN (SELECT entity_id, min(ingest_id) AS ingest_id, min(source_row) AS source_row, min(source_url) AS source_url FROM statements WHERE prop = 'id' GROUP BY 1) s ON s.entity_id = p.entity_id
     LEFT JOIN ingests i ON i.ingest_id = s.ingest_id ORDER BY 6, 1`,
    PAYMENT_COLUMNS.map(([column]) => column),
  );
  written.push(
    writeFileAtomic(
      join(dir, 'payments.csv'),
      csvLines(
        PAYMENT_COLUMNS.map(([, header]) => header),
        payments.map((r) =>
          r.map((v, i) => (i === 3 && v !== '' ? Number(v) : i === 8 && v !== '' ? Number(v) : v || null)),
        ),
      ),
    ),
  );
  return written;
}
