/**
 * The investigation store's tables. One DuckDB file per investigation.
 *
 * All times are `TIMESTAMP` values in UTC. Lists are `VARCHAR[]`. `extra` columns keep, as JSON,
 * the source fields that have no canonical column (nothing read is dropped).
 *
 * Posts have no primary key on purpose: a unique index over tens of millions of keys costs more
 * memory and time than the ingest's own de-duplication pass (see ingest/commit.ts).
 */

export const SCHEMA_VERSION = 1;

export const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS meta (
  key VARCHAR PRIMARY KEY,
  value VARCHAR
);

CREATE TABLE IF NOT EXISTS ingests (
  ingest_id INTEGER PRIMARY KEY,
  path VARCHAR NOT NULL,
  file_name VARCHAR NOT NULL,
  sha256 VARCHAR,
  bytes BIGINT,
  format VARCHAR NOT NULL,
  platform VARCHAR,
  options JSON,
  status VARCHAR NOT NULL,          -- running | done | failed | interrupted
  started_at TIMESTAMP NOT NULL,
  finished_at TIMESTAMP,
  rows_read BIGINT DEFAULT 0,
  rows_stored BIGINT DEFAULT 0,
  rows_duplicate BIGINT DEFAULT 0,
  rows_rejected BIGINT DEFAULT 0,
  posts_new BIGINT DEFAULT 0,
  accounts_new BIGINT DEFAULT 0,
  time_resolution VARCHAR,          -- second | minute | day: the finest unit the source records
  warnings JSON,                    -- [{code, message, count, first_line}]
  message VARCHAR,                  -- why it failed or was interrupted
  tool_version VARCHAR
);

CREATE TABLE IF NOT EXISTS rejects (
  ingest_id INTEGER NOT NULL,
  file_name VARCHAR NOT NULL,
  line BIGINT,                      -- physical line (1-based) where the row starts
  reason VARCHAR NOT NULL,
  raw VARCHAR,                      -- the row as read (cut at 1 MiB, see raw_truncated)
  raw_truncated BOOLEAN DEFAULT false
);

CREATE TABLE IF NOT EXISTS posts (
  platform VARCHAR NOT NULL,
  post_id VARCHAR NOT NULL,
  account_id VARCHAR NOT NULL,
  created_at TIMESTAMP NOT NULL,
  kind VARCHAR NOT NULL,            -- post | repost | reply | quote
  ref_post_id VARCHAR,              -- reposted / quoted / forwarded post (id or content key)
  ref_account_id VARCHAR,
  reply_to_post_id VARCHAR,
  reply_to_account_id VARCHAR,
  text VARCHAR,                     -- raw text, unchanged
  text_norm VARCHAR,                -- normalised for matching (ingest/normalize/text.ts)
  lang VARCHAR,
  urls VARCHAR[],                   -- canonical URLs (ingest/normalize/url.ts)
  domains VARCHAR[],
  short_urls VARCHAR[],             -- the subset of urls on known link shorteners
  hashtags VARCHAR[],               -- case-folded, NFKC, without '#'
  mentions VARCHAR[],               -- case-folded handles or account ids, without '@'
  media VARCHAR[],                  -- media ids or hashes
  client VARCHAR,
  extra JSON,
  ingest_id INTEGER NOT NULL,
  source_line BIGINT                -- where in the source file this post was read
);

CREATE TABLE IF NOT EXISTS accounts (
  platform VARCHAR NOT NULL,
  account_id VARCHAR NOT NULL,
  handle VARCHAR,
  display_name VARCHAR,
  bio VARCHAR,
  location VARCHAR,
  url VARCHAR,
  created_at TIMESTAMP,
  followers BIGINT,
  following BIGINT,
  lang VARCHAR,
  verified BOOLEAN,
  observed_at TIMESTAMP,            -- when the profile values above were last observed
  extra JSON,
  first_ingest_id INTEGER,
  last_ingest_id INTEGER,
  PRIMARY KEY (platform, account_id)
);

