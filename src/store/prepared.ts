// Hot reads compiled once. Kysely rebuilds and recompiles a query's tree on every call, which
// profiling showed to be the largest single cost of a signed DescribeModel; a prepared read
// compiles with marker values once and substitutes the real values on each run. The SQL text is
// the dialect's own (Kysely compiled it), so this works unchanged on SQLite and PostgreSQL.
// On SQLite the read runs on the better-sqlite3 statement directly (no driver, no mutex) when no
// transaction is open on the connection: a read then sees exactly what Kysely's path would, and
// inside an open transaction (whose writes may still roll back) it queues behind it as before.
import type { Database as SqliteDatabase, Statement } from 'better-sqlite3';
import type { Compilable, CompiledQuery, Kysely } from 'kysely';

const MARK = '\u0000modelreg-param:';

/** The better-sqlite3 connection behind a Kysely instance opened by store/database.ts. */
const sqliteHandles = new WeakMap<Kysely<any>, SqliteDatabase>();

export function registerSqliteHandle(db: Kysely<any>, handle: SqliteDatabase): void {
  sqliteHandles.set(db, handle);
}

export function sqliteHandleOf(db: Kysely<any>): SqliteDatabase | undefined {
  return sqliteHandles.get(db);
}

/** The connection string behind a PostgreSQL Kysely instance (for a LISTEN connection of its own). */
const postgresUrls = new WeakMap<Kysely<any>, string>();

export function registerPostgresUrl(db: Kysely<any>, url: string): void {
  postgresUrls.set(db, url);
}

export function postgresUrlOf(db: Kysely<any>): string | undefined {
  return postgresUrls.get(db);
}

export function prepareRead<R>(db: Kysely<any>, arity: number, build: (...params: string[]) => Compilable<R>): (...args: unknown[]) => Promise<R[]> {
  return prepared(db, 'prepareRead', arity, build, (stmt, parameters) => stmt.all(parameters) as R[], async (query) => (await db.executeQuery<R>(query)).rows);
}

/**
 * A statement that returns no rows (an INSERT), compiled once like prepareRead. Runs outside any
 * transaction (autocommit); on SQLite on the statement directly when no transaction is open.
 */
export function prepareWrite(db: Kysely<any>, arity: number, build: (...params: string[]) => Compilable<unknown>): (...args: unknown[]) => Promise<void> {
  return prepared(
    db,
    'prepareWrite',
    arity,
    build,
    (stmt, parameters) => {
      stmt.run(parameters);
    },
    async (query) => {
      await db.executeQuery(query);
    },
  );
}

/**
 * The query compiled once with marker values; each run puts its arguments in the markers' places
 * and runs on the SQLite statement (no transaction open on the connection) or through Kysely.
 */
function prepared<R, T>(
  db: Kysely<any>,
  what: string,
  arity: number,
  build: (...params: string[]) => Compilable<R>,
  onStatement: (stmt: Statement, parameters: unknown[]) => T,
  onKysely: (query: CompiledQuery<R>) => Promise<T>,
): (...args: unknown[]) => Promise<T> {
  const compiled: CompiledQuery<R> = build(...Array.from({ length: arity }, (_, i) => MARK + i)).compile();
  const slots = compiled.parameters.map((p) => (typeof p === 'string' && p.startsWith(MARK) ? Number(p.slice(MARK.length)) : -1));
  if (slots.filter((s) => s >= 0).length < arity) throw new Error(`${what}: a parameter did not reach the compiled query`);
  const handle = sqliteHandles.get(db);
  // Prepared on first use: the tables may not exist yet when a repo is built (before migrations).
  let stmt: Statement | undefined;
  return async (...args) => {
    if (args.length !== arity) throw new Error(`${what}: expected ${arity} arguments, got ${args.length}`);
    const parameters = compiled.parameters.map((p, i) => (slots[i]! >= 0 ? args[slots[i]!] : p));
    if (handle && !handle.inTransaction) {
      stmt ??= handle.prepare(compiled.sql);
      return onStatement(stmt, parameters);
    }
    return onKysely({ ...compiled, parameters });
  };
}
