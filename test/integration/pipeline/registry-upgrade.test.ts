// Upgrading a data dir written by the release before content-addressed storage: its per-version
// copies (registry/models/<account>/<version>/attempt-N/<path>, recorded as details.storage.prefix
// and details.files, with no manifest rows) become blobs when the server starts, even when an
// earlier upgrade was interrupted halfway; a second start changes nothing.
import assert from 'node:assert/strict';
import fs, { promises as fsp } from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { call, startServer, tempDir, type TestServer } from '../../helpers/harness.js';
import { createSet, transformersImport } from '../../helpers/api.js';
import { writeTinyCausalLM } from '../../fixtures/model-builder.js';
import { blobPath, bucketPath, FAST, filesUnder, importAndSettle, registryRoot, storedFiles } from './pipeline-helpers.js';

describe('upgrading a data dir with per-version copies', () => {
  const dataDir = tempDir('modelreg-upgrade-');
  let server: TestServer | undefined;
  after(async () => {
    await server?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  /** Rewrites a Ready version into exactly what the previous release left on disk and in the database. */
  async function toOldLayout(s: TestServer, d: any, attempt: number, opts: { alreadyMoved?: string } = {}): Promise<string> {
    const account = d.storage.scope;
    const prefix = `${account}/${d.modelId}/attempt-${attempt}`;
    for (const f of d.files) {
      const target = path.join(registryRoot(dataDir), ...prefix.split('/'), ...f.path.split('/'));
      await fsp.mkdir(path.dirname(target), { recursive: true });
      await fsp.copyFile(blobPath(dataDir, account, f.sha256), target);
    }
    const db = s.app.store.db;
    await db.deleteFrom('version_files').where('version_id', '=', d.modelId).execute();
    const row = await db.selectFrom('model_versions').select('details').where('id', '=', d.modelId).executeTakeFirstOrThrow();
    const details = JSON.parse(row.details as string);
    details.storage = { kind: 'local', bucket: 'models', prefix };
    await db.updateTable('model_versions').set({ details: JSON.stringify(details) }).where('id', '=', d.modelId).execute();
    return prefix;
  }

  it('moves the copies into blobs at start, resuming an interrupted upgrade, and sweeps orphaned copies', async () => {
    server = await startServer({ ...FAST, dataDir });
    const setId = (await createSet(server, server.key)).modelSetId;
    await writeTinyCausalLM(bucketPath(server, 'models', 'a'), { shards: 2 });
    await writeTinyCausalLM(bucketPath(server, 'models', 'b'), { dtype: 'F32' });
    const a = await importAndSettle(server, server.key, transformersImport(setId, { bucket: 'models', objectPath: 'a' }));
    const b = await importAndSettle(server, server.key, transformersImport(setId, { bucket: 'models', objectPath: 'b' }));
    assert.equal(a.status, 'Ready', a.failureReason);
    assert.equal(b.status, 'Ready', b.failureReason);
    const account = a.storage.scope;
    const key = server.key; // keys live in the database: the same after a restart

    await toOldLayout(server, a, 1);
    await toOldLayout(server, b, 2);
    // An older attempt's leftovers next to b's copy, and a deleted version's copy: both garbage.
    await fsp.mkdir(path.join(registryRoot(dataDir), account, b.modelId, 'attempt-1'), { recursive: true });
    await fsp.writeFile(path.join(registryRoot(dataDir), account, b.modelId, 'attempt-1', 'config.json'), '{}');
    await fsp.mkdir(path.join(registryRoot(dataDir), account, 'amv-deletedlong0', 'attempt-1'), { recursive: true });
    await fsp.writeFile(path.join(registryRoot(dataDir), account, 'amv-deletedlong0', 'attempt-1', 'config.json'), '{}');
    const db = server.app.store.db;
    await db.deleteFrom('blobs').execute();
    await db.deleteFrom('leases').execute();
    // An interrupted upgrade: a's first file was already renamed into its blob, nothing else was.
    const keepBlob = new Set([`blobs/${account}/${a.files[0].sha256.slice(0, 2)}/${a.files[0].sha256}`]);
    for (const rel of await filesUnder(path.join(registryRoot(dataDir), 'blobs'))) {
      if (!keepBlob.has(`blobs/${rel}`)) await fsp.rm(path.join(registryRoot(dataDir), 'blobs', rel));
    }
    await fsp.rm(path.join(registryRoot(dataDir), account, a.modelId, 'attempt-1', ...a.files[0].path.split('/')));
    await server.close();
    server = undefined;

    server = await startServer({ ...FAST, dataDir });
    for (const before of [a, b]) {
      const d = await call(server, key, 'DescribeModel', { modelId: before.modelId });
      assert.deepEqual(d.files, before.files);
      assert.deepEqual(d.storage, { kind: 'local', bucket: 'models', layout: 'blobs', scope: account });
      assert.deepEqual(await storedFiles(dataDir, d), before.files);
      assert.deepEqual(await server.app.services.registryFiles.manifest(d.modelId), [...before.files].sort((x: any, y: any) => (x.path < y.path ? -1 : 1)));
    }
    const left = await filesUnder(registryRoot(dataDir));
    assert.ok(left.every((k) => k.startsWith('blobs/')), `only blobs remain: ${left.join(', ')}`);

    // The blobs are real: deleting both versions lets the collector empty the store.
    const again = await server.app.collector.collect();
    assert.equal(again.removed, 0);
    await server.close();
    server = await startServer({ ...FAST, dataDir });
    assert.deepEqual(await filesUnder(registryRoot(dataDir)), left, 'a second start changes nothing');
    for (const d of [a, b]) await call(server, key, 'DeleteModel', { modelId: d.modelId });
    await server.app.collector.collect();
    assert.deepEqual(await filesUnder(registryRoot(dataDir)), []);
  });
});
