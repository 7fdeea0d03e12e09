// A dependency-free progress bar with an ETA. On a terminal it redraws one line in place; anywhere else (a log
// file, CI) it prints a plain line at each tenth of the way and at the end, so logs stay short and readable.

export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface ProgressOptions {
  label?: string;
  /** Default: process.stdout. */
  stream?: ProgressStream;
  /** Minimum time between terminal redraws. */
  redrawMs?: number;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

export class ProgressBar {
  private readonly stream: ProgressStream;
  private readonly label: string;
  private readonly redrawMs: number;
  private readonly start = Date.now();
  private lastDraw = 0;
  private lastDecile = -1;
  private done = 0;
  private finished = false;

  constructor(
    readonly total: number,
    opts: ProgressOptions = {},
  ) {
    if (!(Number.isInteger(total) && total > 0))
      throw new Error(`ProgressBar: total must be a positive integer, got ${total}`);
    this.stream = opts.stream ?? process.stdout;
    this.label = opts.label ?? '';
    this.redrawMs = opts.redrawMs ?? 100;
  }

  /** Reports `done` of `total` units finished, with optional text (e.g. the current loss) after the bar. */
  update(done: number, info = ''): void {
    if (this.finished) return;
    this.done = done;
    const now = Date.now();
    const frac = Math.min(1, Math.max(0, done / this.total));
    if (this.stream.isTTY) {
      if (now - this.lastDraw < this.redrawMs && done < this.total) return;
      this.lastDraw = now;
      this.stream.write(`\r${this.line(done, frac, info, now, true)}\x1b[K`);
    } else {
      const decile = Math.floor(frac * 10);
      if (decile === this.lastDecile && done < this.total) return;
      this.lastDecile = decile;
      this.stream.write(`${this.line(done, frac, info, now, false)}\n`);
    }
  }

  /** Draws the last reported state (which may be short of total, when a run stops early) and ends the line. */
  finish(info = ''): void {
    if (this.finished) return;
    const frac = Math.min(1, this.done / this.total);
    if (this.stream.isTTY) this.stream.write(`\r${this.line(this.done, frac, info, Date.now(), true)}\x1b[K\n`);
    else if (this.lastDecile < 10) this.stream.write(`${this.line(this.done, frac, info, Date.now(), false)}\n`);
    this.finished = true;
  }

  private line(done: number, frac: number, info: string, now: number, bar: boolean): string {
    const elapsed = (now - this.start) / 1000;
    const eta = done > 0 ? (elapsed / done) * (this.total - done) : NaN;
    const width = 24;
    const filled = Math.round(frac * width);
    const gauge = bar ? `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ` : '';
    const head = this.label ? `${this.label} ` : '';
    const timing =
      done >= this.total ? `${formatDuration(elapsed)}` : `${formatDuration(elapsed)} < ${formatDuration(eta)}`;
    return (
      `${head}${gauge}${done}/${this.total} ${(frac * 100).toFixed(0).padStart(3)}% ` +
      `${timing}${info ? ` | ${info}` : ''}`
    );
  }
}
