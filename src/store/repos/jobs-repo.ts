// The durable job queue on the `jobs` table (the port: src/jobs/job-queue.ts): claim with a lease,
// renew, finish, retry later. A job whose lease expired (its worker died) is claimable again by any worker.
import { sql, type ExpressionBuilder, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { Database, JobsTable } from '../schema.js';
import { supportsSkipLocked, type DialectName } from '../dialect.js';
import type { ClaimedJob, JobQueue, LiveJob } from '../../jobs/job-queue.js';
import type { JobKind, NewJob } from '../../jobs/job-payloads.js';

type JobRow = Selectable<JobsTable>;
type Db = Kysely<Database> | Transaction<Database>;

/** Queued and due (a retry waits for run_after), or running on a lease that expired. */
function claimable(now: string, table = '') {
  return (eb: ExpressionBuilder<any, any>) =>
    eb.or([
      eb.and([eb(`${table}status`, '=', 'queued'), eb.or([eb(`${table}run_after`, 'is', null), eb(`${table}run_after`, '<=', now)])]),
      eb.and([eb(`${table}status`, '=', 'running'), eb(`${table}lease_expires_at`, '<', now)]),
    ]);
}

function claimed<K extends JobKind>(row: JobRow): ClaimedJob<K> {
  return { id: row.id, kind: row.kind as K, subjectId: row.subject_id, accountId: row.account_id, attempts: row.attempts, lastError: row.last_error, payload: row.payload };
}

export class JobsRepo implements JobQueue {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: DialectName,
  ) {}

  async enqueue(job: NewJob, at: string, tx: Db): Promise<void> {
    await tx
      .insertInto('jobs')
      .values({
        id: job.id,
        kind: job.kind,
        subject_id: job.subjectId,
        account_id: job.accountId,
        status: 'queued',
        attempts: 0,
        payload: JSON.stringify(job.payload),
        lease_owner: null,
        lease_expires_at: null,
        last_error: null,
        created_at: at,
        updated_at: at,
      })
      .execute();
  }

  /**
   * Atomically takes a claimable job of `kind` for `owner` until `leaseUntil`: the oldest job of
   * the account with the fewest jobs running now, so one tenant's thousand queued imports do not
   * starve another's (each account gets a worker in turn; FIFO within an account).
   */
  async claim<K extends JobKind>(kind: K, owner: string, now: string, leaseUntil: string): Promise<ClaimedJob<K> | undefined> {
    const row = await this.db.transaction().execute(async (tx) => {
      let pick = tx
        .selectFrom('jobs as j')
        .select('j.id')
        .where('j.kind', '=', kind)
        .where(claimable(now, 'j.'))
        .orderBy((eb) =>
          eb
            .selectFrom('jobs as r')
            .select((e) => e.fn.countAll().as('n'))
            .whereRef('r.account_id', '=', 'j.account_id')
            .where('r.status', '=', 'running')
            .where('r.lease_expires_at', '>=', now),
        )
        .orderBy('j.created_at')
        .limit(1);
      if (supportsSkipLocked(this.dialect)) pick = pick.forUpdate().skipLocked();
      const candidate = await pick.executeTakeFirst();
      if (!candidate) return undefined;
      // The WHERE repeats the claimability test so a concurrent claim can never double-take.
      return tx
        .updateTable('jobs')
        .set((eb) => ({
          status: 'running',
          lease_owner: owner,
          lease_expires_at: leaseUntil,
          run_after: null,
          attempts: eb('attempts', '+', 1),
          updated_at: now,
          // An earlier attempt's figures are not this attempt's.
          progress: null,
        }))
        .where('id', '=', candidate.id)
        .where(claimable(now))
        .returningAll()
        .executeTakeFirst();
    });
    return row && claimed<K>(row);
  }

  async renew(id: string, owner: string, now: string, leaseUntil: string): Promise<boolean> {
    const r = await this.db
      .updateTable('jobs')
      .set({ lease_expires_at: leaseUntil, updated_at: now })
      .where('id', '=', id)
      .where('lease_owner', '=', owner)
      .where('status', '=', 'running')
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async finish(id: string, owner: string, status: 'done' | 'failed', lastError: string | null, now: string, db: Db = this.db): Promise<boolean> {
    const r = await db
      .updateTable('jobs')
      .set({ status, last_error: lastError, lease_owner: null, lease_expires_at: null, updated_at: now })
      .where('id', '=', id)
      .where('lease_owner', '=', owner)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async release(id: string, owner: string, now: string): Promise<void> {
    await this.db
      .updateTable('jobs')
      .set((eb) => ({ status: 'queued', lease_owner: null, lease_expires_at: null, attempts: eb('attempts', '-', 1), updated_at: now }))
      .where('id', '=', id)
      .where('lease_owner', '=', owner)
      .where('status', '=', 'running')
      .execute();
  }

  async retry(id: string, owner: string, reason: string, now: string, runAfter: string): Promise<void> {
    await this.db
      .updateTable('jobs')
      .set({ status: 'queued', run_after: runAfter, lease_owner: null, lease_expires_at: null, last_error: reason, updated_at: now })
      .where('id', '=', id)
      .where('lease_owner', '=', owner)
      .where('status', '=', 'running')
      .execute();
  }

  async cancelFor(subjectId: string, tx: Db): Promise<void> {
    await tx.deleteFrom('jobs').where('subject_id', '=', subjectId).execute();
  }

  async setProgress(id: string, owner: string, progress: string): Promise<void> {
    await this.db.updateTable('jobs').set({ progress }).where('id', '=', id).where('lease_owner', '=', owner).where('status', '=', 'running').execute();
  }

  /**
   * The queued or running job of a subject, with the number of queued jobs of its kind that the
   * fair claim takes before it: each account's queue is served in turn, oldest first, so a job of
   * rank k in its account's queue waits for the jobs of rank < k of every account and for the jobs
   * of rank k that are older than it. Jobs waiting to be retried are not in that line.
   */
  async liveJobOf(subjectId: string): Promise<LiveJob | undefined> {
    const job = await this.db
      .selectFrom('jobs')
      .select(['id', 'kind', 'account_id', 'status', 'run_after', 'progress', 'last_error', 'created_at'])
      .where('subject_id', '=', subjectId)
      .where('status', 'in', ['queued', 'running'])
      .orderBy('created_at', 'desc')
      .executeTakeFirst();
    if (!job) return undefined;
    const retrying = job.status === 'queued' && job.run_after != null;
    const base = { status: job.status as 'queued' | 'running', retrying, progress: job.progress ?? null, lastError: job.last_error };
    if (job.status !== 'queued' || retrying) return { ...base, jobsAhead: 0 };
    const ranked = sql<{ n: number | string }>`
      with q as (
        select id, created_at, row_number() over (partition by account_id order by created_at, id) - 1 as rk, account_id
        from jobs where kind = ${job.kind} and status = 'queued' and run_after is null
      ),
      me as (select rk from q where id = ${job.id})
      select count(*) as n from q, me
      where q.id <> ${job.id}
        and (q.rk < me.rk or (q.rk = me.rk and (q.created_at < ${job.created_at} or (q.created_at = ${job.created_at} and q.id < ${job.id}))))`;
    const r = await ranked.execute(this.db);
    return { ...base, jobsAhead: Number(r.rows[0]?.n ?? 0) };
  }
}
