/**
 * A signal is one kind of co-action: two accounts acting on the same object (a post, a link, a
 * hashtag, a text family, ...) within a short time of each other. Each signal is one descriptor:
 * its options with defaults, the SQL that lists its actions, and how to show its objects. The CLI
 * flags, the result's parameters and the method docs are all read from these descriptors.
 */
import type { Store } from '../store/store.js';

export type SignalName =
  | 'shared-object'
  | 'shared-link'
  | 'shared-hashtag'
  | 'reply-target'
  | 'mention-target'
  | 'near-duplicate'
  | 'shared-media'
  | 'synchrony';

export type OptionValue = string | number | boolean;

export interface SignalOption {
  name: string;
  description: string;
  default: OptionValue;
  /** Allowed values of a text option. */
  choices?: string[];
  /** Bounds of a number option. */
  min?: number;
  max?: number;
}

export interface PrepareContext {
  store: Store;
  options: Record<string, OptionValue>;
  seed: number;
  /** Progress within the preparation, 0..1, with a short label. */
  onProgress?: (fraction: number, label: string) => void;
  signal?: AbortSignal;
}

export interface SignalDescriptor {
  name: SignalName;
  /** A short title for tables and reports. */
  title: string;
  /** What one object is, for evidence ("retweeted post", "link", ...). */
  objectLabel: string;
  /** What counts as a co-action, the method and its source (shown in `detect --help` and the docs). */
  description: string;
  /** Whether `lockstep detect` runs it when `--signals` is not given. */
  enabledByDefault: boolean;
  /** Window (seconds) when the user sets none and the data is too thin to estimate one. */
  defaultWindow: number;
  options: SignalOption[];
  /**
   * Work done before the actions can be listed (the near-duplicate signal builds its text
   * families here). Returns notes for the result's limits, if any.
   */
  prepare?(ctx: PrepareContext): Promise<string[]>;
  /**
   * SQL listing the signal's actions, one row per (post, object), with the columns
   * `platform, account_id, obj VARCHAR, created_at TIMESTAMP, lang VARCHAR, pr BIGINT` (`pr` is the
   * post's rowid in `posts`).
   */
  actionsSql(options: Record<string, OptionValue>): string;
  /**
   * The null model's stratum of an action, SQL expressions over the columns of `actionsSql`,
   * separated by commas and hashed together: within its stratum an account's actions are placed at
   * random (significance.ts). Default: platform and language.
   */
  stratumSql?: string;
  /** Readable labels for some of the signal's objects (`obj` values), when `obj` itself is not. */
  labelObjects?(store: Store, objects: string[]): Promise<Map<string, string>>;
}
