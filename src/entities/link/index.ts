/**
 * Linking the influence layer to the post store and the echo stage's documents: one function per
 * kind of link, all writing `entity_links` (kind, entity, target, score, evidence), all re-run
 * whole (each replaces its own kind), so links always reflect the current resolution.
 */
import type { Store } from '../../store/store.js';
import { linkAccounts } from './accounts.js';
import { linkDocuments } from './documents.js';
import { linkPushedDomains, linkWebsites } from './domains.js';
import { linkEchoes } from './echo.js';
import { linkMentions } from './mentions.js';
import { linkOfficials } from './officials.js';

export interface LinkCounts {
  officials: number;
  accounts: number;
  websites: number;
  pushes: number;
  mentions: number;
  documents: number;
  echoes: number;
}

export async function linkLayers(store: Store): Promise<LinkCounts> {
  return {
    officials: (await linkOfficials(store)).length,
    accounts: await linkAccounts(store),
    websites: await linkWebsites(store),
    pushes: await linkPushedDomains(store),
    mentions: await linkMentions(store),
    documents: await linkDocuments(store),
    echoes: await linkEchoes(store),
  };
}
