/**
 * SQL shared by the signal descriptors: every signal lists its actions with the same columns, so
 * the detection stages (windows, pairs, significance) are written once for all of them.
 */

/** The columns every `actionsSql` returns, in order. */
export const ACTION_COLUMNS = 'platform, account_id, obj, created_at, lang, pr';

/**
 * Actions of one object per post (`object` is a scalar SQL expression over `posts`) or of every
 * element of a list column (`list`), for the posts matching `where`.
 */
export function actionsOf(spec: { object?: string; list?: string; where: string }): string {
  if (spec.list) {
    // The lists are stored sorted and distinct (ingest), so one post acts once on each element.
    return `SELECT platform, account_id, obj, created_at, lang, pr FROM (
      SELECT platform, account_id, unnest(${spec.list}) AS obj, created_at, lang, rowid AS pr
      FROM posts WHERE (${spec.where}) AND len(${spec.list}) > 0) WHERE obj IS NOT NULL AND obj <> ''`;
  }
  return `SELECT platform, account_id, ${spec.object} AS obj, created_at, lang, rowid AS pr
    FROM posts WHERE (${spec.where}) AND (${spec.object}) IS NOT NULL`;
}

/**
 * Reposts carry the original author's links, tags, mentions, media and text: they are the
 * reposter's action only on the reposted post (shared-object). Other signals skip them unless asked.
 */
export function ownPosts(includeReposts: boolean): string {
  return includeReposts ? 'true' : `kind <> 'repost'`;
}

/** The `include-reposts` option, shared by the content signals. */
export const INCLUDE_REPOSTS = {
  name: 'include-reposts',
  description: "count reposts too (a repost carries the original author's content, so off by default)",
  default: false,
};
