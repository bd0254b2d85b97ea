// A PostgreSQL database per test server, so no test sees another's rows and tests that assume
// an empty store hold on PostgreSQL too. MODELREG_TEST_DATABASE names the cluster (a URL whose
// role may CREATE DATABASE); each server gets modelreg_test_<hash of its data dir>, so a test
// that restarts a server on the same data dir finds its data again, as it would with SQLite.
import { createHash } from 'node:crypto';
import pg from 'pg';

export const testPgUrl = (): string | undefined => process.env.MODELREG_TEST_DATABASE || undefined;

/** The URL with another database name in its path. */
export function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

async function admin<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

export function databaseNameFor(dataDir: string): string {
  return `modelreg_test_${createHash('sha256').update(dataDir).digest('hex').slice(0, 20)}`;
}

/** Creates (or finds) the test database for a data dir and returns its URL. */
export async function createTestDatabase(clusterUrl: string, dataDir: string): Promise<string> {
  const name = databaseNameFor(dataDir);
  await admin(clusterUrl, async (c) => {
    try {
      await c.query(`CREATE DATABASE ${name}`);
    } catch (err) {
      if ((err as { code?: string }).code !== '42P04') throw err; // duplicate_database: a restart
    }
  });
  return withDatabase(clusterUrl, name);
}

/** A fresh, empty database with a random name (for tests that start processes themselves). */
export async function createRandomDatabase(clusterUrl: string, prefix = 'modelreg_test_'): Promise<string> {
  const name = `${prefix}${Math.random().toString(36).slice(2, 12)}`;
  await admin(clusterUrl, (c) => c.query(`CREATE DATABASE ${name}`));
  return withDatabase(clusterUrl, name);
}

/** Drops a test database, closing any connection still open to it. */
export async function dropTestDatabase(clusterUrl: string, databaseUrl: string): Promise<void> {
  const name = decodeURIComponent(new URL(databaseUrl).pathname.slice(1));
  if (!/^modelreg_test_\w+$/.test(name)) throw new Error(`refusing to drop ${name}: not a test database`);
  if (process.env.MODELREG_TEST_KEEP_DB === '1') return;
  await admin(clusterUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
}
