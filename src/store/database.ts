// Opens the metadata store: SQLite (embedded default) or PostgreSQL, behind one Kysely instance.
// Dialect differences live in src/store/dialect.ts, nowhere else.
import fs from 'node:fs';
import path from 'node:path';
import { Kysely, PostgresDialect } from 'kysely';
import type { Database } from './schema.js';
import { isPostgresUrl } from '../config.js';
import { ImmediateSqliteDialect, type DialectName } from './dialect.js';
import { withStatementCache } from './statement-cache.js';
import { registerPostgresUrl, registerSqliteHandle } from './prepared.js';

export interface OpenedStore {
  db: Kysely<Database>;
  dialect: DialectName;
}

export interface OpenOptions {
  /** An idle pooled PostgreSQL connection broke (server restart, failover); the pool reconnects. */
  onIdleConnectionError?: (err: Error) => void;
}

export async function openDatabase(database: string, opts: OpenOptions = {}): Promise<OpenedStore> {
  if (isPostgresUrl(database)) {
    const pg = await import('pg');
    // Return BIGINT/COUNT as numbers: our counts never approach 2^53.
    pg.default.types.setTypeParser(20, (v: string) => Number(v));
    // A bounded wait for a connection: an unreachable or saturated server fails requests, not hangs them.
    const pool = new pg.default.Pool({ connectionString: database, max: 10, connectionTimeoutMillis: 10_000 });
    // Without a listener, a broken idle connection is an unhandled 'error' event: a process crash.
    pool.on('error', (err) => opts.onIdleConnectionError?.(err));
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    registerPostgresUrl(db, database);
    return { db, dialect: 'postgres' };
  }
  const { default: SQLite } = await import('better-sqlite3');
  fs.mkdirSync(path.dirname(path.resolve(database)), { recursive: true, mode: 0o700 });
  // Created 0600 here: SQLite gives its WAL and shared-memory files the database file's mode.
  if (database !== ':memory:') fs.closeSync(fs.openSync(database, 'a', 0o600));
  const sqlite = new SQLite(database);
  // WAL survives a SIGKILL without losing committed transactions and lets the CLI
  // read and write while a server runs; busy_timeout makes concurrent writers wait.
  // busy_timeout first: setting the journal mode takes a lock too, and without a timeout a replica
  // starting while another writes fails at once with "database is locked".
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  const db = new Kysely<Database>({ dialect: new ImmediateSqliteDialect({ database: withStatementCache(sqlite) }) });
  // Hot reads (store/prepared.ts) and the key-change check (store/key-changes.ts) use it directly.
  registerSqliteHandle(db, sqlite);
  return { db, dialect: 'sqlite' };
}
