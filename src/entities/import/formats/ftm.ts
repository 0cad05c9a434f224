/**
 * FollowTheMoney entity streams: one entity per line (`entities.ftm.json` as OpenSanctions and
 * Aleph publish them, `.ijson` from `ftm map`), or a JSON array of entities. Keys: id, schema,
 * properties; `referents` (the source ids OpenSanctions merged into a canonical `NK-` id) are kept
 * as 'same' judgements, so resolution reproduces the publisher's clusters. Nested entities as
 * property values (Aleph exports) are stored as entities of their own and referenced by id.
 */
import type { EntityDraft, EntityFormat } from '../types.js';
import { readJson, strings } from './util.js';

interface RawEntity {
  id?: unknown;
  schema?: unknown;
  properties?: Record<string, unknown>;
  referents?: unknown;
}

function drafts(raw: RawEntity, out: EntityDraft[]): string | null {
  if (typeof raw.id !== 'string' || !raw.id) return null;
  const properties: Record<string, string[]> = {};
  for (const [prop, values] of Object.entries(raw.properties ?? {})) {
    const list = Array.isArray(values) ? values : [values];
    properties[prop] = list.flatMap((v) => {
      if (v && typeof v === 'object' && !Array.isArray(v)) {
        const nested = drafts(v as RawEntity, out);
        return nested ? [nested] : [];
      }
      return strings(v);
    });
  }
  out.push({ id: raw.id, schema: String(raw.schema ?? ''), properties });
  return raw.id;
}

export const ftmFormat: EntityFormat = {
  name: 'ftm',
  title: 'FollowTheMoney entities (JSON Lines or a JSON array; referents kept)',
  source: 'OpenSanctions / Aleph / yente `entities.ftm.json`, `ftm map` output (.ijson)',
  dataset: 'ftm',
  keepRecords: false,
  detect(probe) {
    const head = probe.head.trimStart();
    return (
      probe.container === 'text' &&
      (head.startsWith('{') || head.startsWith('[')) &&
      /"schema"\s*:/.test(head.slice(0, 4096)) &&
      /"(properties|id)"\s*:/.test(head.slice(0, 4096))
    );
  },
  async read(input, sink) {
    await readJson(input, sink, null, (value, line, raw) => {
      if (!value || typeof value !== 'object' || Array.isArray(value)) {
        sink.reject(line, 'not a JSON object (an FtM entity has id, schema and properties)', raw);
        return;
      }
      const entity = value as RawEntity;
      const entities: EntityDraft[] = [];
      const id = drafts(entity, entities);
      if (!id) {
        sink.reject(line, 'entity without an id', raw);
        return;
      }
      for (const referent of strings(entity.referents)) if (referent !== id) sink.referent(id, referent);
      sink.record({ row: line, raw, entities });
    });
  },
};
