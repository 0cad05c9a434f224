/**
 * A simulated month for the account fingerprints' tests (creation, identity, cadence): the corpus
 * simulated in process and ingested, and account sets made from its ground truth: each planted
 * operation's members, and organic sets of the same sizes (a hash order of the organic accounts).
 */
import { join } from 'node:path';
import type { AccountSet } from '../../src/forensics/sets.js';
import { type OperationTruth, simulate } from '../../src/simulate/index.js';
import type { Store } from '../../src/store/store.js';
import { ingestInto } from '../helpers/store.js';

export interface SimulatedSets {
  store: Store;
  operations: OperationTruth[];
  /** `op1`..: planted members; `org-op1`..: as many organic accounts as the operation has. */
  sets: AccountSet[];
}

export async function simulatedSets(dir: string, posts: number, seed: number): Promise<SimulatedSets> {
  const sim = simulate({ out: join(dir, 'sim'), posts, seed });
  const { store } = await ingestInto(dir, sim.files[0]!);
  const rows = await store.all<{ account_id: string; label: string; operation: string }>(
    `SELECT account_id, label, coalesce(operation, '') AS operation
     FROM read_csv('${sim.accountsFile.replaceAll("'", "''")}', all_varchar = true)
     ORDER BY hash(account_id), account_id`,
  );
  const platform = (await store.value<string>('SELECT any_value(platform) FROM accounts')) ?? 'twitter';
  const organic = rows.filter((r) => r.label === 'organic');
  const sets: AccountSet[] = [];
  let next = 0;
  for (const op of sim.operations) {
    const members = rows.filter((r) => r.operation === op.id);
    const ref = (r: (typeof rows)[0]) => ({ platform, accountId: r.account_id });
    sets.push({ id: op.id, accounts: members.map(ref) });
    sets.push({ id: `org-${op.id}`, accounts: organic.slice(next, next + members.length).map(ref) });
    next += members.length;
  }
  return { store, operations: sim.operations, sets };
}
