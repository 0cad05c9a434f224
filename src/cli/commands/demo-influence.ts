/**
 * The demo's influence section: the simulated influence layer imported through the FtM importer,
 * resolved and linked to the detected clusters; one principal's page, the strongest path from an
 * operation's cluster to the official who echoed it, and the score against the planted truth.
 */
import { importEntities } from '../../entities/import/pipeline.js';
import { linkLayers } from '../../entities/link/index.js';
import { mapPaths } from '../../entities/query/map.js';
import { showEntity } from '../../entities/query/show.js';
import { scoreSimulatedInfluence } from '../../entities/query/simulated.js';
import { resolveEntities } from '../../entities/resolve/index.js';
import type { SimulationResult } from '../../simulate/index.js';
import { simulateInfluence } from '../../simulate/influence.js';
import type { Store } from '../../store/store.js';
import { pathsText } from '../entities-text.js';
import { n, pct } from '../text.js';

export async function influenceSection(store: Store, sim: SimulationResult): Promise<string> {
  const layer = simulateInfluence(sim);
  const imported = await importEntities(store, layer.file, { dataset: 'simulated_influence' });
  const resolved = await resolveEntities(store);
  const links = await linkLayers(store);
  const score = await scoreSimulatedInfluence(store, layer.truth, sim.accountsFile);
  const out = [
    `Imported ${n(imported.statementsNew)} statements about ${n(imported.entitiesTouched)} entities; ${n(resolved.merged)} merges; linked ${n(links.websites)} websites, ${n(links.pushes)} pushed domains, ${n(links.accounts)} accounts, ${n(links.documents)} statements to their speakers, ${n(links.echoes)} echoes.`,
  ];
  const p =
    layer.truth.principals.find((x) => score.clusters[x.operation]?.length) ?? layer.truth.principals[0]!;
  const view = await showEntity(store, p.principal.id);
  const agents = view.representations.filter((r) => r.role === 'client');
  const paid = view.paymentTotals.filter((t) => t.direction === 'out');
  out.push(
    '',
    `${view.caption} (principal behind ${p.operation}): ${agents.map((a) => `agent ${a.other.caption} registered ${a.startDate}`).join('; ')}; paid ${paid.map((t) => `${t.currency} ${n(t.total)} in ${t.period}`).join(', ')}.`,
  );
  const official = p.echoes[0]?.official;
  for (const cluster of (score.clusters[p.operation] ?? []).slice(0, 2)) {
    if (!official) break;
    const paths = await mapPaths(store, `cluster:${cluster}`, official, { maxHops: 6, limit: 20 });
    const viaAgent = paths.find((x) => x.nodes.some((node) => node.label === p.agent.name));
    if (!viaAgent) continue;
    out.push(
      '',
      `From cluster ${cluster} to the official who echoed it, through the registered agent (lockstep map --from ${cluster} --to ${official}):`,
      pathsText([viaAgent]),
    );
    break;
  }
  out.push(
    '',
    `Against the planted truth: echoes found ${score.echoes.correct}/${score.echoes.truth} (precision ${pct(score.echoes.precision)}, decoy officials linked ${score.echoes.decoysLinked}); paths through the registered agent's meeting ${score.paths.found}/${score.paths.truth}.`,
    'A path shows records that connect; it does not show that the meeting caused the statement.',
  );
  return out.join('\n');
}
