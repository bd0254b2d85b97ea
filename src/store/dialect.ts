// Every place where SQLite and PostgreSQL differ, named once.
import { PostgresAdapter, type Kysely } from 'kysely';

export type DialectName = 'sqlite' | 'postgres';

/** Which dialect a Kysely instance (or transaction) speaks, for code that was handed only the db. */
export function dialectOf(db: Kysely<any>): DialectName {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
}

/**
 * SELECT … FOR UPDATE on PostgreSQL: the rows stay locked until the transaction ends, so another
 * replica's transaction on them waits and then sees the outcome. SQLite has no FOR UPDATE and
 * needs none: a write transaction excludes every other writer of the file.
 */
export function lockRows<Q extends { forUpdate(): Q }>(q: Q, d: DialectName): Q {
  return d === 'postgres' ? q.forUpdate() : q;
}

/** Foreign-key violation, as each driver reports it. */
export function isForeignKeyViolation(err: unknown): boolean {
  const e = err as { code?: string };
  return e?.code === '23503' || e?.code === 'SQLITE_CONSTRAINT_FOREIGNKEY';
}

/** Unique-constraint violation, as each driver reports it. */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return e?.code === '23505' || e?.code === 'SQLITE_CONSTRAINT_UNIQUE' || e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/**
 * Row locking for job claims: PostgreSQL skips rows another replica is claiming
 * (FOR UPDATE SKIP LOCKED); SQLite has one writer at a time, so the claim statement alone is atomic.
 */
export const supportsSkipLocked = (d: DialectName): boolean => d === 'postgres';
