// How far a Creating version's import is: DescribeModel's `importProgress` (a modelreg extension).
// The import job publishes the running part (phase, bytes) at most about once a second; the queue
// part (how many imports will be started before this one) is counted when asked.
import type { LiveJob } from '../../jobs/job-queue.js';

export type ImportPhase = 'queued' | 'retrying' | 'validating' | 'copying' | 'finishing';

/** What the running job stores in jobs.progress (JSON). */
export interface PublishedProgress {
  phase: Exclude<ImportPhase, 'queued' | 'retrying'>;
  bytesDone: number;
  bytesTotal: number;
  /** When this attempt started reading (ISO). */
  startedAt: string;
  /** When bytes started flowing (ISO), the base of the estimate. */
  copyStartedAt?: string;
  updatedAt: string;
}

export interface ImportProgress {
  phase: ImportPhase;
  /** 1-based: 1 is the next import to start. Only while queued. */
  queuePosition?: number;
  /** Imports (of every account) that will start before this one. Only while queued. */
  jobsAhead?: number;
  bytesDone?: number;
  bytesTotal?: number;
  /** 0-100, one decimal. */
  percent?: number;
  /** Seconds left at the rate so far; absent until there is a rate. */
  etaSeconds?: number;
  startedAt?: string;
  updatedAt?: string;
  /** Why a retrying import is waiting (the last infrastructure error). */
  lastError?: string;
}

export function describeImportProgress(job: LiveJob | undefined, now = Date.now()): ImportProgress | undefined {
  if (!job) return undefined;
  if (job.retrying) return { phase: 'retrying', ...(job.lastError ? { lastError: job.lastError } : {}) };
  if (job.status === 'queued') return { phase: 'queued', queuePosition: job.jobsAhead + 1, jobsAhead: job.jobsAhead };
  let p: PublishedProgress | undefined;
  try {
    p = job.progress ? (JSON.parse(job.progress) as PublishedProgress) : undefined;
  } catch {
    p = undefined;
  }
  if (!p) return { phase: 'validating' };
  const out: ImportProgress = { phase: p.phase, bytesDone: p.bytesDone, bytesTotal: p.bytesTotal, startedAt: p.startedAt, updatedAt: p.updatedAt };
  if (p.bytesTotal > 0) out.percent = Math.min(100, Math.floor((p.bytesDone / p.bytesTotal) * 1000) / 10);
  const eta = estimateSeconds(p, now);
  if (eta !== undefined) out.etaSeconds = eta;
  return out;
}

function estimateSeconds(p: PublishedProgress, now: number): number | undefined {
  if (p.phase === 'finishing') return 0;
  if (!p.copyStartedAt || p.bytesDone <= 0 || p.bytesTotal <= 0) return undefined;
  const elapsed = (Date.parse(p.updatedAt) - Date.parse(p.copyStartedAt)) / 1000;
  if (!(elapsed > 0.5)) return undefined;
  const rate = p.bytesDone / elapsed;
  const left = (p.bytesTotal - p.bytesDone) / rate;
  // The published figures are up to a second old: count the time since from the estimate.
  const since = Math.max(0, (now - Date.parse(p.updatedAt)) / 1000);
  return Math.max(0, Math.round(left - since));
}

/** Publishes an import's progress at most every `everyMs`, and at each phase change. */
export class ProgressPublisher {
  private state: PublishedProgress;
  private lastWrite = 0;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly write: (json: string) => Promise<void>,
    private readonly everyMs = 1000,
    private readonly clock: () => number = Date.now,
  ) {
    const at = new Date(this.clock()).toISOString();
    this.state = { phase: 'validating', bytesDone: 0, bytesTotal: 0, startedAt: at, updatedAt: at };
  }

  phase(phase: PublishedProgress['phase']): void {
    if (this.state.phase === phase) return;
    this.state = { ...this.state, phase };
    this.flush(true);
  }

  bytes(done: number, total: number): void {
    const now = this.clock();
    if (!this.state.copyStartedAt && done > 0) this.state.copyStartedAt = new Date(now).toISOString();
    this.state = { ...this.state, bytesDone: done, bytesTotal: total, ...(this.state.phase === 'validating' && done > 0 ? { phase: 'copying' as const } : {}) };
    this.flush(false);
  }

  /** Waits for the write in flight (so a finished job's row is not overwritten afterwards). */
  settle(): Promise<void> {
    return this.writing;
  }

  private flush(force: boolean): void {
    const now = this.clock();
    if (!force && now - this.lastWrite < this.everyMs) return;
    this.lastWrite = now;
    this.state.updatedAt = new Date(now).toISOString();
    const json = JSON.stringify(this.state);
    // One write at a time, in order; a failed write only costs a stale figure.
    this.writing = this.writing.then(() => this.write(json)).catch(() => undefined);
  }
}
