/**
 * The report's "Who is behind it" section on the demo store with its simulated influence layer: a
 * part for every cluster with influence links, its parties with their paths, each hop's record with
 * the date and source row the store holds, the statements that echo it, the limits and the
 * not-causation reading; and a one-line note when the report is of an older run than the links join.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detect } from '../../src/detect/index.js';
import { saveDetection } from '../../src/detect/saved.js';
import { WHO_IS_BEHIND_LIMITS, whoIsBehind } from '../../src/entities/query/views.js';
import { escapeXml } from '../../src/report/figures/svg.js';
import { reportHtml } from '../../src/report/html/index.js';
import type { Store } from '../../src/store/store.js';
import { scratch } from '../helpers/store.js';
import { demoStore } from '../helpers/workbench.js';

let tmp: ReturnType<typeof scratch>;
let store: Store;
let section: string;

beforeAll(async () => {
  tmp = scratch();
  store = await demoStore(tmp.dir, undefined, { influence: true });
  const html = await reportHtml(store, { amplification: false });
  section = html.slice(html.indexOf('<section id="behind">'), html.indexOf('<section id="method">'));
}, 300_000);

afterAll(() => {
  store?.close();
  tmp?.cleanup();
});

describe('the report: who is behind it', () => {
  it('has a part for every cluster whose accounts a record ties to an entity', async () => {
    const held = await store.all<{ cluster_id: string }>(
      `SELECT DISTINCT m.cluster_id FROM detection_members m JOIN entity_links l
         ON l.kind = 'account' AND l.target_id = m.platform || ':' || m.account_id WHERE m.run_id = 1`,
    );
    expect(held.length).toBeGreaterThan(0);
    for (const h of held)
      expect(section).toMatch(new RegExp(`<h3>Cluster (<a href="#cluster-\\d+">)?${h.cluster_id}<`));
    expect(section).toContain('a contact is not causation');
    for (const l of WHO_IS_BEHIND_LIMITS) expect(section).toContain(escapeXml(l));
    expect(section.match(/<svg /g)?.length).toBeGreaterThan(0);
  });

  it("lists the parties, and writes each hop with its record's date and source row as the store holds them", async () => {
    const held = (await store.value<string>(
      `SELECT min(m.cluster_id) FROM detection_members m JOIN entity_links l
         ON l.kind = 'account' AND l.target_id = m.platform || ':' || m.account_id WHERE m.run_id = 1`,
    ))!;
    const part = section.slice(
      section.indexOf(`${held}</`),
      section.indexOf('<h3>Cluster', section.indexOf(`${held}</`) + 1),
    );
    const who = await whoIsBehind(store, held);
    const direct = who.parties.filter((p) => p.via !== 'echo');
    expect(direct.some((p) => p.principal)).toBe(true);
    let hops = 0;
    for (const p of direct) {
      expect(part).toContain(escapeXml(p.caption));
      for (const h of p.path.hops.filter((x) => x.source)) {
        // The row of this hop: the record id, then its dataset, file:row and the record's date.
        const at = part.indexOf(`<code>${escapeXml(h.record)}</code>`);
        expect(at, h.record).toBeGreaterThan(0);
        const row = part.slice(part.lastIndexOf('<tr>', at), part.indexOf('</tr>', at));
        const stored = await store.all<{ date: string; file: string; row: number }>(
          `SELECT min(s.value) FILTER (WHERE s.prop IN ('date', 'startDate')) AS date, any_value(i.file_name) AS file,
             min(b.source_row) AS row
           FROM statements s JOIN statements b ON b.entity_id = s.entity_id AND b.prop = 'id' JOIN ingests i ON i.ingest_id = b.ingest_id
           WHERE s.entity_id = ?`,
          [h.record],
        );
        expect(row).toContain(`<td class="time">${stored[0]!.date}</td>`);
        expect(row).toContain(`${stored[0]!.file}:${stored[0]!.row}`);
        hops++;
      }
    }
    expect(hops).toBeGreaterThan(0);
    if (who.echoes.length) expect(part).toContain('Statements that echo it');
  });

  it('says in one line that it is skipped when the report is of an older run than the links join', async () => {
    await saveDetection(store, await detect(store));
    const html = await reportHtml(store, { runId: 1, amplification: false });
    expect(html).toMatch(
      /<section id="behind"><h2>Who is behind it<\/h2><p class="sub">Skipped: the influence links join the clusters of the latest detection run \(2\); this report is of run 1\.[^<]*<\/p><\/section>/,
    );
  });
});
