/** Run: ingest files and run detection (parameters from the signal descriptors), with progress. */
import { useEffect, useState } from 'react';
import type {
  DetectRequest,
  Job,
  JobStarted,
  JobsResponse,
  SignalsResponse,
} from '../../../src/server/types';
import { ApiError, del, postFile, postJson, useApi } from '../api';
import { ErrorBox, Loading, Panel, time } from '../components';
import { href } from '../router';

type OptionValue = string | number | boolean;

export function RunView({
  writable,
  onChange,
  hasRun,
}: {
  writable: boolean;
  onChange: () => void;
  hasRun: boolean;
}) {
  const signals = useApi<SignalsResponse>('/api/signals');
  const jobs = useApi<JobsResponse>('/api/jobs');
  const running = jobs.data?.jobs.some((j) => j.state === 'running') ?? false;
  const { reload } = jobs;
  useEffect(() => {
    if (!running) return;
    const t = setInterval(reload, 700);
    return () => clearInterval(t);
  }, [running, reload]);
  const [lastState, setLastState] = useState('');
  const state = jobs.data?.jobs.map((j) => `${j.id}:${j.state}`).join(',') ?? '';
  useEffect(() => {
    if (state !== lastState) {
      setLastState(state);
      if (lastState) onChange();
    }
  }, [state, lastState, onChange]);
  if (signals.error) return <ErrorBox error={signals.error} />;
  if (!signals.data) return <Loading />;
  return (
    <div className="view run">
      <h1>Run</h1>
      {!writable && (
        <div className="error">
          The store is open read-only (lockstep serve --read-only): browse only. Restart without it to ingest
          or detect.
        </div>
      )}
      <div className="grid2">
        <IngestForm formats={signals.data.formats} disabled={!writable || running} onStarted={reload} />
        <Jobs jobs={jobs.data?.jobs ?? []} hasRun={hasRun} onCancel={reload} />
      </div>
      <DetectForm spec={signals.data} disabled={!writable || running} onStarted={reload} />
    </div>
  );
}

function IngestForm({
  formats,
  disabled,
  onStarted,
}: {
  formats: string[];
  disabled: boolean;
  onStarted: () => void;
}) {
  const [files, setFiles] = useState<File[]>([]);
  const [format, setFormat] = useState('');
  const [platform, setPlatform] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [sending, setSending] = useState(false);
  return (
    <Panel title="1. Ingest files">
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          setError(null);
          setSending(true);
          try {
            // One file at a time: the server runs one job at a time.
            const file = files[0];
            if (!file) throw new ApiError(0, 'choose a file first');
            const q = new URLSearchParams({ name: file.name });
            if (format) q.set('format', format);
            if (platform) q.set('platform', platform);
            await postFile<JobStarted>(`/api/ingest?${q}`, file);
            setFiles(files.slice(1));
            onStarted();
          } catch (err) {
            setError((err as Error).message);
          } finally {
            setSending(false);
          }
        }}
      >
        <p className="hint">
          CSV, JSON, JSON Lines or Parquet (also .gz): X archives, X API v2, Telegram, Bluesky, CooRTweet, and
          more. The format is detected from the content. The file is kept beside the store as the ingest's
          provenance.
        </p>
        <label className="field">
          file
          <input type="file" onChange={(e) => setFiles([...(e.target.files ?? [])])} disabled={disabled} />
        </label>
        <label className="field">
          format
          <select value={format} onChange={(e) => setFormat(e.target.value)} disabled={disabled}>
            <option value="">detect from the content</option>
            {formats.map((f) => (
              <option key={f}>{f}</option>
            ))}
          </select>
        </label>
        <label className="field">
          platform
          <input
            placeholder="when the data does not say"
            value={platform}
            onChange={(e) => setPlatform(e.target.value)}
            disabled={disabled}
          />
        </label>
        <button type="submit" className="primary" disabled={disabled || sending || !files.length}>
          {sending ? 'Uploading…' : 'Ingest'}
        </button>
        {error && <div className="error">{error}</div>}
      </form>
    </Panel>
  );
}

