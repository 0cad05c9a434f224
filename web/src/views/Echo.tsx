/**
 * Echo: which talking points of the flagged clusters reappear in statements and articles. Three
 * pages: the talking points ranked (and the documents); one talking point with its timeline of posts
 * and echoing documents; one echo with the aligned passages highlighted side by side in the talking
 * point and in the document. Document and post text is data: it is cut into segments by the
 * passages' offsets (src/echo/highlight.ts) and each segment is a text node of its own span, never
 * markup; document URLs are text with a copy button, never links.
 */
import { Fragment, useEffect, useState } from 'react';
import { segments } from '../../../src/echo/highlight';
import { lagPhrase, timeLabel } from '../../../src/echo/precedence';
import { ECHO_STATUS_COLORS, ECHO_STATUS_TEXT, echoTimeline } from '../../../src/report/figures/echo';
import type {
  DocumentRef,
  EchoDocumentsResponse,
  EchoListItem,
  EchoPassagesResponse,
  EchoSort,
  EchoStatus,
  EchoStatusResponse,
  EchoSummary,
  EchoTalkingPointResponse,
  EchoTalkingPointsResponse,
  PostRef,
} from '../../../src/server/types';
import { type Loaded, qs, useApi } from '../api';
import {
  Data,
  ErrorBox,
  Kpi,
  Loading,
  num,
  Pager,
  Panel,
  pct,
  SearchBox,
  ShareBar,
  Url,
  useSearchPage,
} from '../components';
import { Figure } from '../figure';
import { href, navigate, useRoute } from '../router';
import './echo.css';

const STATUS_LABEL: Record<EchoStatus, string> = {
  echo: 'after',
  precedes: 'precedes',
  uncertain: 'uncertain',
  undated: 'undated',
};

/** A 202 answer: the run's echo tracing is still computing. */
const pending = (d: object): d is EchoStatusResponse => 'summary' in d && 'stage' in d;

/** Asks again every second while the answer says the tracing is computing. */
function usePolled<T extends object>(loaded: Loaded<T>): Loaded<T> {
  const { data, reload } = loaded;
  const computing = !!data && pending(data) && data.state === 'computing';
  // biome-ignore lint/correctness/useExhaustiveDependencies: each new answer (`data`) schedules the next poll
  useEffect(() => {
    if (!computing) return;
    const t = setTimeout(reload, 1000);
    return () => clearTimeout(t);
  }, [computing, data, reload]);
  return loaded;
}

export function EchoView({ run, tp, doc }: { run?: number; tp?: string; doc?: string }) {
  const status = usePolled(useApi<EchoStatusResponse>(`/api/echo${qs({ run })}`));
  if (status.error) return <ErrorBox error={status.error} />;
  if (!status.data) return <Loading what="the echo tracing" />;
  const s = status.data;
  if (s.state !== 'ready' || !s.summary) return <NotReady status={s} />;
  if (tp && doc) return <EchoPage run={run} tp={tp} doc={doc} />;
  if (tp) return <TalkingPointPage run={run} id={tp} />;
  return <EchoHome run={run} status={s} summary={s.summary} />;
}

/** No documents yet, still computing, or failed: what is happening and what to do. */
function NotReady({ status }: { status: EchoStatusResponse }) {
  return (
    <div className="view echo">
      <h1>Echo</h1>
      {status.state === 'no-documents' ? (
        <Panel title="No documents to trace" className="echo-empty">
          <p>
            Echo tracing compares the posts&rsquo; talking points with a second corpus: statements, speeches,
            press releases, articles, transcripts. This store has none yet.
          </p>
          <p>
            Add them with <code>lockstep ingest-docs</code>: a JSON Lines, CSV or Parquet file of records
            (text, date, author, outlet, URL, language), or a folder of .txt, .md and .html files. The
            workbench holds the store open, so stop it first and start it again afterwards.
          </p>
          <p className="hint">{status.message}</p>
        </Panel>
      ) : status.state === 'failed' ? (
        <div className="error">Echo tracing failed: {status.message}</div>
      ) : (
        <Panel title="Tracing echoes" className="echo-computing">
          <p>
            Echo tracing of {status.run ? `detection run ${status.run}` : 'all posts'} over{' '}
            {num(status.documents)} documents is computing (once per run; seconds to minutes on a large
            store). The other views keep working meanwhile.
          </p>
          <p className="stage">
            {status.stage ?? 'starting'}
            {status.progress !== null && ` · ${pct(status.progress)}`} · {status.seconds.toFixed(0)} s
          </p>
          {status.progress !== null && <progress max={1} value={status.progress} />}
        </Panel>
      )}
    </div>
  );
}

