/** Pieces the cluster and account views share: the signal bar and the virtualised evidence list. */
import { useVirtualizer } from '@tanstack/react-virtual';
import { useRef } from 'react';
import { SIGNAL_COLORS } from '../../../src/report/figures/charts';
import type { AmplifiedItem, ClusterSignal, EvidenceRow } from '../../../src/server/types';
import { Data, duration, num, pct, ShareBar, time, Url } from '../components';
import { href } from '../router';

/** A cluster's signal mix as a thin stacked bar, with the top signals named. */
export function SignalBar({ signals }: { signals: ClusterSignal[] }) {
  const shown = signals.filter((s) => s.share > 0);
  return (
    <span className="signalbar" title={shown.map((s) => `${s.signal} ${pct(s.share)}`).join(', ')}>
      <span className="bar">
        {shown.map((s) => (
          <span key={s.signal} style={{ width: `${s.share * 100}%`, background: SIGNAL_COLORS[s.signal] }} />
        ))}
      </span>
      <span className="names">
        {shown
          .slice(0, 2)
          .map((s) => `${s.signal} ${pct(s.share)}`)
          .join(', ')}
      </span>
    </span>
  );
}

export interface EvidenceGroup {
  item: number;
  signal: string;
  objectLabel: string;
  object: string;
  accounts: number;
  spanSeconds: number;
}

type Line = { kind: 'group'; group: EvidenceGroup; rows: number } | { kind: 'post'; row: EvidenceRow };

/**
 * Evidence posts side by side: each item (a burst of members acting on one object) as a header,
 * then its posts in time order with the seconds since the first. Virtualised: only the rows in
 * view are in the page, so a long list scrolls smoothly.
 */
export function EvidenceList({
  rows,
  groups,
  highlight,
}: {
  rows: EvidenceRow[];
  groups: EvidenceGroup[];
  highlight?: string;
}) {
  const lines: Line[] = [];
  let last = -1;
  for (const row of rows) {
    if (row.item !== last) {
      const group = groups.find((g) => g.item === row.item)!;
      lines.push({ kind: 'group', group, rows: rows.filter((r) => r.item === row.item).length });
      last = row.item;
    }
    lines.push({ kind: 'post', row });
  }
  const scroller = useRef<HTMLDivElement>(null);
  const virtual = useVirtualizer({
    count: lines.length,
    getScrollElement: () => scroller.current,
    estimateSize: (i) => (lines[i]!.kind === 'group' ? 38 : 46),
    overscan: 12,
  });
  return (
    <div className="evidence" ref={scroller} data-rows={rows.length}>
      <div className="evidence-head">
        <span>time (UTC)</span>
        <span className="num">after first</span>
        <span>account</span>
        <span>post</span>
      </div>
      <div style={{ height: virtual.getTotalSize(), position: 'relative' }}>
        {virtual.getVirtualItems().map((v) => {
          const line = lines[v.index]!;
          return (
            <div
              key={v.key}
              data-index={v.index}
              ref={virtual.measureElement}
              className={
                line.kind === 'group'
                  ? 'ev-group'
                  : `ev-post${highlight && line.row.platform + ':' + line.row.accountId === highlight ? ' hl' : ''}`
              }
              style={{
                position: 'absolute',
                top: 0,
                left: 0,
                right: 0,
                transform: `translateY(${v.start}px)`,
              }}
            >
              {line.kind === 'group' ? (
                <>
                  <b>{line.group.item + 1}.</b> {line.group.signal}: {line.group.accounts} members on the{' '}
                  {line.group.objectLabel}{' '}
                  {line.group.signal === 'shared-link' ? (
                    <Url url={line.group.object} />
                  ) : (
                    <Data text={line.group.object} className="object" />
                  )}{' '}
                  within {duration(line.group.spanSeconds)}
                </>
              ) : (
                <>
                  <span className="mono ev-time">{time(line.row.createdAt)}</span>
                  <span className="num mono">+{duration(line.row.deltaSeconds)}</span>
                  <span>
                    <a href={href(['accounts', line.row.platform, line.row.accountId])}>
                      <Data text={line.row.handle ? `@${line.row.handle}` : line.row.accountId} />
                    </a>
                  </span>
                  <span className="ev-text" data-post-id={line.row.postId}>
                    <Data text={line.row.text} />
                    {line.row.urls.map((u) => (
                      <Url key={u} url={u} />
                    ))}
                  </span>
                </>
              )}
            </div>
          );
        })}
      </div>
    </div>
  );
}

/** An amplified item's cells: its label (a link when given), posts, and the share by flagged clusters. */
export function ItemCells({ item, href: to }: { item: AmplifiedItem; href?: string }) {
  return (
    <>
      <td className="label">
        {to ? (
          <a href={to}>
            <Data text={item.label} />
          </a>
        ) : (
          <Data text={item.label} />
        )}
      </td>
      <td className="num">{num(item.posts)}</td>
      <td className="bar">
        <ShareBar value={item.postShare} />
      </td>
      <td className="num">{pct(item.postShare)}</td>
    </>
  );
}
