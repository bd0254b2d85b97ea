// The durable job queue on the `jobs` table: claim with a lease, renew, finish.
// A job whose lease expired (its worker died) is claimable again by any worker.
import type { Kysely, Selectable, Transaction } from 'kysely';
import type { Database, JobsTable } from '../schema.js';
import { supportsSkipLocked, type DialectName } from '../dialect.js';

export type JobRow = Selectable<JobsTable>;

export class JobsRepo {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: DialectName,
  ) {}

  /**
   * Atomically takes a claimable job of `kind` for `owner` until `leaseUntil`: the oldest job of
   * the account with the fewest jobs running now, so one tenant's thousand queued imports do not
   * starve another's (each account gets a worker in turn; FIFO within an account).
   */
  async claim(kind: string, owner: string, now: string, leaseUntil: string): Promise<JobRow | undefined> {
    return this.db.transaction().execute(async (tx) => {
      let pick = tx
        .selectFrom('jobs as j')
        .select('j.id')
        .where('j.kind', '=', kind)
        .where((eb) =>
          eb.or([eb('j.status', '=', 'queued'), eb.and([eb('j.status', '=', 'running'), eb('j.lease_expires_at', '<', now)])]),
        )
        .orderBy((eb) =>
          eb
            .selectFrom('jobs as r')
            .select((e) => e.fn.countAll().as('n'))
            .whereRef('r.account_id', '=', 'j.account_id')
            .where('r.status', '=', 'running')
            .where('r.lease_expires_at', '>=', now)
            // A postponed job (lease_owner 'retry') waits for its retry time; it is not running.
            .where('r.lease_owner', '<>', 'retry'),
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
          attempts: eb('attempts', '+', 1),
          updated_at: now,
          // An earlier attempt's figures are not this attempt's.
          progress: null,
        }))
        .where('id', '=', candidate.id)
        .where((eb) =>
          eb.or([eb('status', '=', 'queued'), eb.and([eb('status', '=', 'running'), eb('lease_expires_at', '<', now)])]),
        )
        .returningAll()
        .executeTakeFirst();
    });
  }

  /** Extends the lease; false when the job is no longer ours (taken over or deleted). */
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

  async finish(id: string, owner: string, status: 'done' | 'failed', lastError: string | null, now: string, db: Kysely<Database> | Transaction<Database> = this.db): Promise<boolean> {
    const r = await db
      .updateTable('jobs')
      .set({ status, last_error: lastError, lease_owner: null, lease_expires_at: null, updated_at: now })
      .where('id', '=', id)
      .where('lease_owner', '=', owner)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  /** Hands a job back to the queue (graceful shutdown) without counting the attempt. */
  async release(id: string, owner: string, now: string): Promise<void> {
    await this.db
      .updateTable('jobs')
      .set((eb) => ({ status: 'queued', lease_owner: null, lease_expires_at: null, attempts: eb('attempts', '-', 1), updated_at: now }))
      .where('id', '=', id)
      .where('lease_owner', '=', owner)
      .where('status', '=', 'running')
      .execute();
  }

  /** Gives the job up for now: claimable again (by anyone) once `retryAt` passes. */
  async postpone(id: string, owner: string, reason: string, now: string, retryAt: string): Promise<void> {
    await this.db
      .updateTable('jobs')
      .set({ lease_owner: 'retry', lease_expires_at: retryAt, last_error: reason, updated_at: now })
      .where('id', '=', id)
      .where('lease_owner', '=', owner)
      .execute();
  }

  get(id: string): Promise<JobRow | undefined> {
    return this.db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
  }
}
