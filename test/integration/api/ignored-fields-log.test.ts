// Issue 13, item 3: ignored fields are logged at debug (and only at debug), so an operator can
// see what clients send that modelreg does not read.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { Writable } from 'node:stream';
import { after, before, test } from 'node:test';
import { createApp, type App } from '../../../src/app.js';
import { loadConfig } from '../../../src/config.js';
import { createLogger } from '../../../src/logger.js';
import { signedFetch, tempDir, testDatabase, type Key } from '../../helpers/harness.js';
import { createTestDatabase, dropTestDatabase, testPgUrl } from '../../helpers/pg.js';

const apps: { app: App; dataDir: string }[] = [];

async function serverLoggingAt(level: string): Promise<{ url: string; key: Key; lines: () => any[] }> {
  const dataDir = tempDir();
  const pgUrl = testPgUrl();
  const database = pgUrl ? await createTestDatabase(pgUrl, dataDir) : testDatabase(dataDir);
  let text = '';
  const sink = new Writable({
    write(chunk, _enc, cb) {
      text += chunk.toString();
      cb();
    },
  });
  const app = await createApp(loadConfig({ dataDir, database, port: 0, logLevel: level }), createLogger(level, sink));
  apps.push({ app, dataDir });
  const url = await app.http.listen({ host: '127.0.0.1', port: 0 });
  await app.services.iam.ensureAccount('logs');
  const key = await app.services.iam.createKey({ accountName: 'logs', policies: ['QianfanFullControlAccessPolicy'] });
  return { url, key, lines: () => text.split('\n').filter(Boolean).map((l) => JSON.parse(l)) };
}

let debug: Awaited<ReturnType<typeof serverLoggingAt>>;
let info: Awaited<ReturnType<typeof serverLoggingAt>>;
before(async () => {
  debug = await serverLoggingAt('debug');
  info = await serverLoggingAt('info');
});
after(async () => {
  for (const { app, dataDir } of apps) {
    await app.close();
    const pgUrl = testPgUrl();
    if (pgUrl) await dropTestDatabase(pgUrl, app.config.database);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

test('at debug: one line naming the action and the ignored fields, with the requestId of the answer', async () => {
  const r = await signedFetch(debug.url, debug.key, { query: 'Action=DescribeCustomModelSets', body: JSON.stringify({ maxKeys: 5, pageNo: 2, filter: { name: 'x' } }) });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.headers.get('x-modelreg-ignored-fields'), 'pageNo,filter');
  const line = debug.lines().find((l) => l.msg === 'unknown fields ignored' && l.requestId === r.body.requestId);
  assert.ok(line, 'a debug line for the request');
  assert.equal(line.level, 20);
  assert.equal(line.action, 'DescribeCustomModelSets');
  assert.deepEqual(line.ignoredFields, ['pageNo', 'filter']);
});

test('at info: nothing is logged about them (the header still names them)', async () => {
  const r = await signedFetch(info.url, info.key, { query: 'Action=DescribeCustomModelSets', body: JSON.stringify({ pageNo: 2 }) });
  assert.equal(r.headers.get('x-modelreg-ignored-fields'), 'pageNo');
  assert.equal(info.lines().filter((l) => l.msg === 'unknown fields ignored').length, 0);
});
