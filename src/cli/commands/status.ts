import { existsSync } from 'node:fs';
import type { Command } from '@commander-js/extra-typings';
import { StoreError } from '../../core/errors.js';
import { storeStatus } from '../../store/status.js';
import { Store } from '../../store/store.js';
import { dbOption } from '../shared.js';
import { statusText } from '../text.js';

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description(
      'summarise the store: posts and accounts per platform, time span, ingests, warnings, rejects',
    )
    .addOption(dbOption())
    .option('--json', 'print as JSON')
    .action(async (opts) => {
      if (!existsSync(opts.db))
        throw new StoreError(
          `no store at ${opts.db}; ingest some data first (lockstep ingest FILE) or choose one with --db`,
        );
      const store = await Store.open(opts.db);
      try {
        const status = await storeStatus(store);
        console.log(opts.json ? JSON.stringify(status, null, 2) : statusText(status));
      } finally {
        store.close();
      }
    });
}
