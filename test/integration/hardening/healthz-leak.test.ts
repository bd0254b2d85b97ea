// /healthz answers anyone, without authentication (load balancers probe it). When the database is
// unreachable it says so, but never with the driver's own message, which names the database, its
// host and port or its user (SECURITY.md: nothing about the deployment in an answer to a stranger);
// the detail goes to the log. PostgreSQL only: SQLite's `select 1` cannot fail while the process
// holds the file open.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { startServer, type TestServer } from '../../helpers/harness.js';
import { testPgUrl } from '../../helpers/pg.js';

const cluster = testPgUrl();

describe('/healthz while the database refuses connections', { skip: cluster ? false : 'PostgreSQL only (MODELREG_TEST_PG)' }, () => {
  let server: TestServer;
  let dbName: string;
  const admin = async (text: string) => {
    const c = new pg.Client({ connectionString: cluster });
    await c.connect();
    try {
      await c.query(text);
    } finally {
      await c.end();
    }
  };

  before(async () => {
    server = await startServer();
    dbName = decodeURIComponent(new URL(server.database).pathname.slice(1));
  });
  after(async () => {
    await admin(`ALTER DATABASE ${dbName} ALLOW_CONNECTIONS true`).catch(() => undefined);
    await server?.close();
  });

  test('answers 503 without the driver message, and ok again once the database is back', async () => {
    await admin(`ALTER DATABASE ${dbName} ALLOW_CONNECTIONS false`);
    await admin(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${dbName}'`);
    let r: Response | undefined;
    let text = '';
    for (let i = 0; i < 20; i++) {
      r = await fetch(`${server.url}/healthz`);
      text = await r.text();
      if (r.status === 503) break;
      await new Promise((res) => setTimeout(res, 100));
    }
    assert.equal(r?.status, 503, text);
    const body = JSON.parse(text) as { status: string; reason?: string };
    assert.equal(body.status, 'unavailable');
    assert.doesNotMatch(text, new RegExp(`${dbName}|127\\.0\\.0\\.1|localhost|\\d{4,5}|accepting|ECONN|password|user`, 'i'));
    assert.match(body.reason ?? '', /database/);
    await admin(`ALTER DATABASE ${dbName} ALLOW_CONNECTIONS true`);
    for (let i = 0; i < 50; i++) {
      r = await fetch(`${server.url}/healthz`);
      if (r.status === 200) break;
      await new Promise((res) => setTimeout(res, 100));
    }
    assert.equal(r?.status, 200);
  });
});
