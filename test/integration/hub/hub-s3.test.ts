// The Hub API on the S3 store (s3rver): resolve answers 302 to a short-lived presigned URL with
// X-Linked-Size / X-Linked-ETag / X-Repo-Commit, the client follows it and gets the right bytes,
// and the token never travels to the object store.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { downloadFile, snapshotDownload } from '@huggingface/hub';
import type { S3ObjectStore } from '../../../src/objects/s3-store.js';
import { commitIdOf } from '../../../src/domain/hub/commit-id.js';
import { call, tempDir, type TestServer } from '../../helpers/harness.js';
import { createSet, transformersImport } from '../../helpers/api.js';
import { writeTinyCausalLM } from '../../fixtures/model-builder.js';
import type { RunningS3 } from '../../helpers/s3rver.js';
import { importAndSettle, startServerOnS3, uploadDir, type ServerOnS3 } from '../pipeline/pipeline-helpers.js';
import { accountOf, hfCache, removeCaches, readRef, readToken, snapshotFiles } from './hub-helpers.js';

const BUCKET = 'team-models';

describe('Hub API on the S3 store (s3rver)', () => {
  let onS3: ServerOnS3 | undefined;
  let s3: RunningS3;
  let store: S3ObjectStore;
  let server: TestServer;
  let repo: string;
  let token: string;
  let v1: any;

  before(async () => {
    onS3 = await startServerOnS3(BUCKET);
    ({ s3, store, server } = onS3);
    const dir = tempDir('modelreg-hub-s3-');
    await writeTinyCausalLM(dir, { shards: 2, extraFiles: { 'sub dir/notes ü.txt': 'x'.repeat(5000) } });
    await uploadDir(store, BUCKET, 'm', dir);
    fs.rmSync(dir, { recursive: true, force: true });
    const set = await createSet(server, server.key);
    v1 = await importAndSettle(server, server.key, transformersImport(set.modelSetId, { bucket: BUCKET, objectPath: 'm' }));
    assert.equal(v1.status, 'Ready', v1.failureReason);
    const account = await accountOf(server, server.key);
    repo = `${account}/${set.modelSetName}`;
    token = (await readToken(server, account)).token;
    await call(server, server.key, 'SetModelSetAlias', { modelSetId: set.modelSetId, alias: 'production', modelId: v1.modelId });
  });
  after(async () => {
    await onS3?.close();
    removeCaches();
  });

  it('resolve redirects (302) to a presigned URL on the store, with the linked size, etag and commit', async () => {
    const f = v1.files.find((x: any) => x.path === 'config.json');
    for (const method of ['GET', 'HEAD']) {
      const res = await fetch(`${server.url}/${repo}/resolve/production/config.json`, { method, redirect: 'manual', headers: { authorization: `Bearer ${token}` } });
      assert.equal(res.status, 302, method);
      const location = new URL(res.headers.get('location')!);
      assert.equal(location.origin, s3.config.endpoint);
      assert.match(location.search, /X-Amz-Signature=/);
      assert.match(location.search, /X-Amz-Expires=300\b/);
      assert.equal(res.headers.get('x-linked-size'), String(f.size));
      assert.equal(res.headers.get('x-linked-etag'), `"${f.sha256}"`);
      assert.equal(res.headers.get('x-repo-commit'), commitIdOf(v1.files));
      // The presigned URL works without any credentials of ours.
      const direct = await fetch(location);
      assert.equal(direct.status, 200);
      assert.equal(Buffer.from(await direct.arrayBuffer()).length, f.size);
    }
  });

  it('snapshotDownload through the redirects reproduces the version byte for byte', async () => {
    const cacheDir = hfCache();
    const folder = await snapshotDownload({ repo, revision: 'production', cacheDir, hubUrl: server.url, accessToken: token });
    assert.equal(path.basename(folder), commitIdOf(v1.files));
    assert.deepEqual(await snapshotFiles(folder), v1.files);
    assert.equal(readRef(cacheDir, repo, 'production'), commitIdOf(v1.files));
  });

  it('a ranged download follows the redirect and gets the right bytes', async () => {
    const blob = await downloadFile({ repo, path: 'sub dir/notes ü.txt', revision: 'V1', hubUrl: server.url, accessToken: token });
    assert.equal(blob?.size, 5000);
    assert.equal(await blob!.slice(4990, 5000).text(), 'x'.repeat(10));
    const index = await downloadFile({ repo, path: 'model.safetensors.index.json', revision: 'V1', hubUrl: server.url, accessToken: token });
    const whole = await index!.text();
    assert.equal(await index!.slice(5, 25).text(), whole.slice(5, 25));
    const res = await fetch(`${server.url}/${repo}/resolve/V1/model.safetensors.index.json`, { headers: { authorization: `Bearer ${token}`, range: 'bytes=10-19' } });
    assert.equal(res.status, 206);
    assert.equal(await res.text(), whole.slice(10, 20));
  });

  it('the token is not sent to the object store (cross-origin redirect)', async () => {
    const seen: string[] = [];
    const spy: typeof fetch = async (url, init) => {
      const res = await fetch(url, { ...init, redirect: 'manual' });
      seen.push(`${new URL(String(url)).origin} ${new Headers(init?.headers).has('authorization')}`);
      if (res.status === 302) return spy(res.headers.get('location')!, { ...init, headers: Object.fromEntries(Object.entries((init?.headers as Record<string, string>) ?? {}).filter(([k]) => k.toLowerCase() !== 'authorization')) });
      return res;
    };
    const blob = await downloadFile({ repo, path: 'config.json', revision: 'V1', hubUrl: server.url, accessToken: token, fetch: spy });
    assert.ok(JSON.parse(await blob!.text()).architectures);
    assert.ok(seen.includes(`${s3.config.endpoint} false`), seen.join('\n'));
  });
});
