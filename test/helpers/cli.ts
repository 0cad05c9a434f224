import { expect } from 'vitest';

/** Exactly one line on stderr, `lockstep: ...`, with no stack trace; returns it. */
export function oneLine(stderr: string): string {
  const lines = stderr.split('\n').filter((l) => l !== '');
  expect(lines, `stderr was:\n${stderr}`).toHaveLength(1);
  expect(lines[0]).toMatch(/^lockstep: /);
  expect(stderr).not.toMatch(/^\s+at /m);
  return lines[0]!;
}
