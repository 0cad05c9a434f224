/**
 * Progress on stderr: a live bar on a terminal (redrawn at most 10 times a second), plain
 * timestamped lines every few seconds when piped or in CI, so logs stay readable.
 */

export interface ProgressState {
  label: string;
  /** Work done and total in the unit of `done` (bytes for files); total 0 when unknown. */
  done: number;
  total: number;
  /** Rows so far (for the rate). */
  rows: number;
  note?: string;
}

const BAR = 24;

function si(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)}G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (n >= 1e4) return `${(n / 1e3).toFixed(0)}k`;
  return String(Math.round(n));
}

export function duration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)}s`;
  const m = Math.floor(seconds / 60);
  return m < 60
    ? `${m}m${String(Math.round(seconds % 60)).padStart(2, '0')}s`
    : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

export class Progress {
  private readonly tty: boolean;
  private started = Date.now();
  private lastDraw = 0;
  private drawn = false;

  constructor(
    private readonly stream: NodeJS.WriteStream = process.stderr,
    private readonly quiet = false,
    private readonly plainEveryMs = 5000,
  ) {
    this.tty = Boolean(stream.isTTY) && !process.env.CI;
    this.start();
  }

  /** Starts timing a new task. Plain lines begin only once a task has run a few seconds. */
  start(): void {
    this.started = Date.now();
    this.lastDraw = this.tty ? 0 : this.started;
  }

  update(s: ProgressState, force = false): void {
    if (this.quiet) return;
    const now = Date.now();
    if (!force && now - this.lastDraw < (this.tty ? 100 : this.plainEveryMs)) return;
    this.lastDraw = now;
    const elapsed = (now - this.started) / 1000;
    const rate = elapsed > 0 ? s.rows / elapsed : 0;
    const frac = s.total > 0 ? Math.min(1, s.done / s.total) : 0;
    const eta = frac > 0.01 && frac < 1 ? ` ETA ${duration((elapsed * (1 - frac)) / frac)}` : '';
    const pct = s.total > 0 ? ` ${String(Math.floor(frac * 100)).padStart(3)}%` : '';
    const text = `${s.label}${pct} ${si(s.rows)} rows ${si(rate)}/s ${duration(elapsed)}${eta}${s.note ? ` ${s.note}` : ''}`;
    if (this.tty) {
      const filled = Math.round(frac * BAR);
      const bar = s.total > 0 ? `[${'='.repeat(filled)}${' '.repeat(BAR - filled)}] ` : '';
      this.stream.write(`\r\x1b[2K${bar}${text}`.slice(0, (this.stream.columns ?? 120) + 12));
      this.drawn = true;
    } else {
      this.stream.write(`${new Date().toISOString().slice(11, 19)} ${text}\n`);
    }
  }

  /** Clears the live line (TTY) before normal output continues. */
  done(): void {
    if (this.tty && this.drawn) this.stream.write('\r\x1b[2K');
    this.drawn = false;
  }
}

/** The simulator's progress callback, drawing on `progress`. */
export function simulationProgress(progress: Progress): (posts: number, day: number, days: number) => void {
  return (posts, day, days) =>
    progress.update({ label: `simulating day ${day + 1}/${days}`, done: day, total: days, rows: posts });
}

/**
 * Stages of a multi-step job (detection): on a terminal, the running stage with a live clock; each
 * finished stage as a line with its time and a short note. Plain lines when piped.
 */
export class StageProgress {
  private readonly tty: boolean;
  private timer: NodeJS.Timeout | null = null;
  private current = '';
  private started = 0;
  private fraction: number | null = null;

  constructor(
    private readonly stream: NodeJS.WriteStream = process.stderr,
    private readonly quiet = false,
  ) {
    this.tty = Boolean(stream.isTTY) && !process.env.CI;
  }

  stage = (s: { name: string; done: boolean; seconds?: number; note?: string }): void => {
    if (this.quiet) return;
    if (!s.done) {
      this.current = s.name;
      this.started = Date.now();
      this.fraction = null;
      if (this.tty) {
        this.draw();
        this.timer ??= setInterval(() => this.draw(), 200);
      }
      return;
    }
    this.clear();
    this.stream.write(
      `  ${s.name.padEnd(44)} ${duration(s.seconds ?? 0).padStart(6)}${s.note ? `  ${s.note}` : ''}\n`,
    );
  };

  progress = (fraction: number): void => {
    this.fraction = fraction;
  };

  done(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.clear();
  }

  private draw(): void {
    const pct = this.fraction === null ? '' : ` ${Math.floor(this.fraction * 100)}%`;
    this.stream.write(`\r\x1b[2K  ${this.current}…${pct} ${duration((Date.now() - this.started) / 1000)}`);
  }

  private clear(): void {
    if (this.tty) this.stream.write('\r\x1b[2K');
  }
}
