// Every place where SQLite and PostgreSQL differ, named once. Differences that need no code:
//  * PostgreSQL enforces varchar(n) lengths and SQLite does not, so every length is checked
//    before the store (request schemas, domain rules): an over-long value is a 400 on both.
//  * PostgreSQL cannot store NUL in text; request bodies refuse it (src/http/strict-json.ts), and
//    every other input refuses or replaces it at its boundary (SECURITY.md). What slips through
//    anyway is recognised by unstorableText below: a 400 for a request, a permanent job failure.
//  * String order: run PostgreSQL databases with the C collation (scripts/pg-start.sh does) to get
//    SQLite's byte order; keyset pages are correct under any collation either way.
import { CompiledQuery, PostgresAdapter, SqliteDialect, sql, type Driver, type Kysely, type Transaction } from 'kysely';

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

/** The advisory-lock class of per-account quota locks (pg_advisory_xact_lock's first key). */
const ACCOUNT_LOCK_CLASS = 0x71756f74; // 'quot'

/**
 * Holds one account's quota lock until `tx` ends, so a quota's count and the insert it allows are
 * one step for that account. PostgreSQL: a transaction-scoped advisory lock keyed by the account
 * (the two-key form, apart from Kysely's migration lock; a hash collision only serializes two
 * accounts). SQLite: nothing to do, our transactions begin IMMEDIATE and hold the file's only
 * write lock (ImmediateSqliteDialect), even against another process.
 */
export async function lockAccount(tx: Transaction<any>, accountId: string): Promise<void> {
  if (dialectOf(tx) === 'postgres') await sql`select pg_advisory_xact_lock(${ACCOUNT_LOCK_CLASS}, hashtext(${accountId}))`.execute(tx);
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
 * Why PostgreSQL refused to store (or even compare) a string, or null for any other error:
 * 22021 "invalid byte sequence for encoding UTF8: 0x00" (NUL in text), 22P05 "unsupported Unicode
 * escape sequence" (\u0000 in json/jsonb), 22001 a string longer than its varchar(n) column.
 * SQLite stores all of these, so it never raises them.
 */
export function unstorableText(err: unknown): 'nul' | 'too-long' | null {
  const code = (err as { code?: unknown })?.code;
  if (code === '22021' || code === '22P05') return 'nul';
  if (code === '22001') return 'too-long';
  return null;
}

/**
 * Row locking for job claims: PostgreSQL skips rows another replica is claiming
 * (FOR UPDATE SKIP LOCKED); SQLite has one writer at a time, so the claim statement alone is atomic.
 */
export const supportsSkipLocked = (d: DialectName): boolean => d === 'postgres';

/**
 * Runs fn holding SQLite's write lock: BEGIN IMMEDIATE … COMMIT on its single connection, waiting
 * while another process writes. For work Kysely leaves unlocked on SQLite, namely migrations:
 * processes starting together on one file would otherwise both create the tables. On PostgreSQL
 * fn runs as is (Kysely's Migrator holds an advisory lock there).
 */
export async function withSqliteWriteLock<T>(db: Kysely<any>, fn: () => Promise<T>): Promise<T> {
  if (dialectOf(db) !== 'sqlite') return fn();
  const giveUpAt = Date.now() + 60_000;
  for (;;) {
    try {
      await sql`begin immediate`.execute(db);
      break;
    } catch (err) {
      // busy_timeout already waited a few seconds; a long migration elsewhere may need more.
      if ((err as { code?: string }).code !== 'SQLITE_BUSY' || Date.now() > giveUpAt) throw err;
    }
  }
  try {
    const result = await fn();
    await sql`commit`.execute(db);
    return result;
  } catch (err) {
    await sql`rollback`.execute(db).catch(() => undefined);
    throw err;
  }
}

/**
 * SQLite whose transactions begin IMMEDIATE: they take the file's write lock at BEGIN and wait
 * for it (busy_timeout). Ours all write, and a default (deferred) transaction that reads first
 * fails at once with SQLITE_BUSY_SNAPSHOT when another process (a second server, the admin CLI)
 * wrote in between, instead of waiting its turn.
 */
export class ImmediateSqliteDialect extends SqliteDialect {
  override createDriver(): Driver {
    const driver = super.createDriver();
    driver.beginTransaction = async (connection) => {
      await connection.executeQuery(CompiledQuery.raw('begin immediate'));
    };
    // After some errors (SQLITE_FULL, SQLITE_IOERR, SQLITE_NOMEM, …) SQLite has already rolled the
    // transaction back itself; Kysely's ROLLBACK then fails, and its error would replace the real one
    // (a full disk would answer 500 instead of 503 "storage is full").
    const rollback = driver.rollbackTransaction.bind(driver);
    driver.rollbackTransaction = async (connection) => {
      try {
        await rollback(connection);
      } catch (err) {
        if (!/no transaction is active/.test((err as Error).message)) throw err;
      }
    };
    return driver;
  }
}
