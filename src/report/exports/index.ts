/**
 * Exports of a detection result for other tools: GEXF and GraphML for Gephi and graph libraries,
 * CSV tables for spreadsheets (docs/exports.md). `writeExports` is what the CLI calls.
 */
import { join, resolve } from 'node:path';
import { UsageError } from '../../core/errors.js';
import type { DetectionResult } from '../../detect/types.js';
import { csvLines } from '../csv.js';
import { CSV_FILES, type CsvTable, csvTables } from './csv.js';
import { writeFileAtomic } from './files.js';
import { gexfChunks } from './gexf.js';
import { exportGraph } from './graph.js';
import { graphmlChunks } from './graphml.js';

export { CSV_FILES, type CsvTable, csvTables, writeCsvExports } from './csv.js';
export { toGexf } from './gexf.js';
export { CLUSTER_PALETTE, EDGE_ATTRIBUTES, NODE_ATTRIBUTES } from './graph.js';
export { toGraphml } from './graphml.js';

export interface ExportTargets {
  /** Path of the GEXF file to write. */
  gexf?: string;
  /** Path of the GraphML file to write. */
  graphml?: string;
  /** Folder for clusters.csv, members.csv, edges.csv and evidence.csv (created if needed). */
  csvDir?: string;
}

/**
 * Writes the exports asked for and returns the written paths: GEXF, GraphML, then the four CSV
 * files. The result is checked before the first file is written, so one that cannot be exported
 * (`InputError`) writes nothing; each file is written atomically (temporary file, then rename).
 * Throws `UsageError` when two exports would write the same file or a path is not writable.
 */
export function writeExports(result: DetectionResult, targets: ExportTargets): string[] {
  const files: { path: string; what: string; content: () => Iterable<string> }[] = [];
  if (targets.gexf)
    files.push({ path: targets.gexf, what: 'GEXF export', content: () => gexfChunks(result) });
  if (targets.graphml) {
    files.push({ path: targets.graphml, what: 'GraphML export', content: () => graphmlChunks(result) });
  }
  if (targets.csvDir) {
    const dir = targets.csvDir;
    let tables: CsvTable[] | undefined;
    CSV_FILES.forEach((name, i) => {
      const content = () => {
        tables ??= csvTables(result);
        const t = tables[i]!;
        return csvLines(t.header, t.rows);
      };
      files.push({ path: join(dir, name), what: `CSV table ${name}`, content });
    });
  }
  const seen = new Map<string, string>();
  for (const f of files) {
    const full = resolve(f.path);
    const other = seen.get(full);
    if (other)
      throw new UsageError(
        `the ${other} and the ${f.what} would both be written to ${f.path}; give different paths`,
      );
    seen.set(full, f.what);
  }
  if (files.length) exportGraph(result);
  return files.map((f) => writeFileAtomic(f.path, f.content()));
}
