import type { Command } from '@commander-js/extra-typings';
import { storeStatus } from '../../store/status.js';
import { dbOption, openExistingStore } from '../shared.js';
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
      const store = await openExistingStore(opts.db);
      try {
        const status = await storeStatus(store);
        console.log(opts.json ? JSON.stringify(status, null, 2) : statusText(status));
      } finally {
        store.close();
      }
    });
}
