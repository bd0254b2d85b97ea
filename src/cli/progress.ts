// A one-line progress bar on stderr, redrawn at most ten times a second. Only used when stderr
// is a terminal; pipes and log files get a summary line instead.
import { formatBytes } from './output.js';

export class ProgressBar {
  private last = 0;
  private readonly started = Date.now();

  constructor(
    private readonly total: number,
    private readonly label: string,
    private readonly out: NodeJS.WriteStream = process.stderr,
    /** Bytes already done before this run (a resumed download): not counted in the speed. */
    private initial = 0,
  ) {}

  /** More bytes found already done (a resumed file): counted in the progress, not in the speed. */
  addInitial(n: number): void {
    this.initial += n;
  }

  update(done: number, note = '', force = false): void {
    const now = Date.now();
    if (!force && now - this.last < 100) return;
    this.last = now;
    const cols = this.out.columns || 80;
    const frac = this.total > 0 ? Math.min(1, done / this.total) : 1;
    const rate = Math.max(0, done - this.initial) / Math.max(0.001, (now - this.started) / 1000);
    const eta = rate > 0 && done < this.total ? ` ETA ${formatDuration((this.total - done) / rate)}` : '';
    const stats = `${String(Math.floor(frac * 100)).padStart(3)}% ${formatBytes(done)}/${formatBytes(this.total)} ${formatBytes(Math.round(rate))}/s${eta}`;
    const width = Math.max(10, Math.min(30, cols - stats.length - this.label.length - 8));
    const filled = Math.round(frac * width);
    let line = `${this.label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${stats}`;
    if (note) line += ` ${note}`;
    this.out.write(`\r\x1b[2K${line.slice(0, cols - 1)}`);
  }

  finish(): void {
    this.out.write('\r\x1b[2K');
  }
}

/** 75 → "1m15s", 3700 → "1h01m". */
export function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}
