// Qianfan's export actions through the real Node SDK: CreateModelExportTask, then
// DescribeModelExportTask until Done; the downloadUrl fetched with plain HTTP is a tar whose MD5 and
// size match the answer and whose files are the manifest, byte for byte. Local store (modelreg's
// own signed URL, with Range) and S3 (a presigned GET).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import tar from 'tar-stream';
import type { S3ObjectStore } from '../../../src/objects/s3-store.js';
import { call, sdkFails, sdk, startServer, type Key, type TestServer } from '../../helpers/harness.js';
import { assertError, createSet, transformersImport } from '../../helpers/api.js';
import { writeTinyCausalLM } from '../../fixtures/model-builder.js';
import { bucketPath, describeFiles, FAST, importAndSettle, startServerOnS3, uploadDir, type ServerOnS3 } from './pipeline-helpers.js';

async function exportDone(server: TestServer, key: Key, modelId: string): Promise<any> {
  const created = await call(server, key, 'CreateModelExportTask', { modelId });
  assert.match(created.exportId, /^mexp-[a-z0-9]{12}$/);
  const deadline = Date.now() + 30_000;
  for (;;) {
    const d = await call(server, key, 'DescribeModelExportTask', { modelId });
    assert.equal(d.exportId, created.exportId);
    assert.equal(d.hasRecord, true);
    if (d.status === 'Done') return d;
    assert.equal(d.status, 'Doing', d.failureReason);
    assert.ok(Date.now() < deadline, 'export still Doing after 30 s');
    await sleep(50);
  }
}

/** The tar's regular files: path → bytes. */
async function untar(bytes: Buffer): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  const extract = tar.extract();
  Readable.from([bytes]).pipe(extract);
  for await (const entry of extract) {
    const data = await buffer(entry); // an entry's chunks are typed unknown; they are bytes
    if (entry.header.type === 'file') out.set(entry.header.name, data);
  }
  return out;
}

async function checkArchive(d: any, sourceDir: string): Promise<Buffer> {
  const res = await fetch(d.downloadUrl);
  assert.equal(res.status, 200);
  const bytes = Buffer.from(await res.arrayBuffer());
  assert.equal(bytes.length, d.fileSize);
  assert.equal(createHash('md5').update(bytes).digest('hex'), d.md5);
  const entries = await untar(bytes);
  const source = await describeFiles(sourceDir);
  assert.deepEqual([...entries.keys()].sort(), source.map((f) => f.path).sort());
  for (const f of source) assert.deepEqual(entries.get(f.path), await fsp.readFile(path.join(sourceDir, f.path)), f.path);
  return bytes;
}

