// The durable job queue as the jobs layer and the domain see it; src/store/repos/jobs-repo.ts
// implements it on the `jobs` table. A claimed job holds a lease its worker renews; a job whose
// lease expired (its worker died) is claimable again. A job given up for now (retry) is queued
// again with the time it may run (`runAfter`), keeping its attempt count.
import type { Transaction } from 'kysely';
import type { Database } from '../store/schema.js';
import type { JobKind, JobPayloads, NewJob } from './job-payloads.js';

/** The unit of work a job's result is written in (finishing and recording it commit together). */
export type JobTransaction = Transaction<Database>;

/** A claimed job as the store holds it: its payload not read yet (the worker checks it). */
export interface ClaimedJob<K extends JobKind = JobKind> {
  id: string;
  kind: K;
  subjectId: string;
  accountId: string;
  /** 1 for the first run; every claim counts (a crashed run too), a shutdown hand-back does not. */
  attempts: number;
  /** Why the previous attempt ended (a retry's reason), if it did. */
  lastError: string | null;
  payload: string;
}

/** A job a handler runs: its payload read and checked against its kind's schema. */
export type Job<K extends JobKind = JobKind> = Omit<ClaimedJob<K>, 'payload'> & { payload: JobPayloads[K] };

/** The live (queued or running) job of a subject, for progress reports. */
export interface LiveJob {
  status: 'queued' | 'running';
  /** Queued again after a failed attempt, waiting for its retry time. */
  retrying: boolean;
  progress: string | null;
  lastError: string | null;
  /** Queued jobs of its kind the fair claim takes before this one (0 unless queued for a first run). */
  jobsAhead: number;
}

export interface JobQueue {
  /** Queues a job in `tx`, the transaction that creates its subject. */
  enqueue(job: NewJob, at: string, tx: JobTransaction): Promise<void>;
  /**
   * Takes the claimable job of `kind` that is fairest to start: the oldest of the account with
   * the fewest jobs running now. Leased to `owner` until `leaseUntil`.
   */
  claim<K extends JobKind>(kind: K, owner: string, now: string, leaseUntil: string): Promise<ClaimedJob<K> | undefined>;
  /** Extends the lease; false when the job is no longer ours (taken over, or deleted with its subject). */
  renew(id: string, owner: string, now: string, leaseUntil: string): Promise<boolean>;
  /** Ends the job while `owner` still holds it (in `tx` with its result); false when it no longer does. */
  finish(id: string, owner: string, status: 'done' | 'failed', lastError: string | null, now: string, tx?: JobTransaction): Promise<boolean>;
  /** Queues the job again, claimable once `runAfter` passes; the attempt stays counted. */
  retry(id: string, owner: string, reason: string, now: string, runAfter: string): Promise<void>;
  /** Hands a running job back to the queue (shutdown) without counting the attempt. */
  release(id: string, owner: string, now: string): Promise<void>;
  /** Removes the jobs of a subject being deleted; a running one notices at its next lease renewal. */
  cancelFor(subjectId: string, tx: JobTransaction): Promise<void>;
  /** The running job's published progress (JSON); only its lease holder writes it. */
  setProgress(id: string, owner: string, progress: string): Promise<void>;
  /** The subject's queued or running job, newest first. */
  liveJobOf(subjectId: string): Promise<LiveJob | undefined>;
}
