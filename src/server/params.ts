/**
 * Query parameters of the workbench API, read and checked in one place: every bad value is a
 * `UsageError` (HTTP 400) whose message names the parameter and what it expects, and every list is
 * a page with a per-route maximum, so no request can ask for an unbounded answer.
 */
import { UsageError } from '../core/errors.js';

/** What a route reads its parameters from: `URLSearchParams`-like. */
export interface Query {
  get(name: string): string | null | undefined;
}

const bad = (name: string, value: string, expect: string) =>
  new UsageError(`invalid ${name} "${value.slice(0, 80)}": expecting ${expect}`);

/** An integer in [min, max]; `fallback` when absent or empty. */
export function intParam(q: Query, name: string, fallback: number, min: number, max: number): number;
export function intParam(
  q: Query,
  name: string,
  fallback: undefined,
  min: number,
  max: number,
): number | undefined;
export function intParam(
  q: Query,
  name: string,
  fallback: number | undefined,
  min: number,
  max: number,
): number | undefined {
  const raw = q.get(name);
  if (raw === null || raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!/^-?\d+$/.test(raw) || !Number.isSafeInteger(n) || n < min || n > max)
    throw bad(name, raw, `a whole number from ${min} to ${max}`);
  return n;
}

/** One of `choices`. */
export function choiceParam<T extends string>(q: Query, name: string, choices: readonly T[], fallback: T): T {
  const raw = q.get(name);
  if (raw === null || raw === undefined || raw === '') return fallback;
  if (!choices.includes(raw as T)) throw bad(name, raw, `one of ${choices.join(', ')}`);
  return raw as T;
}

/** A comma-separated list of `choices` (at least one when given); undefined when absent. */
export function listParam<T extends string>(q: Query, name: string, choices: readonly T[]): T[] | undefined {
  const raw = q.get(name);
  if (raw === null || raw === undefined || raw === '') return undefined;
  const items = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = items.filter((s) => !choices.includes(s as T));
  if (!items.length || unknown.length)
    throw bad(name, raw, `a comma-separated list of ${choices.join(', ')}`);
  return [...new Set(items)] as T[];
}

/** A search text: trimmed, at most `max` characters; undefined when empty. */
export function textParam(q: Query, name: string, max = 200): string | undefined {
  const raw = q.get(name)?.trim();
  if (!raw) return undefined;
  if (raw.length > max) throw bad(name, raw, `at most ${max} characters`);
  return raw;
}

/** An ISO-8601 date or time (UTC when it has no zone), as an ISO string; undefined when absent. */
export function timeParam(q: Query, name: string): string | undefined {
  const raw = q.get(name)?.trim();
  if (!raw) return undefined;
  const m = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?$/.exec(raw);
  const zoned = m && !m[1] ? `${raw}T00:00:00Z` : m && !m[4] ? `${raw}Z` : raw;
  const t = m ? Date.parse(zoned) : Number.NaN;
  if (!Number.isFinite(t))
    throw bad(name, raw, 'an ISO-8601 date or time, e.g. 2024-06-01 or 2024-06-01T12:00Z');
  return new Date(t).toISOString();
}

export interface PageParams {
  offset: number;
  limit: number;
}

/** `?offset=&limit=`: limit defaults to `fallback` and may not exceed `max`. */
export function pageParams(q: Query, fallback: number, max: number): PageParams {
  return {
    offset: intParam(q, 'offset', 0, 0, 10_000_000),
    limit: intParam(q, 'limit', Math.min(fallback, max), 1, max),
  };
}

/** One page of an in-memory list. */
export function pageOf<T>(
  items: readonly T[],
  p: PageParams,
): { items: T[]; total: number; offset: number; limit: number } {
  return {
    items: items.slice(p.offset, p.offset + p.limit),
    total: items.length,
    offset: p.offset,
    limit: p.limit,
  };
}
