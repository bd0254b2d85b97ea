// Runs durable jobs of one kind with a concurrency limit. Each claimed job holds a lease that the
// worker renews while the handler runs; if renewal fails (another replica took the job over after
// this process stalled), the handler is aborted. A crashed process's jobs are claimed again once
// their lease expires.
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import type { Logger } from 'pino';
import type { JobRow, JobsRepo } from '../store/repos/jobs-repo.js';

export interface JobContext {
  owner: string;
  signal: AbortSignal;
}

export interface JobHandler {
  kind: string;
  /** Must finish the job (JobsRepo.finish) itself, in the same transaction as its result. */
  run(job: JobRow, ctx: JobContext): Promise<void>;
}

export interface WorkerOptions {
  concurrency: number;
  leaseMs: number;
  pollMs: number;
  logger: Logger;
}

export class JobWorker {
  readonly owner = `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private running = new Map<string, { controller: AbortController; done: Promise<void> }>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;
  private pumping = false;

  constructor(
    private readonly repo: JobsRepo,
    private readonly handler: JobHandler,
    private readonly opts: WorkerOptions,
  ) {}

  start(): void {
    if (!this.stopped || this.opts.concurrency < 1) return;
    this.stopped = false;
    this.schedule(0);
  }

  /** Look for work now (a job was just queued). */
  wake(): void {
    if (!this.stopped) this.schedule(0);
  }

  /** Stops claiming, aborts running jobs and hands them back to the queue. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    for (const r of this.running.values()) r.controller.abort(new Error('worker stopping'));
    await Promise.allSettled([...this.running.values()].map((r) => r.done));
  }

  private schedule(ms: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.pump(), ms);
    this.timer.unref();
  }

  private async pump(): Promise<void> {
    if (this.pumping || this.stopped) return;
    this.pumping = true;
    try {
      while (!this.stopped && this.running.size < this.opts.concurrency) {
        const now = Date.now();
        const job = await this.repo.claim(this.handler.kind, this.owner, new Date(now).toISOString(), new Date(now + this.opts.leaseMs).toISOString());
        if (!job) break;
        this.launch(job);
      }
    } catch (err) {
      this.opts.logger.error({ err }, 'job claim failed; will retry');
    } finally {
      this.pumping = false;
      if (!this.stopped) this.schedule(this.opts.pollMs);
    }
  }

  private launch(job: JobRow): void {
    const controller = new AbortController();
    const log = this.opts.logger.child({ jobId: job.id, subject: job.subject_id, attempt: job.attempts });
    const renew = setInterval(() => {
      const now = Date.now();
      this.repo
        .renew(job.id, this.owner, new Date(now).toISOString(), new Date(now + this.opts.leaseMs).toISOString())
        .then((ok) => {
          if (!ok && !controller.signal.aborted) {
            log.warn('lease lost; abandoning the job');
            controller.abort(new Error('lease lost'));
          }
        })
        .catch((err) => log.warn({ err }, 'lease renewal failed'));
    }, Math.max(500, Math.floor(this.opts.leaseMs / 3)));
    renew.unref();
    log.info('job started');
    const done = this.handler
      .run(job, { owner: this.owner, signal: controller.signal })
      .then(() => log.info('job finished'))
      .catch(async (err) => {
        if (this.stopped) {
          await this.repo.release(job.id, this.owner, new Date().toISOString()).catch(() => undefined);
          log.info('job handed back to the queue at shutdown');
        } else {
          log.error({ err }, 'job handler failed');
        }
      })
      .finally(() => {
        clearInterval(renew);
        this.running.delete(job.id);
        if (!this.stopped) this.schedule(0);
      });
    this.running.set(job.id, { controller, done });
  }
}
