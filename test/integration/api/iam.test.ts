// IAM: what each policy may do, tenant isolation without existence leaks, and secret keys at rest.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { call, sdk, sdkFails, startServer, tempDir, type Key, type TestServer } from '../../helpers/harness.js';
import { assertError, createSet, expectFail, makeBucket, transformersImport, uniqueName } from '../../helpers/api.js';
import { ALL_ACTIONS } from '../../../src/http/actions/index.js';

let s: TestServer;
before(async () => {
  s = await startServer();
  makeBucket(s, 'test', 'model');
});
after(() => s.close());

describe('policies', () => {
  const READ_ONLY = ['QianfanReadAccessPolicy', 'QianfanModelTuningReadAccessPolicy'];
  const FULL = ['QianfanFullControlAccessPolicy', 'QianfanModelTuningFullControlAccessPolicy'];

  for (const policy of FULL) {
    test(`${policy} can create, describe and delete`, async () => {
      const account = uniqueName('acct');
      const key = await s.newKey(account, [policy]);
      const set = await createSet(s, key);
      const v = await call(s, key, 'CreateCustomModel', transformersImport(set.modelSetId));
      assert.equal((await call(s, key, 'DescribeModel', { modelId: v.modelId })).modelId, v.modelId);
      assert.equal(await call(s, key, 'DeleteModel', { modelId: v.modelId }), true);
      assert.equal(await call(s, key, 'DeleteModelSet', { modelSetId: set.modelSetId }), true);
    });
  }

  for (const policy of READ_ONLY) {
    test(`${policy} can only Describe*: every write is 403 AccessDenied and changes nothing`, async () => {
      const account = uniqueName('acct');
      const writer = await s.newKey(account);
      const reader = await s.newKey(account, [policy]);
      const set = await createSet(s, writer);
      const v = await call(s, writer, 'CreateCustomModel', transformersImport(set.modelSetId, {}, { description: 'd' }));

      // Every read action answers.
      assert.equal((await call(s, reader, 'DescribeCustomModelSets', {})).customModelSetList.length, 1);
      assert.equal((await call(s, reader, 'DescribeModelSet', { modelSetId: set.modelSetId })).modelSetId, set.modelSetId);
      assert.equal((await call(s, reader, 'DescribeModel', { modelId: v.modelId })).modelId, v.modelId);
      assert.equal(await call(s, reader, 'DescribeModelCustomAdvancedConf', { modelId: v.modelId }), '{}');
      assert.equal((await call(s, reader, 'DescribeCustomModels', { modelSetId: set.modelSetId })).customModelList.length, 1);

      const writes: [string, Record<string, unknown>][] = [
        ['CreateCustomModelSet', { modelSetName: uniqueName(), modelType: 'Text2Text' }],
        ['CreateCustomModel', transformersImport(set.modelSetId)],
        ['DeleteModel', { modelId: v.modelId }],
        ['DeleteModelSet', { modelSetId: set.modelSetId }],
      ];
      for (const [action, data] of writes) {
        await expectFail(s, reader, action, data, 403, 'AccessDenied', new RegExp(`policies \\(${policy}\\) do not allow ${action}`));
      }
      // Nothing changed.
      const after = await call(s, writer, 'DescribeModelSet', { modelSetId: set.modelSetId });
      assert.deepEqual(after.modelIds, [v.modelId]);
      assert.equal((await call(s, writer, 'DescribeCustomModelSets', {})).customModelSetList.length, 1);
    });
  }

  test('across the whole catalogue, reads are exactly the Describe* actions; read-only keys are refused every other action', async () => {
    // Qianfan grants DescribeModelExportTask only with the write policies of CreateModelExportTask
    // (shared/reference/model-consumption.md): its answer hands out a download link.
    const writeDescribes = new Set(['DescribeModelExportTask']);
    for (const a of ALL_ACTIONS) assert.equal(a.access, a.name.startsWith('Describe') && !writeDescribes.has(a.name) ? 'read' : 'write', `${a.route}?Action=${a.name}`);
    const readers = await Promise.all(READ_ONLY.map((p) => s.newKey(uniqueName('acct'), [p])));
    for (const a of ALL_ACTIONS.filter((x) => x.access === 'write')) {
      for (const key of readers) {
        const err = await sdkFails(sdk(s.url, key, a.route, a.name, {}));
        assertError(err, 403, 'AccessDenied', new RegExp(`do not allow ${a.name}$`));
      }
    }
  });

  test('policy checks come after authentication: an unsigned write is InvalidHTTPAuthHeader, not AccessDenied', async () => {
    const res = await fetch(`${s.url}/v2/model?Action=CreateCustomModelSet`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    assert.equal(res.status, 400);
    assert.equal((await res.json()).code, 'InvalidHTTPAuthHeader');
  });

  test('a read-only key is refused a write even with an invalid body (403 before 400)', async () => {
    const reader = await s.newKey(uniqueName('acct'), ['QianfanReadAccessPolicy']);
    await expectFail(s, reader, 'CreateCustomModelSet', { nonsense: true }, 403, 'AccessDenied');
  });

  test('a key with several policies gets the union', async () => {
    const key = await s.newKey(uniqueName('acct'), ['QianfanReadAccessPolicy', 'QianfanModelTuningFullControlAccessPolicy']);
    await createSet(s, key);
  });

  test('unknown policy names are refused when the key is created', async () => {
    await s.app.services.iam.ensureAccount('policy-check');
    await assert.rejects(
      s.app.services.iam.createKey({ accountName: 'policy-check', policies: ['QianfanEverythingPolicy'] }),
      /unknown policy "QianfanEverythingPolicy"; known policies: QianfanFullControlAccessPolicy/,
    );
  });
});

describe('tenant isolation', () => {
  let alice: Key;
  let bob: Key;
  let aliceSet: { modelSetId: string; modelSetName: string };
  let aliceVersion: string;
  const MISSING_SET = 'am-000000000000';
  const MISSING_VERSION = 'amv-000000000000';

  before(async () => {
    alice = await s.newKey(uniqueName('alice'));
    bob = await s.newKey(uniqueName('bob'));
    aliceSet = await createSet(s, alice);
    aliceVersion = (await call(s, alice, 'CreateCustomModel', transformersImport(aliceSet.modelSetId, { advanceConf: '{"a":1}' }))).modelId;
  });

  /** Another account's id and a truly missing id give the same code and the same message, id aside. */
  async function sameAsMissing(action: string, field: string, theirs: string, missing: string, status: number, code: string) {
    const a = await sdkFails(sdk(s.url, bob, '/v2/model', action, { [field]: theirs }));
    const b = await sdkFails(sdk(s.url, bob, '/v2/model', action, { [field]: missing }));
    assertError(a, status, code);
    assertError(b, status, code);
    assert.equal(a.body.message!.replace(theirs, '<id>'), b.body.message!.replace(missing, '<id>'), `${action}: ${a.body.message} vs ${b.body.message}`);
  }

  test("another account's model set is not found, exactly like a missing one", async () => {
    await sameAsMissing('DescribeModelSet', 'modelSetId', aliceSet.modelSetId, MISSING_SET, 404, 'ModelSetNotFound');
    await sameAsMissing('DescribeModelSet', 'modelSetName', aliceSet.modelSetName, 'no_such_set', 404, 'ModelSetNotFound');
    await sameAsMissing('DescribeCustomModels', 'modelSetId', aliceSet.modelSetId, MISSING_SET, 404, 'ModelSetNotFound');
    await sameAsMissing('DeleteModelSet', 'modelSetId', aliceSet.modelSetId, MISSING_SET, 404, 'ModelSetNotFound');
    await sameAsMissing('DescribeCustomModelSets', 'marker', aliceSet.modelSetId, MISSING_SET, 400, 'InvalidParameter');
  });

  test("another account's model version is not found, exactly like a missing one", async () => {
    await sameAsMissing('DescribeModel', 'modelId', aliceVersion, MISSING_VERSION, 404, 'ModelNotFound');
    await sameAsMissing('DescribeModelCustomAdvancedConf', 'modelId', aliceVersion, MISSING_VERSION, 404, 'ModelNotFound');
    await sameAsMissing('DeleteModel', 'modelId', aliceVersion, MISSING_VERSION, 404, 'ModelNotFound');
  });

  test("no version can be created in another account's set", async () => {
    const a = await sdkFails(sdk(s.url, bob, '/v2/model', 'CreateCustomModel', transformersImport(aliceSet.modelSetId)));
    const b = await sdkFails(sdk(s.url, bob, '/v2/model', 'CreateCustomModel', transformersImport(MISSING_SET)));
    assertError(a, 404, 'ModelSetNotFound');
    assert.equal(a.body.message!.replace(aliceSet.modelSetId, '<id>'), b.body.message!.replace(MISSING_SET, '<id>'));
  });

  test("lists show only the caller's own sets; names are unique per account only", async () => {
    const bobList = await call(s, bob, 'DescribeCustomModelSets', { maxKeys: 100 });
    assert.ok(!bobList.customModelSetList.some((x: any) => x.modelSetId === aliceSet.modelSetId));
    const bobSet = await createSet(s, bob, aliceSet.modelSetName);
    assert.notEqual(bobSet.modelSetId, aliceSet.modelSetId);
    assert.equal((await call(s, bob, 'DescribeModelSet', { modelSetName: aliceSet.modelSetName })).modelSetId, bobSet.modelSetId);
    assert.equal((await call(s, alice, 'DescribeModelSet', { modelSetName: aliceSet.modelSetName })).modelSetId, aliceSet.modelSetId);
  });

  test("alice's data is intact after bob's attempts", async () => {
    const set = await call(s, alice, 'DescribeModelSet', { modelSetId: aliceSet.modelSetId });
    assert.deepEqual(set.modelIds, [aliceVersion]);
    assert.equal(await call(s, alice, 'DescribeModelCustomAdvancedConf', { modelId: aliceVersion }), '{"a":1}');
  });
});

describe('secret keys at rest', () => {
  const sqliteOnly = { skip: process.env.MODELREG_TEST_DATABASE ? 'SQLite-specific (MODELREG_TEST_DATABASE is set)' : false };

  test('the SQLite files never contain a secret key in clear; master.key is 0600', sqliteOnly, async () => {
    const dir = tempDir();
    const srv = await startServer({ dataDir: dir });
    try {
      const keys = [srv.key, await srv.newKey('second'), await srv.newKey('third', ['QianfanReadAccessPolicy'])];
      await sdk(srv.url, keys[0]!, '/v2/model', 'DescribeCustomModelSets', {});
      const mode = fs.statSync(path.join(dir, 'master.key')).mode & 0o777;
      assert.equal(mode, 0o600, `master.key mode ${mode.toString(8)}`);
      const files = fs.readdirSync(dir).filter((f) => f.startsWith('modelreg.sqlite'));
      assert.ok(files.includes('modelreg.sqlite'));
      for (const f of files) {
        const bytes = fs.readFileSync(path.join(dir, f));
        for (const k of keys) {
          assert.ok(!bytes.includes(Buffer.from(k.secretKey)), `${f} contains a secret key in clear`);
          assert.ok(!bytes.includes(Buffer.from(Buffer.from(k.secretKey).toString('base64'))), `${f} contains a secret key in base64`);
        }
        // The access keys themselves are stored (they are ids, not secrets).
      }
    } finally {
      await srv.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('MODELREG_MASTER_KEY replaces master.key and survives restarts', async () => {
    const dir = tempDir();
    const saved = process.env.MODELREG_MASTER_KEY;
    process.env.MODELREG_MASTER_KEY = randomBytes(32).toString('base64');
    try {
      let srv = await startServer({ dataDir: dir });
      const key = srv.key;
      await call(srv, key, 'CreateCustomModelSet', { modelSetName: 'kept', modelType: 'Text2Text' });
      await srv.close();
      assert.ok(!fs.existsSync(path.join(dir, 'master.key')), 'no master.key file is written when the key comes from the environment');
      srv = await startServer({ dataDir: dir });
      try {
        const list = await call(srv, key, 'DescribeCustomModelSets', {});
        assert.deepEqual(list.customModelSetList.map((x: any) => x.modelSetName), ['kept']);
      } finally {
        await srv.close();
      }
    } finally {
      if (saved === undefined) delete process.env.MODELREG_MASTER_KEY;
      else process.env.MODELREG_MASTER_KEY = saved;
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a master key that is not 32 base64 bytes is refused at start with a clear message', async () => {
    const dir = tempDir();
    try {
      await assert.rejects(startServer({ dataDir: dir, masterKey: 'c2hvcnQ=' }), /master key must be 32 bytes, base64-encoded/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a wrong master key for existing keys is refused at start, not a 500 on every request', async () => {
    const dir = tempDir();
    try {
      const first = await startServer({ dataDir: dir, masterKey: randomBytes(32).toString('base64') });
      await first.close();
      await assert.rejects(startServer({ dataDir: dir, masterKey: randomBytes(32).toString('base64') }), /master key does not decrypt/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
