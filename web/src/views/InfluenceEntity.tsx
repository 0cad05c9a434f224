/** Influence: one entity's page (the records around it, timeline, payment flows, facts and relationships with their sources). */
import type { ReactNode } from 'react';
import { flowBars, type LayeredNode, recordTimeline } from '../../../src/report/figures/influence';
import type { InfluenceEntityResponse } from '../../../src/server/types';
import { useApi } from '../api';
import { Data, ErrorBox, Kpi, Loading, num, Panel, Url } from '../components';
import { Figure } from '../figure';
import { href } from '../router';
import {
  type Entity,
  HopSource,
  LayeredFigure,
  looksLikeUrl,
  money,
  NOT_CAUSATION,
  NodeLink,
  RecordCell,
  type RelationRecord,
  SourceText,
} from './influence-parts';

export function EntityPage({ id }: { id: string }) {
  const view = useApi<InfluenceEntityResponse>(`/api/influence/entities/${encodeURIComponent(id)}`);
  if (view.error) return <ErrorBox error={view.error} />;
  if (!view.data) return <Loading what="the entity" />;
  const d = view.data;
  const e = d.entity;
  const labelOf = new Map(d.graph.nodes.map((n) => [n.key, n.label]));
  const nodes: LayeredNode[] = d.graph.nodes.map((n) => ({ ...n, focus: n.layer === 0 }));
  const records = new Map<string, RelationRecord>(
    [...e.representations, ...e.payments, ...e.contacts, ...e.links].map((r) => [r.record.id, r.record]),
  );
  return (
    <div className="view influence entity">
      <h1>
        <Data text={e.caption} /> <small>{e.schema}</small>
        <span className="tag mono">
          <Data text={e.id} />
        </span>
        {e.members.length > 1 && <span className="tag">merged from {e.members.length} records</span>}
      </h1>
      <p className="note caveat">{NOT_CAUSATION}</p>
      <div className="kpis">
        <Kpi value={num(e.totals.representations)} label="representations (agents and clients)" />
        <Kpi value={num(e.totals.payments)} label="payments in and out" />
        <Kpi value={num(e.totals.contacts)} label="contacts and meetings" />
        <Kpi value={num(e.accounts.length)} label="linked accounts" />
        <Kpi value={num(e.documents.length)} label="statements and articles" />
      </div>
      <Panel
        title="Records around it"
        actions={
          <a className="tag" href={href(['influence'], { from: e.id })}>
            find paths from here
          </a>
        }
      >
        {d.graph.nodes.length > 1 ? (
          <>
            <LayeredFigure nodes={nodes} edges={d.graph.edges} />
            <p className="hint">
              Its relations and theirs, by layer; each line is a record (hover for what and when; click a box
              to open it).
              {d.graph.truncated && ' The neighbourhood is larger than the 300 nodes drawn here.'}
            </p>
            <details>
              <summary>
                the {num(d.graph.edges.length)} records drawn, with their sources ({num(d.graph.nodes.length)}{' '}
                nodes)
              </summary>
              <table className="compact edges">
                <thead>
                  <tr>
                    <th>from</th>
                    <th>record</th>
                    <th>to</th>
                    <th>date</th>
                    <th>source</th>
                  </tr>
                </thead>
                <tbody>
                  {d.graph.edges.map((x) => (
                    <tr key={`${x.record}|${x.from}|${x.to}`}>
                      <td>
                        <NodeLink node={{ key: x.from, label: labelOf.get(x.from) ?? x.from }} />
                      </td>
                      <td>
                        <Data text={x.label} />
                      </td>
                      <td>
                        <NodeLink node={{ key: x.to, label: labelOf.get(x.to) ?? x.to }} />
                      </td>
                      <td className="nowrap">{x.date ?? '-'}</td>
                      <td>
                        <HopSource hop={x} evidence={d.evidence} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </details>
          </>
        ) : (
          <p className="none">No relationship or link in the store names this entity.</p>
        )}
      </Panel>

      <Panel title="Timeline">
        {d.timeline.length ? (
          <>
            <Figure
              svg={recordTimeline(
                d.timeline.map((t) => ({
                  date: t.date,
                  row: t.label.split(' ')[0]!,
                  label: `${t.label} ${t.other}`,
                })),
                { width: 900 },
              )}
            />
            <table className="compact timeline">
              <thead>
                <tr>
                  <th>date</th>
                  <th>what</th>
                  <th>with</th>
                  <th>source</th>
                </tr>
              </thead>
              <tbody>
                {d.timeline.map((t) => (
                  <tr key={`${t.record}|${t.label}|${t.date}`}>
                    <td className="nowrap mono">{t.date}</td>
                    <td>
                      <Data text={t.label} />
                    </td>
                    <td>
                      <Data text={t.other} />
                    </td>
                    <td>
                      <span className="mono">
                        <Data text={t.record} />
                      </span>{' '}
                      <SourceText source={t.source} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        ) : (
          <p className="none">No dated record.</p>
        )}
      </Panel>
      <Panel title="Payment flows">
        {d.flows.length ? (
          <>
            <Figure svg={flowBars(d.flows, { width: 900 })} />
            <table className="compact flows">
              <thead>
                <tr>
                  <th>payer</th>
                  <th>beneficiary</th>
                  <th>period</th>
                  <th className="num">total</th>
                  <th className="num">payments</th>
                  <th>records</th>
                </tr>
              </thead>
              <tbody>
                {d.flows.map((f) => (
                  <tr key={`${f.payer}|${f.beneficiary}|${f.period}|${f.currency}`}>
                    <td>
                      <Data text={f.payer} />
                    </td>
                    <td>
                      <Data text={f.beneficiary} />
                    </td>
                    <td>{f.period}</td>
                    <td className="num total">{money(f.currency, f.total)}</td>
                    <td className="num">{num(f.payments)}</td>
                    <td>
                      {f.records.slice(0, 5).map((r) => (
                        <div key={r}>
                          <span className="mono">
                            <Data text={r} />
                          </span>{' '}
                          <SourceText source={records.get(r)?.sources[0]} />
                        </div>
                      ))}
                      {f.records.length > 5 && <span className="none">and {f.records.length - 5} more</span>}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            <p className="hint">
              Totals per payer, beneficiary, year and currency, as the records state them; currencies are
              never added together.
            </p>
          </>
        ) : (
          <p className="none">No payment with an amount names this entity.</p>
        )}
      </Panel>

      <Facts entity={e} />
      <Relationships entity={e} />
      <LinkedThings entity={e} />
    </div>
  );
}

function Facts({ entity: e }: { entity: Entity }) {
  const rows = [...e.names, ...e.identifiers, ...e.properties];
  return (
    <Panel title="Names, identifiers and properties, with their sources">
      <table className="compact facts">
        <thead>
          <tr>
            <th>property</th>
            <th>value</th>
            <th>sources</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((f) => (
            <tr key={`${f.prop}|${f.value}`}>
              <td className="none">{f.prop}</td>
              <td>{looksLikeUrl(f.value) ? <Url url={f.value} /> : <Data text={f.value} />}</td>
              <td>
                {f.sources.map((s) => (
                  <div key={`${s.ingestId}:${s.row}`}>
                    <SourceText source={s} />
                  </div>
                ))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {e.members.length > 1 && (
        <p className="hint">
          Resolution merged these records into one entity: <Data text={e.members.join(', ')} />. A wrong merge
          is undone with <code>lockstep entities judge A B different</code>.
        </p>
      )}
    </Panel>
  );
}

function Listed({ shown, total, what }: { shown: number; total: number; what: string }) {
  return total > shown ? (
    <p className="hint">
      The first {num(shown)} of {num(total)} {what}; <code>lockstep entities show</code> lists them all.
    </p>
  ) : null;
}

/**
 * A panel of an entity's records of one kind: a table with a header (a `[label, class]` pair gives a
 * column its class) and a row per item, and a line when the list was cut.
 */
function RecordsPanel<T>({
  title,
  className,
  head,
  items,
  total,
  what,
  row,
}: {
  title: string;
  className: string;
  head: (string | [string, string])[];
  items: T[];
  total: number;
  what: string;
  row: (item: T) => ReactNode;
}) {
  if (!items.length) return null;
  return (
    <Panel title={title}>
      <table className={`compact ${className}`}>
        <thead>
          <tr>
            {head.map((h) =>
              Array.isArray(h) ? (
                <th key={h[0]} className={h[1]}>
                  {h[0]}
                </th>
              ) : (
                <th key={h}>{h}</th>
              ),
            )}
          </tr>
        </thead>
        <tbody>{items.map(row)}</tbody>
      </table>
      <Listed shown={items.length} total={total} what={what} />
    </Panel>
  );
}

function Relationships({ entity: e }: { entity: Entity }) {
  return (
    <>
      <RecordsPanel
        title="Representations: registered agents and clients"
        className="representations"
        head={['role', 'with', 'registration', 'from', 'to', 'record and source']}
        items={e.representations}
        total={e.totals.representations}
        what="representations"
        row={(r) => (
          <tr key={`${r.record.id}|${r.other.id}|${r.role}`}>
            <td>{r.role === 'client' ? 'represented by' : 'represents'}</td>
            <td>
              <a href={href(['influence', 'entity', r.other.id])}>
                <Data text={r.other.caption} />
              </a>
              {r.roleText && (
                <div className="none">
                  <Data text={r.roleText} />
                </div>
              )}
            </td>
            <td className="mono">{r.registrationNumbers.join(', ') || '-'}</td>
            <td className="nowrap">{r.startDate ?? '-'}</td>
            <td className="nowrap">{r.endDate ?? '-'}</td>
            <td>
              <RecordCell record={r.record} />
            </td>
          </tr>
        )}
      />
      <RecordsPanel
        title="Payments"
        className="payments"
        head={['date', 'direction', 'other party', ['amount', 'num'], 'purpose', 'record and source']}
        items={e.payments}
        total={e.totals.payments}
        what="payments"
        row={(p) => (
          <tr key={`${p.record.id}|${p.direction}`}>
            <td className="nowrap mono">{p.date ?? '-'}</td>
            <td>{p.direction === 'in' ? 'received from' : 'paid to'}</td>
            <td>
              {p.other ? (
                <a href={href(['influence', 'entity', p.other.id])}>
                  <Data text={p.other.caption} />
                </a>
              ) : (
                <span className="none">not named</span>
              )}
            </td>
            <td className="num">{money(p.currency, p.amount)}</td>
            <td>
              <Data text={p.purpose} />
              {p.note && (
                <div className="none">
                  <Data text={p.note} />
                </div>
              )}
            </td>
            <td>
              <RecordCell record={p.record} />
            </td>
          </tr>
        )}
      />
      <RecordsPanel
        title="Contacts and meetings"
        className="contacts"
        head={['date', 'kind', 'made by', 'with', 'officials', 'record and source']}
        items={e.contacts}
        total={e.totals.contacts}
        what="contacts"
        row={(c) => (
          <tr key={c.record.id}>
            <td className="nowrap mono">{c.date ?? '-'}</td>
            <td>
              <Data text={c.type ?? 'contact'} />
            </td>
            <td>
              <Refs refs={c.organizer} />
            </td>
            <td>
              <Refs refs={c.involved} />
              {c.description && (
                <div className="none">
                  <Data text={c.description} />
                </div>
              )}
            </td>
            <td>
              {c.officials.map((o) => (
                <div key={`${o.contact}|${o.member.id}`}>
                  <Data text={o.contact} /> →{' '}
                  <a href={href(['influence', 'entity', o.member.id])}>
                    <Data text={o.member.caption} />
                  </a>
                </div>
              ))}
            </td>
            <td>
              <RecordCell record={c.record} />
            </td>
          </tr>
        )}
      />
      <RecordsPanel
        title="Other relationships"
        className="links"
        head={['relationship', 'with', 'from', 'to', 'record and source']}
        items={e.links}
        total={e.totals.links}
        what="relationships"
        row={(l) => (
          <tr key={`${l.record.id}|${l.other.id}|${l.direction}`}>
            <td>
              {l.schema}
              {l.role && (
                <>
                  {' '}
                  (<Data text={l.role} />)
                </>
              )}
            </td>
            <td>
              <a href={href(['influence', 'entity', l.other.id])}>
                <Data text={l.other.caption} />
              </a>
            </td>
            <td className="nowrap">{l.startDate ?? '-'}</td>
            <td className="nowrap">{l.endDate ?? '-'}</td>
            <td>
              <RecordCell record={l.record} />
            </td>
          </tr>
        )}
      />
    </>
  );
}

function Refs({ refs }: { refs: { id: string; caption: string }[] }) {
  return (
    <>
      {refs.map((r, i) => (
        <span key={r.id}>
          {i > 0 && ', '}
          <a href={href(['influence', 'entity', r.id])}>
            <Data text={r.caption} />
          </a>
        </span>
      ))}
    </>
  );
}

function LinkedThings({ entity: e }: { entity: Entity }) {
  if (!e.accounts.length && !e.documents.length) return null;
  return (
    <div className="grid2">
      <Panel title="Accounts in the post store">
        {e.accounts.length ? (
          <table className="compact accounts">
            <tbody>
              {e.accounts.map((a) => (
                <tr key={`${a.platform}:${a.accountId}`}>
                  <td>
                    <a href={href(['accounts', a.platform, a.accountId])}>
                      <Data text={a.handle ? `@${a.handle}` : a.accountId} />
                    </a>{' '}
                    <span className="none">{a.platform}</span>
                  </td>
                  <td>
                    {a.clusters.map((c) => (
                      <a key={c} className="tag" href={href(['clusters', c])}>
                        cluster <Data text={c} />
                      </a>
                    ))}
                  </td>
                  <td className="none">
                    {a.evidence && typeof a.evidence === 'object' && 'via' in a.evidence
                      ? `by ${String((a.evidence as { via: unknown }).via)}`
                      : ''}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <p className="none">No linked account.</p>
        )}
      </Panel>
      <Panel title="Statements and articles">
        {e.documents.length ? (
          <table className="compact documents">
            <tbody>
              {e.documents.map((doc) => (
                <tr key={`${doc.id}|${doc.role}`}>
                  <td className="nowrap mono">{doc.date ?? '-'}</td>
                  <td>
                    <Data text={doc.title ?? doc.id} />
                    {doc.url && (
                      <div>
                        <Url url={doc.url} />
                      </div>
                    )}
                  </td>
                  <td className="none">{doc.role === 'speaker' ? 'said or wrote it' : 'published it'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <p className="none">No linked statement or article.</p>
        )}
      </Panel>
    </div>
  );
}
