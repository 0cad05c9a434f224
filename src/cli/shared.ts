/** Options and state shared by the CLI commands. */
import { InvalidArgumentError, Option } from '@commander-js/extra-typings';
import { DEFAULT_STORE } from '../store/store.js';

export const dbOption = () =>
  new Option('--db <path>', 'investigation store (a DuckDB file)').default(DEFAULT_STORE);

/** Aborted on Ctrl-C or SIGTERM: long work rolls back and stops. */
export const interrupt = new AbortController();

export function parseIntOption(name: string) {
  return (value: string): number => {
    const parsed = Number(value.replace(/[_,]/g, '').replace(/k$/i, '000').replace(/m$/i, '000000'));
    if (!Number.isFinite(parsed) || parsed < 0)
      throw new InvalidArgumentError(`invalid ${name} "${value}": expecting a non-negative number`);
    return Math.round(parsed);
  };
}

/** A positive number (fractions allowed), e.g. `--max-field-mb 2.5`. */
export function parsePositiveOption(name: string) {
  return (value: string): number => {
    const parsed = Number(value);
    if (!Number.isFinite(parsed) || parsed <= 0)
      throw new InvalidArgumentError(`${name} expects a positive number`);
    return parsed;
  };
}
