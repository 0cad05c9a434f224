import type { Command } from '@commander-js/extra-typings';
import { reportHtml } from '../../report/html/index.js';
import { isLoopback, startServer } from '../../server/index.js';
import { dbOption, interrupt, openExistingStore, parseIntOption } from '../shared.js';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('open the workbench: a local web app and HTTP API over a store (Ctrl-C stops it)')
    .addOption(dbOption())
    .option('--port <n>', 'port to listen on (0: any free port)', parseIntOption('--port'), 8080)
    .option('--host <address>', 'address to listen on; anything but loopback needs a token', '127.0.0.1')
    .option('--token <token>', 'access token for the API (generated when listening beyond loopback)')
    .option(
      '--read-only',
      'open the store read-only: browse, no ingest or detection (other readers may share it)',
    )
    .option('--max-upload <MB>', 'largest file the Run view accepts', parseIntOption('--max-upload'), 2048)
    .addHelpText(
      'after',
      '\nExamples:\n  lockstep serve --db case.duckdb                      http://127.0.0.1:8080/\n  lockstep serve --db case.duckdb --host 0.0.0.0       reachable from the network, with a generated token\n\nSecurity model and views: docs/workbench.md.',
    )
    .action(async (opts) => {
      const store = await openExistingStore(opts.db, { readOnly: opts.readOnly });
      let server: Awaited<ReturnType<typeof startServer>>;
      try {
        server = await startServer({
          store,
          host: opts.host,
          port: opts.port,
          token: opts.token ?? null,
          maxUploadBytes: opts.maxUpload * 2 ** 20,
          report: (s, runId, extras) => reportHtml(s, { runId, echoResult: extras.echo }),
        });
      } catch (err) {
        store.close();
        throw err;
      }
      const lines = [
        `Lockstep workbench on ${store.path}${store.readOnly ? ' (read-only)' : ''}`,
        `  open ${server.url}`,
      ];
      if (!isLoopback(opts.host))
        lines.push(
          `  listening on ${opts.host}: anyone who can reach this machine can try; the token above is required on every API call`,
        );
      lines.push('  Ctrl-C to stop');
      console.log(lines.join('\n'));
      const warm = server.workbench.warm().catch(() => undefined);
      await new Promise<void>((resolve) =>
        interrupt.signal.addEventListener('abort', () => resolve(), { once: true }),
      );
      server.workbench.jobs.cancelAll();
      const echoStopped = server.workbench.echo.close();
      await server.workbench.jobs.idle();
      await server.close();
      // The first run's amplification or an echo tracing may still be computing (read-only work on
      // connections of their own): wait a moment, then leave without them rather than keep the user waiting.
      const stopped = await Promise.race([
        Promise.all([warm, echoStopped]).then(() => true),
        new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 1000)),
      ]);
      if (!stopped) process.exit(0);
      store.close();
    });
}
