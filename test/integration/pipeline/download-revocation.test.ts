// A local download URL (GET /v1/download) names what it was issued for (a version or an export) and
// the access key that asked, under its HMAC, and stops working as soon as either is gone: the
// version deleted (even though another version still holds the very same blob), the export
// replaced or deleted, the key disabled (seen by another replica too). Tampering with the grant
// fails the signature; expiry still counts; URLs of the form before grants are refused clearly.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { SecretBox } from '../../../src/domain/iam/secret-box.js';
import { call, startServer, type Key, type TestServer } from '../../helpers/harness.js';
import { assertError, createSet, transformersImport } from '../../helpers/api.js';
import { writeTinyCausalLM } from '../../fixtures/model-builder.js';
import { bucketPath, FAST, importAndSettle } from './pipeline-helpers.js';

/** GET (or HEAD) a download URL; the JSON envelope when refused. */
async function download(url: string, method: 'GET' | 'HEAD' = 'GET') {
  const res = await fetch(url, { method });
  const bytes = Buffer.from(await res.arrayBuffer());
  const isJson = (res.headers.get('content-type') ?? '').includes('json');
  return { status: res.status, bytes, body: isJson && bytes.length > 0 ? JSON.parse(bytes.toString()) : undefined, text: bytes.toString() };
}

async function filesOf(server: TestServer, key: Key, modelId: string): Promise<{ path: string; sha256: string; downloadUrl: string }[]> {
  return (await call(server, key, 'DescribeModelFiles', { modelId })).files;
}

async function exportDone(server: TestServer, key: Key, modelId: string): Promise<any> {
  await call(server, key, 'CreateModelExportTask', { modelId });
  const deadline = Date.now() + 30_000;
  for (;;) {
    const d = await call(server, key, 'DescribeModelExportTask', { modelId });
    if (d.status === 'Done') return d;
    assert.equal(d.status, 'Doing', d.failureReason);
    assert.ok(Date.now() < deadline, 'export still Doing after 30 s');
    await sleep(50);
  }
}

