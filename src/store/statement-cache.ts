// better-sqlite3 compiles a statement on every prepare(), and Kysely prepares every query it
// runs: for the few dozen distinct SQL texts of this registry that is wasted work on each
// request. This wrapper hands Kysely's SQLite driver the same compiled statement for the same
// text. Safe because Kysely runs one query at a time on its single SQLite connection.
import type { Database as SqliteDatabase, Statement } from 'better-sqlite3';

const MAX_STATEMENTS = 500;

export function withStatementCache(db: SqliteDatabase): SqliteDatabase {
  const cache = new Map<string, Statement>();
  const prepare = db.prepare.bind(db);
  return new Proxy(db, {
    get(target, prop, receiver) {
      if (prop !== 'prepare') {
        const v = Reflect.get(target, prop, receiver);
        // Native methods must be called on the real object, not on the proxy.
        return typeof v === 'function' ? v.bind(target) : v;
      }
      return (source: string) => {
        let stmt = cache.get(source);
        if (!stmt) {
          stmt = prepare(source);
          // Bounded: SQL texts with inlined values (should there be any) must not grow it forever.
          if (cache.size >= MAX_STATEMENTS) cache.clear();
          cache.set(source, stmt);
        }
        return stmt;
      };
    },
  });
}