describe('export tasks on the local store', () => {
  let server: TestServer;
  let setId: string;
  before(async () => {
    server = await startServer({ ...FAST, downloadUrlTtlSeconds: 60 });
    setId = (await createSet(server, server.key)).modelSetId;
  });
  after(() => server.close());

  it('exports a Ready version through the SDK and serves it from a self-signed URL with Range', async () => {
    const dir = bucketPath(server, 'models', 'exp');
    await writeTinyCausalLM(dir, { shards: 2 });
    const v = await importAndSettle(server, server.key, transformersImport(setId, { bucket: 'models', objectPath: 'exp' }));
    assert.equal(v.status, 'Ready', v.failureReason);
    const none = await call(server, server.key, 'DescribeModelExportTask', { modelId: v.modelId });
    assert.equal(none.hasRecord, false);

    const d = await exportDone(server, server.key, v.modelId);
    assert.equal(d.fileType, 'tar');
    assert.equal(d.fileName, `${v.modelSetName}-${v.modelName}.tar`);
    assert.match(d.md5, /^[0-9a-f]{32}$/);
    const url = new URL(d.downloadUrl);
    assert.equal(url.origin, server.url, 'the URL points at this server');
    const bytes = await checkArchive(d, dir);

    const head = await fetch(d.downloadUrl, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('content-length'), String(bytes.length));
    assert.equal(head.headers.get('accept-ranges'), 'bytes');
    // Range: a resumed download gets exactly the rest.
    const part = await fetch(d.downloadUrl, { headers: { range: 'bytes=1000-' } });
    assert.equal(part.status, 206);
    assert.equal(part.headers.get('content-range'), `bytes 1000-${bytes.length - 1}/${bytes.length}`);
    assert.deepEqual(Buffer.from(await part.arrayBuffer()), bytes.subarray(1000));
    const beyond = await fetch(d.downloadUrl, { headers: { range: `bytes=${bytes.length}-` } });
    assert.equal(beyond.status, 416);
    assert.equal((await beyond.json()).code, 'InvalidRange');

    // Altered: another key, another name, another grant, a later expiry, a different signature.
    for (const [param, value] of [
      ['key', 'blobs/x/ab/abc'],
      ['name', 'other.tar'],
      ['for', `version:${v.modelId}`],
      ['by', 'someone-else-key'],
      ['expires', String(Number(url.searchParams.get('expires')) + 1000)],
      ['signature', '0'.repeat(64)],
    ]) {
      const bad = new URL(url);
      bad.searchParams.set(param as string, value as string);
      const res = await fetch(bad);
      assert.equal(res.status, 403, param);
      assert.equal((await res.json()).code, 'AccessDenied');
    }
    // Expired: a URL signed an hour ago for 1 second.
    const grant = { subject: 'export', id: d.exportId, accessKey: server.key.accessKey } as const;
    const stale = new URL(await server.app.services.downloads.url(server.url, url.searchParams.get('key') as string, d.fileName, grant, -3600));
    const expired = await fetch(stale);
    assert.equal(expired.status, 400);
    assert.equal((await expired.json()).code, 'RequestExpired');

    // A second export replaces the first archive.
    const again = await exportDone(server, server.key, v.modelId);
    assert.notEqual(again.exportId, d.exportId);
    assert.equal(again.md5, d.md5, 'the same version packs to the same bytes');
    assert.equal((await fetch(d.downloadUrl)).status, 404, 'the older archive is gone');

    // Deleting the version removes its archive.
    await call(server, server.key, 'DeleteModel', { modelId: v.modelId });
    assert.equal((await fetch(again.downloadUrl)).status, 404);
  });

  it('refuses to export a version that is not Ready, and an unknown one', async () => {
    await writeTinyCausalLM(bucketPath(server, 'models', 'broken'), { corrupt: { kind: 'truncate', bytes: 10 } });
    const bad = await importAndSettle(server, server.key, transformersImport(setId, { bucket: 'models', objectPath: 'broken' }));
    assert.equal(bad.status, 'Fail');
    const refused = await sdkFails(sdk(server.url, server.key, '/v2/model', 'CreateModelExportTask', { modelId: bad.modelId }));
    assertError(refused, 409, 'ModelNotReady', /is Fail; only a Ready version's files can be exported/);
    const files = await sdkFails(sdk(server.url, server.key, '/v2/model', 'DescribeModelFiles', { modelId: bad.modelId }));
    assertError(files, 409, 'ModelNotReady');
    const unknown = await sdkFails(sdk(server.url, server.key, '/v2/model', 'CreateModelExportTask', { modelId: 'amv-nosuchthing1' }));
    assertError(unknown, 404, 'ModelNotFound');
    const readOnly = await server.newKey('alice-ro', ['QianfanModelReadOnlyAccessPolicy']).catch(() => undefined);
    if (readOnly) {
      const denied = await sdkFails(sdk(server.url, readOnly, '/v2/model', 'CreateModelExportTask', { modelId: bad.modelId }));
      assert.equal(denied.status, 403);
    }
  });
});

describe('export tasks on S3 (s3rver)', () => {
  let onS3: ServerOnS3 | undefined;
  let store: S3ObjectStore;
  let server: TestServer;
  before(async () => {
    onS3 = await startServerOnS3('team-models');
    ({ store, server } = onS3);
  });
  after(() => onS3?.close());

  it('ends Done with a presigned GET of the archive', async () => {
    const dir = bucketPath(server, 'scratch', 's3exp');
    await writeTinyCausalLM(dir);
    await uploadDir(store, 'team-models', 's3exp', dir);
    const setId = (await createSet(server, server.key)).modelSetId;
    const v = await importAndSettle(server, server.key, transformersImport(setId, { bucket: 'team-models', objectPath: 's3exp' }));
    assert.equal(v.status, 'Ready', v.failureReason);
    const d = await exportDone(server, server.key, v.modelId);
    assert.match(d.downloadUrl, /X-Amz-Signature=/);
    await checkArchive(d, dir);
    // s3rver does not check V4 signatures: test/unit/objects/s3-presign.test.ts checks ours against AWS's signer.
  });
});