describe('local download URLs are revoked with what they were issued for', () => {
  let server: TestServer;
  let setId: string;
  let versionA: string;
  let versionB: string;
  before(async () => {
    server = await startServer({ ...FAST, downloadUrlTtlSeconds: 600 });
    setId = (await createSet(server, server.key)).modelSetId;
    await writeTinyCausalLM(bucketPath(server, 'models', 'same'));
    // Two versions of the very same files: their blobs are shared (content-addressed).
    for (const which of ['A', 'B']) {
      const v = await importAndSettle(server, server.key, transformersImport(setId, { bucket: 'models', objectPath: 'same' }));
      assert.equal(v.status, 'Ready', v.failureReason);
      if (which === 'A') versionA = v.modelId;
      else versionB = v.modelId;
    }
  });
  after(() => server.close());

  it('a URL names its grant and works for GET and HEAD', async () => {
    const [f] = await filesOf(server, server.key, versionA);
    const url = new URL(f!.downloadUrl);
    assert.equal(url.searchParams.get('for'), `version:${versionA}`);
    assert.equal(url.searchParams.get('by'), server.key.accessKey);
    assert.ok(!f!.downloadUrl.includes(server.key.secretKey), 'never the secret');
    assert.equal((await download(f!.downloadUrl)).status, 200);
    assert.equal((await download(f!.downloadUrl, 'HEAD')).status, 200);
  });

  it('dies with its version, though another version still holds the same blob', async () => {
    const filesA = await filesOf(server, server.key, versionA);
    const filesB = await filesOf(server, server.key, versionB);
    const a = filesA[0]!;
    const b = filesB.find((f) => f.path === a.path)!;
    assert.equal(new URL(a.downloadUrl).searchParams.get('key'), new URL(b.downloadUrl).searchParams.get('key'), 'one stored blob');
    const before = await download(a.downloadUrl);
    assert.equal(before.status, 200);

    await call(server, server.key, 'DeleteModel', { modelId: versionA });
    for (const method of ['GET', 'HEAD'] as const) {
      const gone = await download(a.downloadUrl, method);
      assert.equal(gone.status, 404, `${method}: ${gone.text}`);
    }
    assertError(await download(a.downloadUrl), 404, 'ResourceNotFound', /no longer exists \(its version or export was deleted\)/);
    // The blob itself lives on for B, through B's own URL.
    const still = await download(b.downloadUrl);
    assert.equal(still.status, 200);
    assert.deepEqual(still.bytes, before.bytes);
  });

  it('dies with its export (replaced by a newer one, or gone with the version)', async () => {
    const first = await exportDone(server, server.key, versionB);
    assert.equal(new URL(first.downloadUrl).searchParams.get('for'), `export:${first.exportId}`);
    assert.equal((await download(first.downloadUrl)).status, 200);
    const second = await exportDone(server, server.key, versionB);
    assert.notEqual(second.exportId, first.exportId);
    assertError(await download(first.downloadUrl), 404, 'ResourceNotFound', /version or export was deleted/);
    assert.equal((await download(second.downloadUrl)).status, 200);
  });

  it('dies when the key that asked is disabled, on this replica and on another', async () => {
    const bob = await server.newKey(`bob-${Math.random().toString(36).slice(2, 8)}`);
    const bobSet = (await createSet(server, bob)).modelSetId;
    await writeTinyCausalLM(bucketPath(server, 'bobs', 'm'));
    const v = await importAndSettle(server, bob, transformersImport(bobSet, { bucket: 'bobs', objectPath: 'm' }));
    assert.equal(v.status, 'Ready', v.failureReason);
    const [f] = await filesOf(server, bob, v.modelId);
    const other = await startServer({ ...FAST, dataDir: server.dataDir, database: server.database });
    try {
      const onOther = new URL(f!.downloadUrl);
      onOther.host = new URL(other.url).host;
      // Both replicas serve it (and have the key in their caches).
      assert.equal((await download(f!.downloadUrl)).status, 200);
      assert.equal((await download(onOther.href)).status, 200);

      await server.app.services.iam.setKeyEnabled(bob.accessKey, false);
      for (const url of [f!.downloadUrl, onOther.href]) {
        assertError(await download(url), 403, 'AccessDenied', new RegExp(`access key ${bob.accessKey}, which asked for this download URL, is disabled or deleted`));
      }
      // Enabled again, its URLs work again: the grant is checked, not burnt.
      await server.app.services.iam.setKeyEnabled(bob.accessKey, true);
      assert.equal((await download(onOther.href)).status, 200);
    } finally {
      await other.close();
    }
  });

  it('a tampered grant fails the signature; expiry still counts', async () => {
    const [f] = await filesOf(server, server.key, versionB);
    const url = new URL(f!.downloadUrl);
    const intruder = await server.newKey(`eve-${Math.random().toString(36).slice(2, 8)}`);
    for (const [param, value] of [
      ['for', `version:${versionA}`],
      ['for', `export:${versionB}`],
      ['by', intruder.accessKey],
    ] as const) {
      const bad = new URL(url);
      bad.searchParams.set(param, value);
      assertError(await download(bad.href), 403, 'AccessDenied', /altered or was not issued by this registry/);
    }
    const noGrant = new URL(url);
    noGrant.searchParams.delete('by');
    assertError(await download(noGrant.href), 403, 'AccessDenied', /incomplete/);

    const grant = { subject: 'version', id: versionB, accessKey: server.key.accessKey } as const;
    const stale = await server.app.services.downloads.url(server.url, url.searchParams.get('key')!, 'x.bin', grant, -3600);
    assertError(await download(stale), 400, 'RequestExpired', /has expired; ask for a new one/);
  });

  it('refuses a URL of the form from before grants, asking for a new one', async () => {
    const [f] = await filesOf(server, server.key, versionB);
    const key = new URL(f!.downloadUrl).searchParams.get('key')!;
    const expires = String(Math.floor(Date.now() / 1000) + 600);
    // Signed exactly as the registry signed URLs before they named their grant.
    const secret = SecretBox.fromDataDir(server.dataDir).derive('download-urls');
    const signature = createHmac('sha256', secret).update(`${key}\nx.bin\n${expires}`).digest('hex');
    const legacy = `${server.url}/v1/download?${new URLSearchParams({ key, name: 'x.bin', expires, signature })}`;
    assertError(await download(legacy), 403, 'AccessDenied', /issued before this registry tied URLs to what they were issued for/);
    const forged = `${server.url}/v1/download?${new URLSearchParams({ key, name: 'x.bin', expires, signature: '0'.repeat(64) })}`;
    assertError(await download(forged), 403, 'AccessDenied', /altered/);
  });
});