function DetectForm({
  spec,
  disabled,
  onStarted,
}: {
  spec: SignalsResponse;
  disabled: boolean;
  onStarted: () => void;
}) {
  const [enabled, setEnabled] = useState(() =>
    Object.fromEntries(spec.signals.map((s) => [s.name, s.enabledByDefault])),
  );
  const [windows, setWindows] = useState<Record<string, string>>({});
  const [options, setOptions] = useState<Record<string, Record<string, OptionValue>>>({});
  const [globals, setGlobals] = useState<Record<string, string>>(() =>
    Object.fromEntries(Object.entries(spec.defaults).map(([k, v]) => [k, String(v)])),
  );
  const [error, setError] = useState<string | null>(null);
  const submit = async () => {
    setError(null);
    const chosen = spec.signals.filter((s) => enabled[s.name]).map((s) => s.name);
    const body: DetectRequest = {
      signals: chosen,
      windows: Object.fromEntries(
        chosen.filter((s) => windows[s]?.trim()).map((s) => [s, Number(windows[s])]),
      ),
      signalOptions: Object.fromEntries(chosen.filter((s) => options[s]).map((s) => [s, options[s]!])),
      minParticipation: Number(globals.minParticipation),
      fdr: Number(globals.fdr),
      minClusterSize: Number(globals.minClusterSize),
      crowdCap: Number(globals.crowdCap),
      seed: Number(globals.seed),
    };
    try {
      await postJson<JobStarted>('/api/detect', body);
      onStarted();
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <Panel title="2. Detect accounts that act in lockstep">
      <p className="hint">
        Each signal is one kind of co-action. Leave a window empty to estimate it from the data (CooRnet's
        method). The run is fingerprinted and saved in the store, like <code>lockstep detect</code>.
      </p>
      <table className="signals-form">
        <thead>
          <tr>
            <th>signal</th>
            <th>window (s)</th>
            <th>options</th>
            <th>what counts</th>
          </tr>
        </thead>
        <tbody>
          {spec.signals.map((s) => (
            <tr key={s.name} className={enabled[s.name] ? '' : 'off'}>
              <td>
                <label>
                  <input
                    type="checkbox"
                    checked={!!enabled[s.name]}
                    disabled={disabled}
                    onChange={(e) => setEnabled({ ...enabled, [s.name]: e.target.checked })}
                  />{' '}
                  {s.name}
                </label>
              </td>
              <td>
                <input
                  className="narrow"
                  type="number"
                  min={0}
                  placeholder="auto"
                  title={`empty: estimated from the data (${s.defaultWindow} s when the data is too thin)`}
                  value={windows[s.name] ?? ''}
                  disabled={disabled || !enabled[s.name]}
                  onChange={(e) => setWindows({ ...windows, [s.name]: e.target.value })}
                />
              </td>
              <td>
                {s.options.map((o) => {
                  const value = options[s.name]?.[o.name] ?? o.default;
                  const set = (v: OptionValue) =>
                    setOptions({ ...options, [s.name]: { ...options[s.name], [o.name]: v } });
                  return (
                    <span key={o.name} className="option" title={o.description}>
                      {o.name}{' '}
                      {typeof o.default === 'boolean' ? (
                        <input
                          type="checkbox"
                          checked={value as boolean}
                          disabled={disabled || !enabled[s.name]}
                          onChange={(e) => set(e.target.checked)}
                        />
                      ) : o.choices ? (
                        <select
                          value={String(value)}
                          disabled={disabled || !enabled[s.name]}
                          onChange={(e) => set(e.target.value)}
                        >
                          {o.choices.map((c) => (
                            <option key={c}>{c}</option>
                          ))}
                        </select>
                      ) : typeof o.default === 'number' ? (
                        <input
                          className="narrow"
                          type="number"
                          min={o.min}
                          max={o.max}
                          step="any"
                          value={String(value)}
                          disabled={disabled || !enabled[s.name]}
                          onChange={(e) => set(Number(e.target.value))}
                        />
                      ) : (
                        <input
                          value={String(value)}
                          disabled={disabled || !enabled[s.name]}
                          onChange={(e) => set(e.target.value)}
                        />
                      )}
                    </span>
                  );
                })}
              </td>
              <td className="hint">{s.description}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="globals">
        {(
          [
            ['minParticipation', 'min co-actions per pair'],
            ['fdr', 'false discovery rate'],
            ['minClusterSize', 'min cluster size'],
            ['crowdCap', 'crowd cap'],
            ['seed', 'seed'],
          ] as const
        ).map(([k, label]) => (
          <label key={k} className="field">
            {label}
            <input
              className="narrow"
              type="number"
              step="any"
              value={globals[k]}
              disabled={disabled}
              onChange={(e) => setGlobals({ ...globals, [k]: e.target.value })}
            />
          </label>
        ))}
        <button type="button" className="primary" disabled={disabled} onClick={submit}>
          Detect
        </button>
      </div>
      {error && <div className="error">{error}</div>}
    </Panel>
  );
}

function Jobs({ jobs, hasRun, onCancel }: { jobs: Job[]; hasRun: boolean; onCancel: () => void }) {
  return (
    <Panel title="Jobs">
      {!jobs.length && (
        <p className="none">No job yet in this session.{hasRun ? '' : ' Ingest a file, then detect.'}</p>
      )}
      {jobs.map((j) => (
        <div key={j.id} className={`job ${j.state}`} data-job={j.kind} data-state={j.state}>
          <div className="job-head">
            <b>{j.kind}</b> <span className="state">{j.state}</span>{' '}
            <span className="none">started {time(j.startedAt)}</span>
            {j.state === 'running' && (
              <button type="button" onClick={() => del(`/api/jobs/${j.id}`).then(onCancel)}>
                stop
              </button>
            )}
          </div>
          {j.stage && <div className="stage">{j.stage}…</div>}
          {j.progress?.total ? (
            <progress max={j.progress.total} value={j.progress.done} />
          ) : j.state === 'running' ? (
            <progress />
          ) : null}
          {j.error && <div className="error">{j.error}</div>}
          {j.log.length > 0 && (
            <ul className="log">
              {j.log.map((l, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: log lines are only ever appended
                <li key={i}>{l}</li>
              ))}
            </ul>
          )}
          {j.result?.runId && (
            <a href={href([], { run: j.result.runId })}>
              open run {j.result.runId} ({j.result.clusters} clusters) →
            </a>
          )}
        </div>
      ))}
    </Panel>
  );
}