-- Every distinct profile state seen for an account (handle, name, bio, location, url), for
-- name-change and template analysis. One row per state, with when it was first and last observed.
CREATE TABLE IF NOT EXISTS account_versions (
  platform VARCHAR NOT NULL,
  account_id VARCHAR NOT NULL,
  version_key VARCHAR NOT NULL,
  handle VARCHAR,
  display_name VARCHAR,
  bio VARCHAR,
  location VARCHAR,
  url VARCHAR,
  first_observed TIMESTAMP,
  last_observed TIMESTAMP,
  PRIMARY KEY (platform, account_id, version_key)
);

-- Every detection saved by \`lockstep detect\`: the result as written with --out (fingerprints
-- included), so that later commands and views read the findings without running detection again.
CREATE TABLE IF NOT EXISTS detections (
  run_id INTEGER PRIMARY KEY,
  created_at TIMESTAMP NOT NULL,
  tool_version VARCHAR,
  clusters INTEGER NOT NULL,
  result JSON NOT NULL
);

-- The members of each saved cluster, for joins with posts and accounts. \`flagged\`: the cluster has
-- no open indicator (docs/method.md); amplification counts flagged clusters by default.
CREATE TABLE IF NOT EXISTS detection_members (
  run_id INTEGER NOT NULL,
  cluster_id VARCHAR NOT NULL,
  platform VARCHAR NOT NULL,
  account_id VARCHAR NOT NULL,
  strength DOUBLE,
  flagged BOOLEAN NOT NULL
);

-- Statements, speeches, press releases, articles and transcripts (\`lockstep ingest-docs\`): the second
-- corpus, in which echoes of the posts' talking points are traced (src/echo/). \`text\` is the text
-- as read (HTML reduced to its main text); character offsets reported by echo tracing point into it.
-- Times are intervals: \`published_earliest\`..\`published_latest\` is what the source's date allows
-- (a date without a time is a whole day, a time without a zone is +-14 h); \`collected_at\` is when the
-- document was captured, an upper bound of publication when no published date is known.
CREATE TABLE IF NOT EXISTS documents (
  doc_id VARCHAR NOT NULL,          -- the source's id, the file's path in a folder, or a content key
  title VARCHAR,
  text VARCHAR NOT NULL,
  text_norm VARCHAR,                -- normalised for matching (ingest/normalize/text.ts)
  author VARCHAR,                   -- author or speaker
  outlet VARCHAR,                   -- outlet, publisher, institution
  url VARCHAR,                      -- canonical URL (ingest/normalize/url.ts)
  lang VARCHAR,
  kind VARCHAR,                     -- statement | speech | article | press-release | transcript | ... (free)
  published_at TIMESTAMP,           -- the published time as given (UTC; zone-less: read in --timezone or UTC)
  published_earliest TIMESTAMP,
  published_latest TIMESTAMP,
  published_precision VARCHAR,      -- second | minute | day | month | year
  collected_at TIMESTAMP,
  extra JSON,
  ingest_id INTEGER NOT NULL,
  source_file VARCHAR,              -- the file read (in a folder: the document's own file)
  source_line BIGINT
);
`;

/** Column order of the posts table, shared by the staging writer and the loader. */
export const POST_COLUMNS = [
  'platform',
  'post_id',
  'account_id',
  'created_at',
  'kind',
  'ref_post_id',
  'ref_account_id',
  'reply_to_post_id',
  'reply_to_account_id',
  'text',
  'text_norm',
  'lang',
  'urls',
  'domains',
  'short_urls',
  'hashtags',
  'mentions',
  'media',
  'client',
  'extra',
  'ingest_id',
  'source_line',
] as const;

/** Columns of the posts table that hold lists. */
export const LIST_COLUMNS = new Set(['urls', 'domains', 'short_urls', 'hashtags', 'mentions', 'media']);
