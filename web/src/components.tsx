/** Small building blocks shared by the views. Data is always rendered as text (React escapes it). */
import { type ReactNode, useEffect, useState } from 'react';
import { type ApiError, setToken } from './api';

const nf = new Intl.NumberFormat('en');
export const num = (v: number | null | undefined) => (v === null || v === undefined ? '-' : nf.format(v));
export const pct = (v: number) => `${(v * 100).toFixed(v > 0 && v < 0.1 ? 1 : 0)}%`;
export const duration = (s: number) =>
  s < 120
    ? `${Math.round(s)} s`
    : s < 7200
      ? `${Math.round(s / 60)} min`
      : s < 172_800
        ? `${(s / 3600).toFixed(1)} h`
        : `${Math.round(s / 86_400)} d`;
/** ISO UTC to `2024-06-03 14:31:00` (UTC is said in the column header). */
export const time = (iso: string | null | undefined) =>
  iso ? iso.replace('T', ' ').replace(/(\.\d+)?Z$/, '') : '-';
export const day = (iso: string | null | undefined) => (iso ? iso.slice(0, 10) : '-');
export const pValue = (log10P: number) =>
  log10P > -4 ? `p = ${(10 ** log10P).toPrecision(2)}` : `p < 1e${Math.floor(log10P) + 1}`;

export function Badge({ confidence }: { confidence: string }) {
  return <span className={`badge ${confidence}`}>{confidence}</span>;
}

/** Text from the data: its own direction (Persian, Arabic), isolated so it cannot reorder the page around it. */
export function Data({ text, className }: { text: string | null | undefined; className?: string }) {
  if (!text) return <span className="none">-</span>;
  return (
    <span className={`data ${className ?? ''}`} dir="auto">
      {text}
    </span>
  );
}

/** A URL from the data: shown as text, never a link or a request (copy it to open it deliberately). */
export function Url({ url }: { url: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <span className="url">
      <span className="data" dir="ltr">
        {url}
      </span>
      <button
        type="button"
        className="copy"
        title="copy the address (it is not opened from here)"
        onClick={() =>
          navigator.clipboard?.writeText(url).then(() => {
            setCopied(true);
            setTimeout(() => setCopied(false), 1200);
          })
        }
      >
        {copied ? 'copied' : 'copy'}
      </button>
    </span>
  );
}

export function Kpi({ value, label }: { value: ReactNode; label: ReactNode }) {
  return (
    <div className="kpi">
      <b>{value}</b>
      <span>{label}</span>
    </div>
  );
}

export function Panel({
  title,
  actions,
  children,
  className,
}: {
  title?: ReactNode;
  actions?: ReactNode;
  children: ReactNode;
  className?: string;
}) {
  return (
    <section className={`panel ${className ?? ''}`}>
      {(title || actions) && (
        <header>
          {title && <h2>{title}</h2>}
          {actions && <div className="actions">{actions}</div>}
        </header>
      )}
      {children}
    </section>
  );
}

export function Loading({ what }: { what?: string }) {
  return <div className="loading">Loading{what ? ` ${what}` : ''}…</div>;
}

/** An API error as one line; a 401 asks for the token. */
export function ErrorBox({ error }: { error: ApiError }) {
  const [value, setValue] = useState('');
  if (error.status === 401)
    return (
      <div className="error">
        <p>{error.message}</p>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            setToken(value);
            window.location.reload();
          }}
        >
          <input
            type="password"
            placeholder="access token"
            value={value}
            onChange={(e) => setValue(e.target.value)}
          />
          <button type="submit">Use token</button>
        </form>
      </div>
    );
  return <div className="error">{error.message}</div>;
}

/** A bar of a share (0..1). */
export function ShareBar({ value, tone = 'coordinated' }: { value: number; tone?: 'coordinated' | 'plain' }) {
  return (
    <span className="sharebar" title={pct(value)}>
      <span className={tone} style={{ width: `${Math.max(0, Math.min(1, value)) * 100}%` }} />
    </span>
  );
}

export function Pager({
  offset,
  limit,
  total,
  onChange,
}: {
  offset: number;
  limit: number;
  total: number;
  onChange: (offset: number) => void;
}) {
  if (total <= limit) return null;
  return (
    <div className="pager">
      <button type="button" disabled={offset === 0} onClick={() => onChange(Math.max(0, offset - limit))}>
        ← newer
      </button>
      <span>
        {num(offset + 1)}–{num(Math.min(total, offset + limit))} of {num(total)}
      </span>
      <button type="button" disabled={offset + limit >= total} onClick={() => onChange(offset + limit)}>
        older →
      </button>
    </div>
  );
}

/** A value that follows `value` once it has stopped changing for `ms` (typing into a search box). */
export function useDebounced<T>(value: T, ms = 250): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return v;
}

/** A panel's search field; `onChange` also resets the list to its first page. */
export function SearchBox({
  value,
  placeholder,
  onChange,
}: {
  value: string;
  placeholder: string;
  onChange: (value: string) => void;
}) {
  return (
    <input type="search" placeholder={placeholder} value={value} onChange={(e) => onChange(e.target.value)} />
  );
}

/** A searchable, paged list's state: what is typed, the debounced query, the page offset. */
export function useSearchPage() {
  const [q, setQ] = useState('');
  const [offset, setOffset] = useState(0);
  const query = useDebounced(q);
  const search = (value: string) => {
    setQ(value);
    setOffset(0);
  };
  return { q, query, offset, setOffset, search };
}