function EchoHome({
  run,
  status,
  summary,
}: {
  run?: number;
  status: EchoStatusResponse;
  summary: EchoSummary;
}) {
  const route = useRoute();
  const tab = route.query.get('tab') === 'documents' ? 'documents' : 'talking-points';
  const source =
    summary.data.talkingPointSource === 'clusters'
      ? `the messages of the flagged clusters of detection run ${summary.data.detectionRun}`
      : summary.data.talkingPointSource === 'seeds'
        ? 'the seed texts'
        : 'the near-duplicate text families of all posts';
  return (
    <div className="view echo">
      <h1>Echo</h1>
      <p className="lead">
        Which talking points ({source}) reappear in statements, speeches and articles, with the shared
        passages, and how each document stands in time against the talking point&rsquo;s{' '}
        <b>earliest observed</b> post in this collection (never its origin).
      </p>
      <div className="kpis">
        <Kpi
          value={num(summary.echoedTalkingPoints)}
          label={`of ${num(summary.talkingPoints)} talking points are echoed`}
        />
        <Kpi
          value={num(summary.documentsEchoing)}
          label={`of ${num(summary.data.documents)} documents echo one (${num(summary.data.documentsDated)} dated)`}
        />
        <Kpi value={num(summary.byStatus.echo)} label="echoes after the earliest observed post" />
        <Kpi
          value={num(summary.byStatus.precedes)}
          label="documents precede the posts (not echoes: the posts may echo them)"
        />
        <Kpi
          value={num(summary.byStatus.uncertain + summary.byStatus.undated)}
          label="order uncertain or undated"
        />
      </div>
      <div className="tabs">
        {(
          [
            ['talking-points', 'Talking points'],
            ['documents', 'Documents'],
          ] as const
        ).map(([t, label]) => (
          <button
            type="button"
            key={t}
            className={t === tab ? 'on' : ''}
            onClick={() => navigate(href(['echo'], { tab: t === 'documents' ? t : undefined }))}
          >
            {label}
          </button>
        ))}
        <span className="spacer" />
        <span className="hint">traced in {status.seconds.toFixed(1)} s</span>
      </div>
      {tab === 'documents' ? <Documents run={run} /> : <TalkingPoints run={run} />}
      <Method summary={summary} />
    </div>
  );
}

const SORTS: [EchoSort, string][] = [
  ['documents', 'most echoed'],
  ['posts', 'volume'],
  ['flagged', 'flagged share'],
  ['first', 'earliest observed'],
];

