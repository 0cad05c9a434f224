/**
 * The derived entity tables (`entities`, `entity_edges`), rebuilt from the statements of the ids an
 * import touched. Statements are the truth; these two tables are indexes over them for the
 * queries (show, map, resolve) and are rebuilt, never edited.
 */
import type { Store } from '../store/store.js';
import { commonSchema, FTM_MODEL } from './model.js';

/** (schema, source property, target property) for every FtM edge schema, plus Event's organizer -> involved. */
export const EDGE_SPECS: { schema: string; source: string; target: string }[] = (() => {
  const specs: { schema: string; source: string; target: string }[] = [];
  for (const s of FTM_MODEL.getSchemata()) {
    if (s.edge?.source && s.edge.target)
      specs.push({ schema: s.name, source: s.edge.source, target: s.edge.target });
  }
  return specs;
})();

const EDGE_SCHEMATA = new Set(EDGE_SPECS.map((s) => s.schema));
const sql = (s: string) => `'${s.replaceAll("'", "''")}'`;
const SPEC_VALUES = EDGE_SPECS.map((s) => `(${sql(s.schema)}, ${sql(s.source)}, ${sql(s.target)})`).join(
  ', ',
);
const EDGE_LIST = [...EDGE_SCHEMATA].map(sql).join(', ');

/** Caption properties in the order FtM prefers them across schemata (model.ts `captionOf` for one entity). */
const CAPTION_PROPS = ['name', 'title', 'username', 'fileName', 'email', 'registrationNumber'];

/**
 * Rebuilds `entities` and `entity_edges` for the entity ids in the temporary table `touched`
 * (column entity_id). Entities named with several schemata get their common schema (FtM's rule);
 * relationship rows repeat for every (source, target) value pair.
 */
export async function rebuildDerived(store: Store, everything = false): Promise<void> {
  // The touched ids' statements; the whole table when every id was touched (a first import).
  const src = everything ? 'statements' : '(SELECT s.* FROM statements s JOIN touched USING (entity_id))';
  if (everything) await store.run('DELETE FROM entities');
  else await store.run(`DELETE FROM entities WHERE entity_id IN (SELECT entity_id FROM touched)`);
  const caption = `coalesce(${CAPTION_PROPS.map(
    (p) => `min_by(value, length(value)) FILTER (WHERE prop = '${p}')`,
  ).join(', ')})`;
  // Schema and datasets from the base statements (one per entity and record), captions from the
  // name-like statements: two small aggregations instead of one over every statement.
  await store.run(`INSERT INTO entities
    SELECT b.entity_id, b.schema, c.caption, b.datasets
    FROM (SELECT entity_id, min(schema) AS schema, list(DISTINCT dataset ORDER BY dataset) AS datasets
          FROM ${src} WHERE prop = 'id' GROUP BY entity_id) b
    LEFT JOIN (SELECT entity_id, ${caption} AS caption FROM ${src}
               WHERE prop IN (${CAPTION_PROPS.map((p) => `'${p}'`).join(', ')}) GROUP BY entity_id) c USING (entity_id)`);
  // Entities stated with more than one schema: the most specific one they agree on.
  const mixed = await store.all<{ entity_id: string; schemata: string[] }>(
    `SELECT entity_id, list(DISTINCT schema) AS schemata FROM ${src} WHERE prop = 'id'
     GROUP BY entity_id HAVING count(DISTINCT schema) > 1`,
  );
  for (const m of mixed) {
    let schema: string | null = m.schemata[0]!;
    for (const other of m.schemata.slice(1)) schema = schema ? commonSchema(schema, other) : null;
    await store.run(`UPDATE entities SET schema = ? WHERE entity_id = ?`, [
      schema ?? 'LegalEntity',
      m.entity_id,
    ]);
  }
  const ents = everything ? 'entities e' : 'entities e JOIN touched USING (entity_id)';
  if (everything) await store.run('DELETE FROM entity_edges');
  else await store.run(`DELETE FROM entity_edges WHERE rel_id IN (SELECT entity_id FROM touched)`);
  await store.run(`CREATE OR REPLACE TEMP TABLE touched_dates AS
    SELECT entity_id, min(value) FILTER (WHERE prop IN ('startDate', 'date')) AS sd,
           max(value) FILTER (WHERE prop = 'endDate') AS ed
    FROM ${src} WHERE prop IN ('startDate', 'date', 'endDate') GROUP BY entity_id`);
  await store.run(`CREATE OR REPLACE TEMP TABLE touched_refs AS
    SELECT DISTINCT entity_id, prop, value FROM ${src} WHERE prop_type = 'entity'`);
  const dates = 'dt.sd';
  const ends = 'dt.ed';
  // FtM edge schemata: source -> target.
  await store.run(`INSERT INTO entity_edges
    SELECT DISTINCT e.entity_id, e.schema, spec.sp, s.value, spec.tp, t.value, ${dates}, ${ends}
    FROM ${ents} LEFT JOIN touched_dates dt USING (entity_id)
    JOIN (VALUES ${SPEC_VALUES}) AS spec(schema, sp, tp) ON spec.schema = e.schema
    JOIN touched_refs s ON s.entity_id = e.entity_id AND s.prop = spec.sp
    JOIN touched_refs t ON t.entity_id = e.entity_id AND t.prop = spec.tp`);
  // Other entities' references (Event.organizer/involved, UserAccount.owner, ...): the entity itself is a node.
  await store.run(`INSERT INTO entity_edges
    SELECT DISTINCT e.entity_id, e.schema, '', e.entity_id, s.prop, s.value, ${dates}, ${ends}
    FROM ${ents} LEFT JOIN touched_dates dt USING (entity_id)
    JOIN touched_refs s ON s.entity_id = e.entity_id
    WHERE e.schema NOT IN (${EDGE_LIST}) AND s.value <> e.entity_id`);
}

/** Whether `schema` is an FtM edge schema (Representation, Payment, Membership, ...). */
export const isEdgeSchema = (schema: string): boolean => EDGE_SCHEMATA.has(schema);
