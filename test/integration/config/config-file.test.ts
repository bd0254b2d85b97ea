// Where the database (and every other setting) comes from: --database, MODELREG_DATABASE, or a
// JSON config file (--config FILE / MODELREG_CONFIG); flags beat the environment, which beats the
// file, which beats defaults. The spawned-server tests run on this run's database (SQLite or
// PostgreSQL), so `serve` is shown to work on both through each way of naming it.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, afterEach, test } from 'node:test';
import { loadConfig } from '../../../src/config.js';
import { openDatabase } from '../../../src/store/database.js';
import { tempDir } from '../../helpers/harness.js';
import { createRandomDatabase, dropTestDatabase, testPgUrl } from '../../helpers/pg.js';
import { clusterSecrets, spawnServer } from '../scale/cluster.js';

const root = tempDir('modelreg-config-');
after(() => fs.rmSync(root, { recursive: true, force: true }));

// Environment variables these tests set, restored after each.
const saved = new Map<string, string | undefined>();
function setEnv(name: string, value: string | undefined): void {
  if (!saved.has(name)) saved.set(name, process.env[name]);
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}
afterEach(() => {
  for (const [k, v] of saved) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  saved.clear();
});

function writeConfig(name: string, content: unknown): string {
  const file = path.join(root, name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

test('a config file sets keys by their Config names; relative paths are relative to the file', () => {
  setEnv('MODELREG_DATABASE', undefined);
  setEnv('MODELREG_PORT', undefined);
  setEnv('MODELREG_DATA_DIR', undefined);
  setEnv('MODELREG_BUCKETS_DIR', undefined);
  setEnv('MODELREG_BUCKET_GRANTS', undefined);
  const file = writeConfig('etc/modelreg.json', { port: 9123, dataDir: '../var', logLevel: 'debug', importConcurrency: 7, masterKey: 'k', bucketGrants: { models: ['alice'] } });
  const c = loadConfig({}, file);
  assert.equal(c.port, 9123);
  assert.equal(c.dataDir, path.join(root, 'var'));
  // Derived paths follow the file's data dir.
  assert.equal(c.database, path.join(root, 'var', 'modelreg.sqlite'));
  assert.equal(c.bucketsDir, path.join(root, 'var', 'buckets'));
  assert.equal(c.logLevel, 'debug');
  assert.equal(c.importConcurrency, 7);
  assert.equal(c.masterKey, 'k');
  assert.deepEqual(c.bucketGrants, { models: ['alice'] });
});

test('flags beat the environment, which beats the file', () => {
  const file = writeConfig('layers.json', { database: 'postgres://file@db/file', port: 1111, logLevel: 'warn' });
  setEnv('MODELREG_DATABASE', 'postgres://env@db/env');
  setEnv('MODELREG_PORT', undefined);
  setEnv('MODELREG_LOG_LEVEL', 'error');
  let c = loadConfig({}, file);
  assert.equal(c.database, 'postgres://env@db/env', 'env over file');
  assert.equal(c.port, 1111, 'file over default');
  assert.equal(c.logLevel, 'error');
  c = loadConfig({ database: 'postgres://flag@db/flag', port: 2222 }, file);
  assert.equal(c.database, 'postgres://flag@db/flag', 'flag over env');
  assert.equal(c.port, 2222, 'flag over file');
});

test('MODELREG_CONFIG names the file when --config is not given', () => {
  setEnv('MODELREG_DATABASE', undefined);
  setEnv('MODELREG_CONFIG', writeConfig('by-env.json', { database: 'postgres://u@h:5432/fromfile' }));
  assert.equal(loadConfig({}).database, 'postgres://u@h:5432/fromfile');
});

test('S3 settings from the file, unless the environment configures S3', () => {
  for (const k of Object.keys(process.env)) if (k.startsWith('MODELREG_S3_')) setEnv(k, undefined);
  const file = writeConfig('s3.json', { s3: { endpoint: 'http://127.0.0.1:9000', accessKeyId: 'a', secretAccessKey: 'b' } });
  assert.deepEqual(loadConfig({}, file).s3, { endpoint: 'http://127.0.0.1:9000', region: 'us-east-1', accessKeyId: 'a', secretAccessKey: 'b', forcePathStyle: true });
  setEnv('MODELREG_S3_ENDPOINT', 'http://127.0.0.1:9999');
  assert.equal(loadConfig({}, file).s3?.endpoint, 'http://127.0.0.1:9999');
});

test('a bad config file is refused with a message naming the file and the problem', () => {
  const cases: Array<[unknown, RegExp]> = [
    ['{ not json', /bad\.json: .*JSON/i],
    [[1, 2], /must hold a JSON object/],
    [{ databse: 'x' }, /unknown key "databse"; known keys: .*database/],
    [{ port: '8080' }, /"port" must be a number, got string/],
    [{ port: -1 }, /"port" must be a non-negative integer/],
    [{ database: 5 }, /"database" must be a string, got number/],
    [{ s3: 'http://x' }, /"s3" must be an object/],
    [{ s3: { endpiont: 'x' } }, /unknown key "s3.endpiont"/],
    [{ bucketGrants: { models: 'alice' } }, /"bucketGrants" must map names to arrays of strings/],
  ];
  for (const [content, message] of cases) {
    const file = writeConfig('bad.json', content);
    assert.throws(() => loadConfig({}, file), (e: Error) => message.test(e.message) && e.message.includes(file), JSON.stringify(content));
  }
  assert.throws(() => loadConfig({}, path.join(root, 'nope.json')), /nope\.json: no such file/);
});

// ---- the real `modelreg serve`, on this run's database, named three ways

const pgUrl = testPgUrl();

async function freshDatabase(name: string): Promise<string> {
  return pgUrl ? createRandomDatabase(pgUrl) : path.join(root, `${name}.sqlite`);
}

async function bootstrapKeyIn(database: string, accessKey: string): Promise<boolean> {
  const store = await openDatabase(database);
  try {
    return (await store.db.selectFrom('access_keys').select('access_key').where('access_key', '=', accessKey).executeTakeFirst()) !== undefined;
  } finally {
    await store.db.destroy();
  }
}

for (const how of ['--database', 'MODELREG_DATABASE', '--config'] as const) {
  test(`modelreg serve on ${pgUrl ? 'PostgreSQL' : 'SQLite'} named by ${how}`, async () => {
    const database = await freshDatabase(how.replace(/\W/g, ''));
    const secrets = clusterSecrets();
    const dataDir = path.join(root, `serve-${how.replace(/\W/g, '')}`);
    const server = await spawnServer({
      dataDir,
      secrets,
      database: how === '--database' ? database : undefined,
      env: how === 'MODELREG_DATABASE' ? { MODELREG_DATABASE: database } : {},
      args: how === '--config' ? ['--config', writeConfig(`serve-${Math.random()}.json`, { database, logLevel: 'info' })] : [],
    });
    try {
      assert.ok(await bootstrapKeyIn(database, secrets.key.accessKey), `the server wrote to ${how === '--config' ? 'the config file' : how}'s database`);
      if (!pgUrl) assert.ok(!fs.existsSync(path.join(dataDir, 'modelreg.sqlite')), 'not to the data dir default');
    } finally {
      await server.stop();
      if (pgUrl) await dropTestDatabase(pgUrl, database);
    }
  });
}
