/**
 * Scoring the influence map against the simulator's planted truth (simulate/influence.ts):
 * - echoes: the (operation, official) pairs linked by a statement that echoes one of the
 *   operation's clusters (echo link + speaker link), against the planted echoes; decoy officials
 *   (the hub every agent meets, the stock-phrase speakers) count as false positives when linked;
 * - paths: for every planted echo, whether `map` from the operation's main cluster to the official
 *   returns a path through the principal's registered agent with a meeting hop on the planted date.
 */
import { readFileSync } from 'node:fs';
import type { Store } from '../../store/store.js';
import { mapPaths } from './map.js';
import { canonicalIds } from './sources.js';

/** The planted truth this scorer reads (written by simulate/influence.ts). */
export interface PlantedInfluence {
  principals: {
    operation: string;
    agent: { id: string };
    meetings: { date: string; by: string; official: string }[];
    echoes: { official: string; date: string }[];
  }[];
  decoys: { hubOfficial: { id: string }; stockStatements: { official: string }[]; agents: { id: string }[] };
}

export interface InfluenceScore {
  echoes: {
    truth: number;
    predicted: number;
    correct: number;
    precision: number;
    recall: number;
    decoysLinked: number;
  };
  paths: { truth: number; found: number; recall: number; withDecoyAgent: number };
  /** Operation -> the clusters holding most of its accounts (latest saved detection). */
  clusters: Record<string, string[]>;
}

/** Operation of each planted account, from the simulator's ground_truth_accounts.csv. */
function operationsOf(accountsFile: string): Map<string, string> {
  const lines = readFileSync(accountsFile, 'utf8').trim().split('\n');
  const header = lines[0]!.split(',');
  const id = header.indexOf('account_id');
  const op = header.indexOf('operation');
  const out = new Map<string, string>();
  for (const l of lines.slice(1)) {
    const f = l.split(',');
    if (f[op]) out.set(f[id]!, f[op]!);
  }
  return out;
}

export async function scoreSimulatedInfluence(
  store: Store,
  truth: PlantedInfluence,
  accountsFile: string,
): Promise<InfluenceScore> {
  const ops = operationsOf(accountsFile);
  const run = await store.value<number>(`SELECT max(run_id) FROM detections`);
  const members = run
    ? await store.all<{ cluster_id: string; account_id: string }>(
        `SELECT cluster_id, account_id FROM detection_members WHERE run_id = ?`,
        [run],
      )
    : [];
  const tally = new Map<string, Map<string, number>>();
  for (const m of members) {
    const op = ops.get(m.account_id);
    if (!op) continue;
    const t = tally.get(op) ?? new Map<string, number>();
    tally.set(op, t);
    t.set(m.cluster_id, (t.get(m.cluster_id) ?? 0) + 1);
  }
  const clusters: Record<string, string[]> = {};
  for (const [op, t] of tally) clusters[op] = [...t].sort((a, b) => b[1] - a[1]).map(([c]) => c);
  const clusterOp = new Map<string, string>();
  for (const [op, cs] of Object.entries(clusters))
    for (const c of cs) if (!clusterOp.has(c)) clusterOp.set(c, op);

  // Echo pairs found: document -echo-> cluster, speaker -> document.
  const found = await store.all<{ cluster: string; speaker: string }>(
    `SELECT e.target_id AS cluster, s.entity_id AS speaker FROM entity_links e
     JOIN entity_links s ON s.kind = 'speaker' AND s.target_id = e.entity_id WHERE e.kind = 'echo'`,
  );
  const allOfficials = [
    ...new Set([
      ...truth.principals.flatMap((p) => p.echoes.map((e) => e.official)),
      truth.decoys.hubOfficial.id,
      ...truth.decoys.stockStatements.map((s) => s.official),
    ]),
  ];
  const canon = await canonicalIds(store, allOfficials);
  const c = (id: string) => canon.get(id) ?? id;
  const predicted = new Set(
    found.filter((f) => clusterOp.has(f.cluster)).map((f) => `${clusterOp.get(f.cluster)}|${f.speaker}`),
  );
  const truthPairs = new Set(
    truth.principals.flatMap((p) => p.echoes.map((e) => `${p.operation}|${c(e.official)}`)),
  );
  const decoys = new Set(
    [truth.decoys.hubOfficial.id, ...truth.decoys.stockStatements.map((s) => s.official)].map(c),
  );
  const correct = [...predicted].filter((p) => truthPairs.has(p)).length;
  const decoysLinked = [...predicted].filter((p) => decoys.has(p.split('|')[1]!)).length;

  // Paths from the operation's main cluster to each echoing official, through the agent's meeting.
  let pathsFound = 0;
  let withDecoy = 0;
  let total = 0;
  const agentCanon = await canonicalIds(store, [
    ...truth.principals.map((p) => p.agent.id),
    ...truth.decoys.agents.map((a) => a.id),
  ]);
  for (const p of truth.principals) {
    // The operation's clusters (the two holding most of its accounts): a path from either counts.
    const opClusters = (clusters[p.operation] ?? []).slice(0, 2);
    const agentKey = `entity:${agentCanon.get(p.agent.id) ?? p.agent.id}`;
    const decoyKeys = new Set(truth.decoys.agents.map((a) => `entity:${agentCanon.get(a.id) ?? a.id}`));
    for (const e of p.echoes) {
      total++;
      const meeting = p.meetings.find((m) => m.by === p.agent.id && m.official === e.official);
      let ok = false;
      let decoy = false;
      for (const cluster of opClusters) {
        const paths = await mapPaths(store, `cluster:${cluster}`, c(e.official), { maxHops: 6, limit: 20 });
        ok ||= paths.some(
          (path) =>
            path.nodes.some((n) => n.key === agentKey) &&
            path.hops.some((h) => h.label.startsWith('contact (meeting') && h.date === meeting?.date),
        );
        decoy ||= paths[0]?.nodes.some((n) => decoyKeys.has(n.key)) ?? false;
      }
      if (ok) pathsFound++;
      if (decoy) withDecoy++;
    }
  }
  return {
    echoes: {
      truth: truthPairs.size,
      predicted: predicted.size,
      correct,
      precision: predicted.size ? correct / predicted.size : 1,
      recall: truthPairs.size ? correct / truthPairs.size : 1,
      decoysLinked,
    },
    paths: {
      truth: total,
      found: pathsFound,
      recall: total ? pathsFound / total : 1,
      withDecoyAgent: withDecoy,
    },
    clusters,
  };
}
