#!/usr/bin/env node
/**
 * The `lockstep` command: a thin shell over the library (src/index.ts). Every failure a user can
 * cause ends in one line on stderr that says what to do, and an exit code per error class.
 */
import { Command } from '@commander-js/extra-typings';
import { LockstepError } from '../core/errors.js';
import { VERSION } from '../core/version.js';
import { registerAmplification } from './commands/amplification.js';
import { registerDemo } from './commands/demo.js';
import { registerDetect } from './commands/detect.js';
import { registerEcho } from './commands/echo.js';
import { registerFingerprint } from './commands/fingerprint.js';
import { registerIngest } from './commands/ingest.js';
import { registerIngestDocs } from './commands/ingest-docs.js';
import { registerReport } from './commands/report.js';
import { registerServe } from './commands/serve.js';
import { registerSimulate } from './commands/simulate.js';
import { registerStatus } from './commands/status.js';
import { interrupt } from './shared.js';

const program = new Command()
  .name('lockstep')
  .description('Find accounts that act in lockstep: coordinated-behaviour forensics on post dumps')
  .version(VERSION)
  // Usage mistakes end in one line, like every other error: "lockstep: <what> (run ... --help)".
  .configureOutput({
    outputError: (text, write) =>
      write(`lockstep: ${text.trim().replace(/^error: /, '')} (run lockstep --help for usage)\n`),
  })
  // Before the commands are added, so that they inherit it: their usage errors then exit with 2 too.
  .exitOverride();

registerIngest(program);
registerIngestDocs(program);
registerStatus(program);
registerDetect(program);
registerFingerprint(program);
registerAmplification(program);
registerReport(program);
registerServe(program);
registerEcho(program);
registerSimulate(program);
registerDemo(program);

let interrupts = 0;
process.on('SIGINT', () => {
  interrupts++;
  if (interrupts > 1) process.exit(130);
  process.stderr.write('\ninterrupting: rolling back (Ctrl-C again to quit at once)\n');
  interrupt.abort();
});
process.on('SIGTERM', () => interrupt.abort());

try {
  await program.parseAsync(process.argv);
} catch (err) {
  const code = (err as { code?: string }).code;
  if (code === 'commander.helpDisplayed' || code === 'commander.version' || code === 'commander.help')
    process.exit(0);
  if (code?.startsWith('commander.')) process.exit(2);
  if (err instanceof LockstepError) {
    process.stderr.write(`lockstep: ${err.message}\n`);
    process.exit(err.exitCode);
  }
  if (process.env.LOCKSTEP_DEBUG) console.error(err);
  const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
  process.stderr.write(
    `lockstep: internal error: ${message} (this is a bug; rerun with LOCKSTEP_DEBUG=1 and report it)\n`,
  );
  process.exit(70);
}
