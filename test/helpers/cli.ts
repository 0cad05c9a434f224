import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { expect } from 'vitest';

/** Exactly one line on stderr, `lockstep: ...`, with no stack trace; returns it. */
export function oneLine(stderr: string): string {
  const lines = stderr.split('\n').filter((l) => l !== '');
  expect(lines, `stderr was:\n${stderr}`).toHaveLength(1);
  expect(lines[0]).toMatch(/^lockstep: /);
  expect(stderr).not.toMatch(/^\s+at /m);
  return lines[0]!;
}

/** The built command. */
export const CLI = join(import.meta.dirname, '..', '..', 'dist', 'cli', 'main.js');

/**
 * Runs the built command (`node dist/cli/main.js`, so `npm run build` first, as `npm test` does) in
 * `cwd` to its end, with a 1 GB store memory limit and no debug output.
 */
export function lockstep(
  cwd: string,
  ...args: string[]
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd,
      env: { ...process.env, LOCKSTEP_DEBUG: '', LOCKSTEP_MEMORY: '1GB', CI: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
