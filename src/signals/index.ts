/**
 * The signal registry: every kind of co-action Lockstep can test, in the order they are reported.
 * `lockstep detect --signals` picks among these names; their options and windows are set with
 * `--window NAME=SECONDS` and `--signal-option NAME.OPTION=VALUE`.
 */
import { UsageError } from '../core/errors.js';
import { mentionTarget } from './mention-target.js';
import { nearDuplicate } from './near-duplicate.js';
import { replyTarget } from './reply-target.js';
import { sharedHashtag } from './shared-hashtag.js';
import { sharedLink } from './shared-link.js';
import { sharedMedia } from './shared-media.js';
import { sharedObject } from './shared-object.js';
import { synchrony } from './synchrony.js';
import type { OptionValue, SignalDescriptor, SignalName } from './types.js';

export const SIGNALS: readonly SignalDescriptor[] = [
  sharedObject,
  sharedLink,
  sharedHashtag,
  replyTarget,
  mentionTarget,
  nearDuplicate,
  sharedMedia,
  synchrony,
];

export const SIGNAL_NAMES = SIGNALS.map((s) => s.name);

export function signalByName(name: string): SignalDescriptor {
  const found = SIGNALS.find((s) => s.name === name);
  if (!found) throw new UsageError(`unknown signal "${name}"; use one of ${SIGNAL_NAMES.join(', ')}`);
  return found;
}

/** A signal's options: its defaults, overridden by the user's values, each checked. */
export function resolveOptions(
  signal: SignalDescriptor,
  given: Record<string, OptionValue> = {},
): Record<string, OptionValue> {
  const out: Record<string, OptionValue> = {};
  for (const o of signal.options) out[o.name] = o.default;
  for (const [name, raw] of Object.entries(given)) {
    const option = signal.options.find((o) => o.name === name);
    if (!option) {
      const known = signal.options.map((o) => o.name).join(', ') || 'none';
      throw new UsageError(`signal ${signal.name} has no option "${name}" (its options: ${known})`);
    }
    out[name] = coerce(signal.name, option, raw);
  }
  return out;
}

function coerce(
  signal: SignalName,
  option: SignalDescriptor['options'][number],
  raw: OptionValue,
): OptionValue {
  const what = `${signal}.${option.name}`;
  if (typeof option.default === 'boolean') {
    if (typeof raw === 'boolean') return raw;
    if (/^(true|yes|on|1)$/i.test(String(raw))) return true;
    if (/^(false|no|off|0)$/i.test(String(raw))) return false;
    throw new UsageError(`invalid ${what}: "${raw}"; expecting true or false`);
  }
  if (typeof option.default === 'number') {
    const n = typeof raw === 'number' ? raw : Number(raw);
    const lo = option.min ?? Number.NEGATIVE_INFINITY;
    const hi = option.max ?? Number.POSITIVE_INFINITY;
    if (!Number.isFinite(n) || n < lo || n > hi)
      throw new UsageError(`invalid ${what}: "${raw}"; expecting a number from ${lo} to ${hi}`);
    return n;
  }
  const s = String(raw);
  if (option.choices && !option.choices.includes(s))
    throw new UsageError(`invalid ${what}: "${raw}"; expecting one of ${option.choices.join(', ')}`);
  return s;
}

export type { OptionValue, SignalDescriptor, SignalName } from './types.js';