function TalkingPoints({ run }: { run?: number }) {
  const { q, query, offset, setOffset, search } = useSearchPage();
  const [sort, setSort] = useState<EchoSort>('documents');
  const list = usePolled(
    useApi<EchoTalkingPointsResponse | EchoStatusResponse>(
      `/api/echo/talking-points${qs({ run, q: query, sort, offset, limit: 50 })}`,
    ),
  );
  return (
    <Panel
      title="Talking points echoed in documents"
      actions={
        <>
          <div className="toggle">
            {SORTS.map(([s, label]) => (
              <button
                type="button"
                key={s}
                className={s === sort ? 'on' : ''}
                onClick={() => {
                  setSort(s);
                  setOffset(0);
                }}
              >
                {label}
              </button>
            ))}
          </div>
          <SearchBox value={q} placeholder="search the talking points' text" onChange={search} />
        </>
      }
    >
      {list.error && <ErrorBox error={list.error} />}
      {list.data && pending(list.data) && <Loading what="the echo tracing" />}
      {list.data && !pending(list.data) && (
        <>
          <table className="echo-points">
            <thead>
              <tr>
                <th className="num">#</th>
                <th>talking point</th>
                <th className="num">posts</th>
                <th>by flagged clusters</th>
                <th>earliest observed post (UTC)</th>
                <th>echoing documents: after or before the earliest observed post</th>
                <th className="num">best score</th>
              </tr>
            </thead>
            <tbody>
              {list.data.items.map((r, i) => (
                <tr key={r.id} data-tp={r.id}>
                  <td className="num">{offset + i + 1}</td>
                  <td className="label">
                    <a href={href(['echo', r.id])}>
                      <Data text={r.label} />
                    </a>{' '}
                    {r.lang && <span className="none">{r.lang}</span>}
                  </td>
                  <td className="num">{num(r.posts)}</td>
                  <td className="bar">
                    <ShareBar value={r.flaggedShare} /> {pct(r.flaggedShare)}
                  </td>
                  <td>{r.firstSeen ? timeLabel(r.firstSeen.time) : '-'}</td>
                  <td>
                    <StatusCounts counts={r.byStatus} />
                  </td>
                  <td className="num">{r.bestScore.toFixed(2)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {!list.data.items.length && (
            <p className="none">
              {query
                ? `No echoed talking point holds "${query}".`
                : 'No document echoes a talking point above the thresholds.'}
            </p>
          )}
          <Pager offset={offset} limit={50} total={list.data.total} onChange={setOffset} />
        </>
      )}
    </Panel>
  );
}

function StatusCounts({ counts }: { counts: Record<EchoStatus, number> }) {
  return (
    <span className="status-counts">
      {(Object.keys(STATUS_LABEL) as EchoStatus[])
        .filter((s) => counts[s] > 0)
        .map((s) => (
          <StatusTag key={s} status={s} count={counts[s]} />
        ))}
    </span>
  );
}

function StatusTag({ status, count }: { status: EchoStatus; count?: number }) {
  return (
    <span className={`status ${status}`} title={ECHO_STATUS_TEXT[status]}>
      <span className="dot" style={{ background: ECHO_STATUS_COLORS[status] }} />
      {count !== undefined ? `${num(count)} ` : ''}
      {STATUS_LABEL[status]}
    </span>
  );
}

function Documents({ run }: { run?: number }) {
  const { q, query, offset, setOffset, search } = useSearchPage();
  const [echoing, setEchoing] = useState(true);
  const list = usePolled(
    useApi<EchoDocumentsResponse | EchoStatusResponse>(
      `/api/echo/documents${qs({ run, q: query, echoing: echoing ? 'true' : undefined, offset, limit: 50 })}`,
    ),
  );
  return (
    <Panel
      title="Documents"
      actions={
        <>
          <label className="option">
            <input
              type="checkbox"
              checked={echoing}
              onChange={(e) => {
                setEchoing(e.target.checked);
                setOffset(0);
              }}
            />
            only documents with an echo
          </label>
          <SearchBox value={q} placeholder="title, author, outlet or id" onChange={search} />
        </>
      }
    >
      {list.error && <ErrorBox error={list.error} />}
      {list.data && pending(list.data) && <Loading what="the echo tracing" />}
      {list.data && !pending(list.data) && (
        <>
          <table className="echo-docs">
            <thead>
              <tr>
                <th>published (UTC)</th>
                <th>document</th>
                <th>echoes</th>
                <th>beginning</th>
              </tr>
            </thead>
            <tbody>
              {list.data.items.map((d) => (
                <tr key={d.docId}>
                  <td className="when">{d.time ? timeLabel(d.time) : 'undated'}</td>
                  <td className="label">
                    <DocumentName doc={d} />
                  </td>
                  <td>
                    {d.echoes?.length ? (
                      d.echoes.map((e) => (
                        <div key={e.talkingPoint}>
                          <a href={href(['echo', e.talkingPoint, d.docId])}>
                            <Data text={e.label} />
                          </a>{' '}
                          <span className="none">{e.score.toFixed(2)}</span> <StatusTag status={e.status} />
                        </div>
                      ))
                    ) : (
                      <span className="none">-</span>
                    )}
                  </td>
                  <td className="excerpt">
                    <Data text={d.excerpt} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {!list.data.items.length && <p className="none">No document matches.</p>}
          <Pager offset={offset} limit={50} total={list.data.total} onChange={setOffset} />
        </>
      )}
    </Panel>
  );
}

/** A document's title and who published it (all text from the data). */
function DocumentName({ doc }: { doc: DocumentRef }) {
  const who = [doc.author, doc.outlet].filter(Boolean).join(', ');
  return (
    <>
      <Data text={doc.title ?? doc.docId} className="doc-title" />
      {who && (
        <>
          {' — '}
          <Data text={who} className="doc-who" />
        </>
      )}{' '}
      <span className="none">{[doc.kind, doc.lang].filter(Boolean).join(', ')}</span>
    </>
  );
}

function Method({ summary }: { summary: EchoSummary }) {
  const thresholds = Object.entries(summary.thresholds).sort(([a], [b]) =>
    a === 'default' ? 1 : b === 'default' ? -1 : a.localeCompare(b),
  );
  return (
    <Panel title="Method, thresholds and limits">
      <p className="hint">
        Lexical tier: passages aligned around shared anchors (Smith-Waterman with affine gaps); an echo needs
        its passages to reuse a share of the talking point (reuse) at or above its language&rsquo;s threshold,{' '}
        {summary.lexical.minShared} points of alignment and {summary.lexical.minWords} distinct words; a
        source&rsquo;s boilerplate sentences are not evidence.{' '}
        {summary.semantic.provider
          ? `Semantic tier: ${summary.semantic.provider}, cosine ${summary.semantic.minCosine} or more.`
          : 'No embedding model configured: paraphrases and translations are not found.'}{' '}
        Thresholds:{' '}
        {summary.minScore !== null
          ? `${summary.minScore} for every language (set by the user)`
          : thresholds.map(([l, t]) => `${l === 'default' ? 'other languages' : l} ${t}`).join(', ')}
        . See docs/echo.md.
      </p>
      <ul className="limits">
        {summary.limits.map((l) => (
          <li key={l}>{l}</li>
        ))}
      </ul>
    </Panel>
  );
}

/** `platform:accountId` as a link to the account, by its handle when known. */
function AccountLink({ post, handles }: { post: PostRef; handles: Record<string, string | null> }) {
  const handle = handles[`${post.platform}:${post.accountId}`];
  return (
    <a href={href(['accounts', post.platform, post.accountId])}>
      <Data text={handle ? `@${handle}` : post.accountId} />
    </a>
  );
}

function TalkingPointPage({ run, id }: { run?: number; id: string }) {
  const [status, setStatus] = useState<EchoStatus | 'all'>('all');
  const [offset, setOffset] = useState(0);
  const d = usePolled(
    useApi<EchoTalkingPointResponse | EchoStatusResponse>(
      `/api/echo/talking-points/${encodeURIComponent(id)}${qs({ run, status: status === 'all' ? undefined : status, offset, limit: 100 })}`,
    ),
  );
  if (d.error) return <ErrorBox error={d.error} />;
  // The previous talking point's answer stays until this one's comes: not shown under this one's address.
  if (!d.data || pending(d.data) || d.data.talkingPoint.id !== id)
    return <Loading what="the talking point" />;
  const { talkingPoint: tp, row, cascade, echoes, handles, timelineDocumentsLeftOut } = d.data;
  const flaggedFirst =
    tp.firstSeenFlagged && tp.firstSeenFlagged.postId !== tp.firstSeen?.postId ? tp.firstSeenFlagged : null;
  return (
    <div className="view echo echo-point">
      <p className="crumbs">
        <a href={href(['echo'])}>Echo</a> › talking point {tp.id}
      </p>
      <h1>
        <Data text={tp.label} className="tp-label" />
      </h1>
      <p className="lead">
        {num(tp.posts)} posts by {num(tp.accounts)} accounts, {pct(tp.flaggedShare)} of them by flagged
        clusters
        {tp.clusters.length > 0 && (
          <>
            {' ('}
            {tp.clusters.slice(0, 5).map((c, i) => (
              <Fragment key={c}>
                {i > 0 && ', '}
                <a href={href(['clusters', c])}>{c}</a>
              </Fragment>
            ))}
            )
          </>
        )}
        . Earliest observed post{' '}
        {tp.firstSeen ? (
          <>
            {timeLabel(tp.firstSeen.time)} by <AccountLink post={tp.firstSeen} handles={handles} />
          </>
        ) : (
          '-'
        )}
        {flaggedFirst && (
          <>
            ; by a flagged account {timeLabel(flaggedFirst.time)} (
            <AccountLink post={flaggedFirst} handles={handles} />)
          </>
        )}
        .
      </p>
      <div className="kpis">
        <Kpi value={num(row.documents)} label="documents echo it" />
        <Kpi value={num(row.byStatus.echo)} label="after the earliest observed post" />
        <Kpi value={num(row.byStatus.precedes)} label="before it (preceding, not echoes)" />
        <Kpi value={num(row.byStatus.uncertain + row.byStatus.undated)} label="order uncertain or undated" />
        <Kpi value={row.bestScore.toFixed(2)} label="best score (reuse: 1 is verbatim)" />
      </div>
      <Panel title="Timeline: posts and echoing documents">
        <Figure svg={echoTimeline(cascade, { width: 1000 })} className="echo-timeline" />
        {timelineDocumentsLeftOut > 0 && (
          <p className="hint">
            The first documents are drawn; {num(timelineDocumentsLeftOut)} later ones are not.
          </p>
        )}
        <p className="legend">
          <span className="swatch coordinated" /> posts by flagged clusters <span className="swatch rest" />{' '}
          everyone else <span className="line-key first" /> earliest observed post{' '}
          {flaggedFirst && (
            <>
              <span className="line-key flagged" /> earliest by a flagged account{' '}
            </>
          )}
          {(['echo', 'precedes', 'uncertain'] as const).map((s) => (
            <Fragment key={s}>
              <span className="dot" style={{ background: ECHO_STATUS_COLORS[s] }} /> document{' '}
              {ECHO_STATUS_TEXT[s].replace(/ \(.*\)$/, '')}{' '}
            </Fragment>
          ))}
        </p>
      </Panel>
      <Panel
        title="Echoing documents"
        actions={
          <div className="toggle">
            {(['all', 'echo', 'precedes', 'uncertain', 'undated'] as const).map((s) => (
              <button
                type="button"
                key={s}
                className={s === status ? 'on' : ''}
                onClick={() => {
                  setStatus(s);
                  setOffset(0);
                }}
              >
                {s === 'all' ? 'all' : STATUS_LABEL[s]}
              </button>
            ))}
          </div>
        }
      >
        <EchoTable tp={tp.id} items={echoes.items} />
        {!echoes.items.length && <p className="none">None.</p>}
        <Pager offset={offset} limit={100} total={echoes.total} onChange={setOffset} />
      </Panel>
      <Panel title="Wordings">
        <table className="compact">
          <thead>
            <tr>
              <th>#</th>
              <th>text (as first posted)</th>
              <th className="num">posts</th>
              <th>first posted (UTC)</th>
            </tr>
          </thead>
          <tbody>
            {tp.variants.map((v, i) => (
              <tr key={v.firstSeen?.postId ?? v.text}>
                <td className="num">{i + 1}</td>
                <td>
                  <Data text={v.text} />
                </td>
                <td className="num">{num(v.posts)}</td>
                <td>
                  {v.firstSeen ? (
                    <>
                      {timeLabel(v.firstSeen.time)} <AccountLink post={v.firstSeen} handles={handles} />
                    </>
                  ) : (
                    'seed'
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </Panel>
    </div>
  );
}

function EchoTable({ tp, items }: { tp: string; items: EchoListItem[] }) {
  return (
    <table className="echo-list">
      <thead>
        <tr>
          <th>published (UTC)</th>
          <th>document</th>
          <th>against the earliest observed post</th>
          <th className="num">score</th>
          <th>best earlier source</th>
          <th>first passage, in the document</th>
        </tr>
      </thead>
      <tbody>
        {items.map((e) => (
          <tr key={e.document.docId} data-doc={e.document.docId}>
            <td className="when">{e.document.time ? timeLabel(e.document.time) : 'undated'}</td>
            <td className="label">
              <a href={href(['echo', tp, e.document.docId])}>
                <DocumentName doc={e.document} />
              </a>
            </td>
            <td>
              <StatusTag status={e.status} /> <span className="lag">{e.lag ? lagPhrase(e.lag) : ''}</span>
            </td>
            <td className="num">
              {e.score.toFixed(2)}
              {e.tier === 'semantic' && <span className="none"> cos</span>}
            </td>
            <td>
              <Source echo={e} />
            </td>
            <td className="excerpt">
              <Data text={e.excerpt} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Source({ echo }: { echo: Pick<EchoListItem, 'source' | 'talkingPoint'> }) {
  const s = echo.source;
  if (!s) return <span className="none">-</span>;
  if (s.kind === 'document')
    return (
      <>
        document{' '}
        <a href={href(['echo', echo.talkingPoint, s.id])}>
          <Data text={s.id} />
        </a>
        {s.who && (
          <>
            {' '}
            (<Data text={s.who} />)
          </>
        )}
        {s.order === 'uncertain' && <span className="none"> (order uncertain)</span>}
      </>
    );
  return <>its posts, first at {timeLabel(s.time)}</>;
}

/** Text with passages highlighted: each segment a text node in its own span (offsets from `offset`). */
function Highlighted({
  text,
  ranges,
  offset = 0,
  className,
}: {
  text: string;
  ranges: { start: number; end: number }[];
  offset?: number;
  className: string;
}) {
  const local = ranges.map((r) => ({ start: r.start - offset, end: r.end - offset }));
  return (
    <div className={`passage-text ${className}`} dir="auto">
      {segments(text, local).map((s) =>
        s.passage === null ? (
          <span key={s.start}>{s.text}</span>
        ) : (
          <mark
            key={s.start}
            className={`p${s.passage % 4}`}
            data-passage={s.passage}
            data-start={s.start + offset}
            data-end={s.end + offset}
            title={`passage ${s.passage + 1}`}
          >
            {s.text}
          </mark>
        ),
      )}
    </div>
  );
}

function EchoPage({ run, tp, doc }: { run?: number; tp: string; doc: string }) {
  const d = usePolled(
    useApi<EchoPassagesResponse | EchoStatusResponse>(`/api/echo/passages${qs({ run, tp, doc })}`),
  );
  if (d.error) return <ErrorBox error={d.error} />;
  if (!d.data || pending(d.data) || d.data.echo.talkingPoint !== tp || d.data.echo.document.docId !== doc)
    return <Loading what="the echo" />;
  const { echo: e, talkingPoint, variant, document: document_, handles } = d.data;
  const truncated =
    document_.textOffset > 0 || document_.textOffset + document_.text.length < document_.textLength;
  return (
    <div className="view echo echo-pair" data-doc={document_.docId}>
      <p className="crumbs">
        <a href={href(['echo'])}>Echo</a> ›{' '}
        <a href={href(['echo', tp])}>
          <Data text={talkingPoint.label} />
        </a>{' '}
        › document
      </p>
      <h1>
        <Data text={document_.title ?? document_.docId} className="doc-title" />{' '}
        <StatusTag status={e.status} />
      </h1>
      <p className="lead">
        {e.lag ? (
          <>
            Published {lagPhrase(e.lag)}
            {e.lagFlagged && talkingPoint.firstSeenFlagged?.postId !== talkingPoint.firstSeen?.postId
              ? `, ${lagPhrase(e.lagFlagged, 'the earliest observed post by a flagged account')}`
              : ''}
            .
          </>
        ) : (
          'The document has no date: its order against the posts is unknown.'
        )}{' '}
        {e.status === 'precedes' &&
          'It came before the talking point was observed in the posts: it is reported as preceding the campaign, not as an echo (the posts may echo the document).'}
      </p>
      <div className="kpis">
        <Kpi
          value={e.score.toFixed(2)}
          label={`${e.tier === 'lexical' ? 'reuse (1: verbatim)' : 'cosine similarity (semantic tier)'}; threshold ${e.threshold}`}
        />
        {e.lexical && (
          <Kpi
            value={`${e.lexical.containment.toFixed(2)} / ${e.lexical.jaccard.toFixed(2)}`}
            label="containment / Jaccard (5-shingles)"
          />
        )}
        <Kpi value={num(e.passages.length)} label="aligned passages" />
        <Kpi
          value={document_.time ? timeLabel(document_.time) : 'undated'}
          label={
            !document_.time
              ? 'no date'
              : document_.time.basis === 'collected'
                ? 'collected (published before), UTC'
                : 'published, UTC'
          }
        />
      </div>
      <div className="profile doc-meta">
        <dl>
          <dt>author</dt>
          <dd>
            <Data text={document_.author} />
          </dd>
          <dt>outlet</dt>
          <dd>
            <Data text={document_.outlet} />
          </dd>
          <dt>kind, language</dt>
          <dd>{[document_.kind, document_.lang].filter(Boolean).join(', ') || '-'}</dd>
          <dt>address</dt>
          <dd>{document_.url ? <Url url={document_.url} /> : <span className="none">-</span>}</dd>
          <dt>document id</dt>
          <dd className="mono">
            <Data text={document_.docId} />
          </dd>
          <dt>best earlier source</dt>
          <dd>
            <Source echo={e} />
          </dd>
        </dl>
      </div>
      <div className="echo-side">
        <Panel title="In the talking point">
          <p className="hint">
            Wording {variant.index + 1}, {num(variant.posts)} post{variant.posts === 1 ? '' : 's'}
            {variant.firstSeen && (
              <>
                , first posted {timeLabel(variant.firstSeen.time)} by{' '}
                <AccountLink post={variant.firstSeen} handles={handles} />
              </>
            )}
            .
          </p>
          <Highlighted
            className="tp-text"
            text={variant.text}
            ranges={e.passages.map((p) => ({ start: p.tpStart, end: p.tpEnd }))}
          />
        </Panel>
        <Panel title={`In the document (${num(document_.textLength)} characters)`}>
          {truncated && (
            <p className="hint">
              Characters {num(document_.textOffset + 1)} to{' '}
              {num(document_.textOffset + document_.text.length)} of {num(document_.textLength)}, around the
              passages.
            </p>
          )}
          <Highlighted
            className="doc-text"
            text={document_.text}
            offset={document_.textOffset}
            ranges={e.passages.map((p) => ({ start: p.docStart, end: p.docEnd }))}
          />
        </Panel>
      </div>
      <Panel title="Passages">
        <table className="compact passages">
          <thead>
            <tr>
              <th>#</th>
              <th>in the talking point</th>
              <th>in the document</th>
              <th className="num">matching characters</th>
            </tr>
          </thead>
          <tbody>
            {e.passages.map((p, i) => (
              <tr key={`${p.docStart}:${p.tpStart}`}>
                <td className="num">
                  <mark className={`p${i % 4}`}>{i + 1}</mark>
                </td>
                <td>
                  <Data text={p.tpText} />
                </td>
                <td>
                  <Data text={p.docText} />
                </td>
                <td className="num">{num(p.matches)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Panel>
    </div>
  );
}
