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
  return prepared(
    db,
    'prepareRead',
    arity,
    build,
    (stmt) => {
      const toRow = rowBuilder<R>(stmt);
      return (parameters) => {
        const values = stmt.all(parameters) as unknown[][];
        const rows = new Array<R>(values.length);
        for (let i = 0; i < values.length; i++) rows[i] = toRow(values[i]!);
        return rows;
      };
    },
    async (query) => (await db.executeQuery<R>(query)).rows,
  );
}

/**
 * Rows as better-sqlite3 would make them (the columns' names in order, a later duplicate name
 * winning), built in JS from the statement's raw arrays: better-sqlite3 sets each property of a
 * row object from native code, which costs more than the read itself for a page of rows
 * (bench/README.md, fifth round). Puts the statement in raw mode.
 */
function rowBuilder<R>(stmt: Statement): (values: unknown[]) => R {
  let names = stmt.columns().map((c) => c.name);
  stmt.raw(true);
  return (values) => {
    // SQLite re-prepares a statement whose tables changed (a `*` may then name more columns).
    if (values.length !== names.length) names = stmt.columns().map((c) => c.name);
    const row: Record<string, unknown> = {};
    for (let i = 0; i < names.length; i++) row[names[i]!] = values[i];
    return row as R;
  };
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
    (stmt) => (parameters) => {
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
  /** What runs the statement, made once when it is prepared. */
  onStatement: (stmt: Statement) => (parameters: unknown[]) => T,
  onKysely: (query: CompiledQuery<R>) => Promise<T>,
): (...args: unknown[]) => Promise<T> {
  const compiled: CompiledQuery<R> = build(...Array.from({ length: arity }, (_, i) => MARK + i)).compile();
  const slots = compiled.parameters.map((p) => (typeof p === 'string' && p.startsWith(MARK) ? Number(p.slice(MARK.length)) : -1));
  if (slots.filter((s) => s >= 0).length < arity) throw new Error(`${what}: a parameter did not reach the compiled query`);
  const handle = sqliteHandles.get(db);
  // Prepared on first use: the tables may not exist yet when a repo is built (before migrations).
  let run: ((parameters: unknown[]) => T) | undefined;
  return async (...args) => {
    if (args.length !== arity) throw new Error(`${what}: expected ${arity} arguments, got ${args.length}`);
    const parameters = compiled.parameters.map((p, i) => (slots[i]! >= 0 ? args[slots[i]!] : p));
    if (handle && !handle.inTransaction) {
      run ??= onStatement(handle.prepare(compiled.sql));
      return run(parameters);
    }
    return onKysely({ ...compiled, parameters });
  };
}
