// The CLI as an operator uses it: `serve` in a child process with a bootstrap key (restarted on
// the same data dir), one structured JSON log line per request, and the admin commands
// (account create, key create/list/disable/enable) acting on a running server's store.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { call, sdk, sdkFails, startServer, tempDir, type Key } from '../../helpers/harness.js';
import { createRandomDatabase, dropTestDatabase, testPgUrl } from '../../helpers/pg.js';
import { failingServe, runCli, startCliServer, type CliServer } from '../../helpers/cli.js';
import { assertError, UUID } from '../../helpers/api.js';

let dataDir: string;
let store: string[]; // --data-dir … [--database …], for every command
let pgDatabase: string | undefined;
let server: CliServer | undefined;
const bootstrap: Key = { accessKey: `boot${randomBytes(6).toString('hex')}`, secretKey: randomBytes(24).toString('hex') };
const bootEnv = { MODELREG_BOOTSTRAP_ACCESS_KEY: bootstrap.accessKey, MODELREG_BOOTSTRAP_SECRET_KEY: bootstrap.secretKey };
const secrets: string[] = [bootstrap.secretKey];

before(async () => {
  dataDir = tempDir('modelreg-cli-');
  store = ['--data-dir', dataDir];
  const cluster = testPgUrl();
  if (cluster) {
    pgDatabase = await createRandomDatabase(cluster);
    store.push('--database', pgDatabase);
  }
});

after(async () => {
  await server?.stop();
  const cluster = testPgUrl();
  if (cluster && pgDatabase) await dropTestDatabase(cluster, pgDatabase);
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const json = (r: { stdout: string; stderr: string; code: number | null }) => {
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout);
};

function assertNoSecrets(text: string, where: string): void {
  for (const sk of secrets) assert.ok(!text.includes(sk), `a secret key appears in ${where}`);
}

test('serve starts with a bootstrap key and answers the SDK', async () => {
  server = await startCliServer(store, bootEnv);
  assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  const health = await fetch(`${server.url}/healthz`);
  assert.equal(health.status, 200);
  const set = await call(server, bootstrap, 'CreateCustomModelSet', { modelSetName: 'from_cli', modelType: 'Text2Text' });
  assert.match(set.modelSetId, /^am-/);
});

test('one JSON log line per request: requestId, action, account, status, latencyMs', async () => {
  const s = server!;
  const ok = await sdk(s.url, bootstrap, '/v2/model', 'DescribeCustomModelSets', {});
  const missing = await sdkFails(sdk(s.url, bootstrap, '/v2/model', 'DescribeModel', { modelId: 'amv-000000000000' }));
  const unknownKey = await sdkFails(sdk(s.url, { accessKey: 'AKnobody00000000', secretKey: 'x'.repeat(32) }, '/v2/model', 'DescribeCustomModelSets', {}));
  const wrongSecret = await sdkFails(sdk(s.url, { accessKey: bootstrap.accessKey, secretKey: 'y'.repeat(48) }, '/v2/model', 'DescribeCustomModelSets', {}));
  // The log is written asynchronously: a request's line may land just after its answer.
  const ids = new Set([ok.requestId, missing.body.requestId, unknownKey.body.requestId, wrongSecret.body.requestId]);
  const lines = await s.waitForLines((l) => l.msg === 'request' && ids.has(l.requestId), 4);
  assert.equal(lines.length, 4, JSON.stringify(lines));
  const byId = new Map(lines.map((l) => [l.requestId, l]));

  const a = byId.get(ok.requestId);
  assert.ok(a, `a log line for ${ok.requestId}`);
  assert.equal(a.action, 'DescribeCustomModelSets');
  assert.equal(a.account, 'default');
  assert.equal(a.status, 200);
  assert.equal(typeof a.latencyMs, 'number');
  assert.ok(a.latencyMs >= 0 && a.latencyMs < 10_000);
  assert.match(a.requestId, UUID);
  assert.equal(a.level, 30);
  assert.equal(typeof a.time, 'string');

  const b = byId.get(missing.body.requestId);
  assert.equal(b?.action, 'DescribeModel');
  assert.equal(b?.account, 'default');
  assert.equal(b?.status, 404);

  const c = byId.get(unknownKey.body.requestId);
  assert.equal(c?.status, 403);
  assert.equal(c?.account, undefined, 'no account for an unknown key');
  const d = byId.get(wrongSecret.body.requestId);
  assert.equal(d?.status, 400);

  assertNoSecrets(s.output().stdout + s.output().stderr, 'the server output');
  assert.ok(!s.output().stdout.includes('bce-auth-v1/'), 'Authorization headers are not logged');
});

test('account create, key create, key list, key disable/enable act on the running server', async () => {
  const s = server!;
  const account = json(await runCli(['account', 'create', 'team-a', ...store]));
  assert.equal(account.name, 'team-a');
  assert.match(account.accountId, /^acct-/);

  // Two policies, comma-separated; the secret is printed once, here.
  const created = json(await runCli(['key', 'create', '--account', 'team-a', '--policy', 'QianfanReadAccessPolicy,QianfanModelTuningReadAccessPolicy', '--description', 'ci reader', ...store]));
  assert.deepEqual(Object.keys(created).sort(), ['accessKey', 'secretKey']);
  secrets.push(created.secretKey);
  const reader: Key = created;

  // The new key works at once against the running server, with its policy.
  assert.deepEqual((await call(s, reader, 'DescribeCustomModelSets', {})).customModelSetList, []);
  const denied = await sdkFails(sdk(s.url, reader, '/v2/model', 'CreateCustomModelSet', { modelSetName: 'nope', modelType: 'Text2Text' }));
  assertError(denied, 403, 'AccessDenied');

  // Disabling takes effect on the running server at once.
  assert.deepEqual(json(await runCli(['key', 'disable', reader.accessKey, ...store])), { accessKey: reader.accessKey, status: 'disabled' });
  assertError(await sdkFails(sdk(s.url, reader, '/v2/model', 'DescribeCustomModelSets', {})), 403, 'AccessKeyDisabled');

  const list = await runCli(['key', 'list', ...store]);
  const keys = json(list);
  assertNoSecrets(list.stdout + list.stderr, 'key list');
  assert.ok(keys.every((k: any) => !('secretKey' in k) && !('secret' in k)), 'key list shows no secrets');
  const r = keys.find((k: any) => k.accessKey === reader.accessKey);
  assert.deepEqual(
    { account: r.account, policies: r.policies, status: r.status, description: r.description },
    { account: 'team-a', policies: ['QianfanReadAccessPolicy', 'QianfanModelTuningReadAccessPolicy'], status: 'disabled', description: 'ci reader' },
  );
  assert.equal(keys.find((k: any) => k.accessKey === bootstrap.accessKey).status, 'enabled');

  // Enabling restores it.
  json(await runCli(['key', 'enable', reader.accessKey, ...store]));
  await call(s, reader, 'DescribeCustomModelSets', {});
});

test('admin mistakes are clear errors with a non-zero exit', async () => {
  const [badPolicy, noAccount, dupAccount] = await Promise.all([
    runCli(['key', 'create', '--account', 'team-a', '--policy', 'QianfanAdminPolicy', ...store]),
    runCli(['key', 'create', '--account', 'ghost', '--policy', 'QianfanReadAccessPolicy', ...store]),
    runCli(['account', 'create', 'team-a', ...store]),
  ]);
  assert.notEqual(badPolicy.code, 0);
  assert.match(badPolicy.stderr, /unknown policy "QianfanAdminPolicy"; known policies: QianfanFullControlAccessPolicy, QianfanReadAccessPolicy, QianfanModelTuningFullControlAccessPolicy, QianfanModelTuningReadAccessPolicy/);
  assert.equal(badPolicy.stdout, '', 'no key printed');
  assert.notEqual(noAccount.code, 0);
  assert.match(noAccount.stderr, /account "ghost" does not exist \(create it with: modelreg account create ghost\)/);
  assert.notEqual(dupAccount.code, 0);
  assert.match(dupAccount.stderr, /account "team-a" already exists/);
  // No stack traces for operator mistakes.
  for (const r of [badPolicy, noAccount, dupAccount]) assert.doesNotMatch(r.stderr, /\n\s+at /);
});

test('bootstrap is idempotent across restarts on the same data dir', async () => {
  assert.equal(await server!.stop(), 0, 'SIGTERM stops the server cleanly');
  const first = server!.output();
  assertNoSecrets(first.stdout + first.stderr, 'the first server output');
  server = await startCliServer(store, bootEnv);
  // Same key, same data: nothing was duplicated or lost.
  const sets = await call(server, bootstrap, 'DescribeCustomModelSets', {});
  assert.deepEqual(sets.customModelSetList.map((x: any) => x.modelSetName), ['from_cli']);
  const keys = json(await runCli(['key', 'list', ...store]));
  const boots = keys.filter((k: any) => k.accessKey === bootstrap.accessKey);
  assert.equal(boots.length, 1);
  assert.equal(boots[0].account, 'default');
  assert.deepEqual(boots[0].policies, ['QianfanFullControlAccessPolicy']);
  // The key made with the CLI survives the restart too, and no failed command left a half-made key.
  assert.equal(keys.filter((k: any) => k.account === 'team-a').length, 1);
  assert.equal(keys.length, 2);
  assertNoSecrets(server.output().stdout + server.output().stderr, 'the second server output');
});

test('a bootstrap access key reused with another secret is refused at start, without printing either secret', async () => {
  await server!.stop();
  server = undefined;
  const other = randomBytes(24).toString('hex');
  const r = await failingServe(store, { MODELREG_BOOTSTRAP_ACCESS_KEY: bootstrap.accessKey, MODELREG_BOOTSTRAP_SECRET_KEY: other });
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /bootstrap access key .* already exists with a different secret key/);
  assert.ok(!(r.stdout + r.stderr).includes(other));
  assertNoSecrets(r.stdout + r.stderr, 'the refused start');
});

test('half a bootstrap key is refused at start', async () => {
  const dir = tempDir();
  try {
    await assert.rejects(startServer({ dataDir: dir, bootstrapAccessKey: bootstrap.accessKey }), /set both MODELREG_BOOTSTRAP_ACCESS_KEY and MODELREG_BOOTSTRAP_SECRET_KEY, or neither/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
