// The Hugging Face Hub download API driven by the real @huggingface/hub client against the real
// server (local store): snapshots byte for byte in the standard cache layout for a version name,
// an alias and a commit; ranged downloads; the error codes clients read; who may read what.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { downloadFile, fileDownloadInfo, listFiles, modelInfo, snapshotDownload } from '@huggingface/hub';
import { call, startServer, type TestServer } from '../../helpers/harness.js';
import { commitIdOf } from '../../../src/domain/hub/commit-id.js';
import { bucketPath, FAST, importAndSettle } from '../pipeline/pipeline-helpers.js';
import { transformersImport } from '../../helpers/api.js';
import { BUCKET, hfCache, removeCaches, readRef, readToken, repoFolder, snapshotFiles, twoVersions, type HubFixture } from './hub-helpers.js';

describe('Hub API with @huggingface/hub (local store)', () => {
  let server: TestServer;
  let fx: HubFixture;
  let token: string;
  const hub = () => ({ hubUrl: server.url, accessToken: token });
  const get = (p: string, headers: Record<string, string> = {}, method = 'GET') =>
    fetch(`${server.url}${p}`, { method, headers: { authorization: `Bearer ${token}`, ...headers } });

  before(async () => {
    server = await startServer(FAST);
    fx = await twoVersions(server, server.key);
    token = (await readToken(server, fx.account)).token;
  });
  after(async () => {
    await server.close();
    removeCaches();
  });

  it('snapshotDownload of V1 reproduces the version byte for byte under snapshots/<commit>, with refs/V1', async () => {
    const cacheDir = hfCache();
    const folder = await snapshotDownload({ repo: fx.repo, revision: 'V1', cacheDir, ...hub() });
    const commit = commitIdOf(fx.v1.files);
    assert.equal(folder, path.join(repoFolder(cacheDir, fx.repo), 'snapshots', commit));
    assert.deepEqual(await snapshotFiles(folder), fx.v1.files);
    assert.equal(readRef(cacheDir, fx.repo, 'V1'), commit);
    // Blobs are named by sha256, as for LFS files on the Hub.
    const blobs = fs.readdirSync(path.join(repoFolder(cacheDir, fx.repo), 'blobs')).sort();
    assert.deepEqual(blobs, [...new Set(fx.v1.files.map((f: any) => f.sha256))].sort());
  });

  it('snapshotDownload of an alias and of a commit give that version, refs/<alias> holding the commit', async () => {
    await call(server, server.key, 'SetModelSetAlias', { modelSetId: fx.setId, alias: 'production', modelId: fx.v2.modelId });
    const cacheDir = hfCache();
    const folder = await snapshotDownload({ repo: fx.repo, revision: 'production', cacheDir, ...hub() });
    const c2 = commitIdOf(fx.v2.files);
    assert.equal(path.basename(folder), c2);
    assert.deepEqual(await snapshotFiles(folder), fx.v2.files);
    assert.equal(readRef(cacheDir, fx.repo, 'production'), c2);

    const c1 = commitIdOf(fx.v1.files);
    const byCommit = await snapshotDownload({ repo: fx.repo, revision: c1, cacheDir, ...hub() });
    assert.equal(path.basename(byCommit), c1);
    assert.deepEqual(await snapshotFiles(byCommit), fx.v1.files);
    assert.equal(fs.existsSync(path.join(repoFolder(cacheDir, fx.repo), 'refs', c1)), false, 'no ref file for a commit');

    // The amv- id and "main" (newest Ready version, no "main" alias) resolve too.
    const info = await modelInfo({ name: fx.repo, revision: fx.v1.modelId, additionalFields: ['sha'], ...hub() });
    assert.equal((info as any).sha, c1);
    const main = await modelInfo({ name: fx.repo, revision: 'main', additionalFields: ['sha'], ...hub() });
    assert.equal((main as any).sha, c2);
    // An alias named "main" takes precedence over "newest Ready".
    await call(server, server.key, 'SetModelSetAlias', { modelSetId: fx.setId, alias: 'main', modelId: fx.v1.modelId });
    assert.equal(((await modelInfo({ name: fx.repo, revision: 'main', additionalFields: ['sha'], ...hub() })) as any).sha, c1);
    await call(server, server.key, 'DeleteModelSetAlias', { modelSetId: fx.setId, alias: 'main' });
  });

  it('repo info lists siblings, with sizes and sha256 when blobs=true', async () => {
    const res = await get(`/api/models/${fx.repo}/revision/V1?blobs=true`);
    assert.equal(res.status, 200);
    const body = (await res.json()) as any;
    assert.equal(body.id, fx.repo);
    assert.equal(body.sha, commitIdOf(fx.v1.files));
    assert.deepEqual(
      body.siblings.map((s: any) => ({ path: s.rfilename, size: s.size, sha256: s.lfs.sha256 })),
      fx.v1.files,
    );
    const plain = (await (await get(`/api/models/${fx.repo}/revision/V1`)).json()) as any;
    assert.deepEqual(plain.siblings[0], { rfilename: fx.v1.files[0].path });
  });

  it('downloadFile honours a Range; resolve answers 206 with Content-Range, ETag and X-Repo-Commit', async () => {
    const notes = fx.v1.files.find((f: any) => f.path === 'deep/er/notes.txt');
    const blob = await downloadFile({ repo: fx.repo, path: 'deep/er/notes.txt', revision: 'V1', ...hub() });
    assert.ok(blob);
    assert.equal(blob.size, notes.size);
    assert.equal(await blob.slice(26 * 10 + 3, 26 * 10 + 8).text(), 'defgh');

    const res = await get(`/${fx.repo}/resolve/V1/deep/er/notes.txt`, { range: 'bytes=100-199' });
    assert.equal(res.status, 206);
    assert.equal(res.headers.get('content-range'), `bytes 100-199/${notes.size}`);
    assert.equal(res.headers.get('content-length'), '100');
    assert.equal(res.headers.get('etag'), `"${notes.sha256}"`);
    assert.equal(res.headers.get('x-repo-commit'), commitIdOf(fx.v1.files));
    assert.equal(res.headers.get('accept-ranges'), 'bytes');
    assert.equal(await res.text(), 'abcdefghijklmnopqrstuvwxyz'.repeat(10).slice(100 % 26, 100 % 26 + 100));

    const head = await get(`/${fx.repo}/resolve/V1/deep/er/notes.txt`, {}, 'HEAD');
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('content-length'), String(notes.size));
    assert.equal(head.headers.get('etag'), `"${notes.sha256}"`);

    const suffix = await get(`/${fx.repo}/resolve/V1/deep/er/notes.txt`, { range: 'bytes=-3' });
    assert.equal(suffix.status, 206);
    assert.equal(await suffix.text(), 'xyz');
    const beyond = await get(`/${fx.repo}/resolve/V1/deep/er/notes.txt`, { range: `bytes=${notes.size}-` });
    assert.equal(beyond.status, 416);
    assert.equal(beyond.headers.get('content-range'), `bytes */${notes.size}`);

    const again = await get(`/${fx.repo}/resolve/V1/deep/er/notes.txt`, { 'if-none-match': `"${notes.sha256}"` });
    assert.equal(again.status, 304);

    const info = await fileDownloadInfo({ repo: fx.repo, path: 'config.json', revision: 'V1', ...hub() });
    const config = fx.v1.files.find((f: any) => f.path === 'config.json');
    assert.equal(info?.size, config.size);
    assert.equal(info?.etag, `"${config.sha256}"`);
  });

  it('a missing file, revision and repo give EntryNotFound, RevisionNotFound and RepoNotFound', async () => {
    assert.equal(await fileDownloadInfo({ repo: fx.repo, path: 'nope.bin', revision: 'V1', ...hub() }), null);
    const cases: Array<[string, number, string]> = [
      [`/${fx.repo}/resolve/V1/nope.bin`, 404, 'EntryNotFound'],
      [`/${fx.repo}/resolve/V1/deep`, 404, 'EntryNotFound'],
      [`/${fx.repo}/resolve/V9/config.json`, 404, 'RevisionNotFound'],
      [`/${fx.repo}/resolve/staging/config.json`, 404, 'RevisionNotFound'],
      [`/api/models/${fx.repo}/revision/${'0'.repeat(40)}`, 404, 'RevisionNotFound'],
      [`/${fx.account}/no-such-set/resolve/V1/config.json`, 404, 'RepoNotFound'],
      [`/api/models/${fx.account}/no-such-set/revision/main`, 404, 'RepoNotFound'],
    ];
    for (const [p, status, code] of cases) {
      const res = await get(p);
      assert.equal(res.status, status, p);
      assert.equal(res.headers.get('x-error-code'), code, p);
      assert.equal(typeof ((await res.json()) as any).error, 'string', p);
    }
    await assert.rejects(modelInfo({ name: fx.repo, revision: 'V9', ...hub() }), (e: any) => e.statusCode === 404 && /V9/.test(e.message));
    await assert.rejects(snapshotDownload({ repo: `${fx.account}/missing`, revision: 'V1', cacheDir: hfCache(), ...hub() }), (e: any) => e.statusCode === 404);
  });

  it('serves only Ready versions: a failed version is RevisionNotFound', async () => {
    // A directory without config.json: accepted, then failed by the import job.
    fs.mkdirSync(bucketPath(server, BUCKET, 'broken'), { recursive: true });
    fs.writeFileSync(path.join(bucketPath(server, BUCKET, 'broken'), 'README.md'), 'not a model');
    const d = await importAndSettle(server, server.key, transformersImport(fx.setId, { bucket: BUCKET, objectPath: 'broken' }));
    assert.equal(d.status, 'Fail');
    const res = await get(`/api/models/${fx.repo}/revision/${d.modelName}`);
    assert.equal(res.status, 404);
    assert.equal(res.headers.get('x-error-code'), 'RevisionNotFound');
    assert.match(((await res.json()) as any).error, /Fail, not Ready/);
  });

  it('paths-info answers JSON and form-encoded asks (as huggingface_hub sends them)', async () => {
    const notes = fx.v1.files.find((f: any) => f.path === 'deep/er/notes.txt');
    const json = await get(`/api/models/${fx.repo}/paths-info/V1`, { 'content-type': 'application/json' }, 'POST');
    assert.equal(json.status, 400, 'no body: a clear error');
    const asJson = await fetch(`${server.url}/api/models/${fx.repo}/paths-info/V1`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ paths: ['deep/er/notes.txt', 'deep', 'missing.bin'], expand: true }),
    });
    const entries = (await asJson.json()) as any[];
    assert.deepEqual(entries.map((e) => [e.type, e.path]), [['file', 'deep/er/notes.txt'], ['directory', 'deep']]);
    assert.deepEqual(entries[0].lfs, { oid: notes.sha256, size: notes.size, pointerSize: entries[0].lfs.pointerSize });
    assert.equal(entries[0].lastCommit.id, commitIdOf(fx.v1.files));
    const asForm = await fetch(`${server.url}/api/models/${fx.repo}/paths-info/V1`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'paths=config.json&paths=README.md&expand=True',
    });
    assert.deepEqual(((await asForm.json()) as any[]).map((e) => e.path), ['config.json', 'README.md']);
  });

  it('the tree is paged with Link rel="next", and listFiles follows it', async () => {
    const res = await get(`/api/models/${fx.repo}/tree/V1?recursive=true&limit=3`);
    assert.equal(res.status, 200);
    const link = res.headers.get('link') ?? '';
    assert.match(link, /^<http:\/\/127\.0\.0\.1:\d+\/api\/models\/.+cursor=3>; rel="next"$/);
    assert.ok(link.includes(`/tree/${commitIdOf(fx.v1.files)}?`), `the next page is pinned to the commit: ${link}`);
    assert.equal(((await res.json()) as any[]).length, 3);

    // The client's own fetch, asking for pages of 3: it must follow every Link to the end.
    const small: typeof fetch = (url, init) => fetch(String(url).includes('limit=') ? url : `${url}&limit=3`, init);
    const all = [];
    for await (const e of listFiles({ repo: fx.repo, revision: 'V1', recursive: true, fetch: small, ...hub() })) all.push(e);
    const files = all.filter((e) => e.type === 'file');
    assert.deepEqual(files.map((f) => ({ path: f.path, size: f.size, sha256: f.lfs?.oid })), fx.v1.files);
    assert.deepEqual(all.filter((e) => e.type === 'directory').map((d) => d.path).sort(), ['deep', 'deep/er', 'original']);

    const top = (await (await get(`/api/models/${fx.repo}/tree/V1`)).json()) as any[];
    assert.ok(top.every((e) => !e.path.includes('/')));
    const sub = (await (await get(`/api/models/${fx.repo}/tree/V1/deep`)).json()) as any[];
    assert.deepEqual(sub.map((e) => [e.type, e.path]), [['directory', 'deep/er']]);
    const notDir = await get(`/api/models/${fx.repo}/tree/V1/config.json`);
    assert.equal(notDir.headers.get('x-error-code'), 'EntryNotFound');
  });

  it('no token is 401; another account\'s token sees 404; a revoked token stops at the next request', async () => {
    const anon = await fetch(`${server.url}/${fx.repo}/resolve/V1/config.json`);
    assert.equal(anon.status, 401);
    assert.equal(anon.headers.get('x-error-code'), 'RepoNotFound');

    const bob = await server.newKey(`bob-${process.pid}`);
    const bobAccount = (await server.app.services.iam.resolveKey(bob.accessKey))!.principal.accountName;
    const bobToken = (await readToken(server, bobAccount)).token;
    const asBob = await fetch(`${server.url}/${fx.repo}/resolve/V1/config.json`, { headers: { authorization: `Bearer ${bobToken}` } });
    const missing = await fetch(`${server.url}/${fx.account}/no-such-set/resolve/V1/config.json`, { headers: { authorization: `Bearer ${bobToken}` } });
    assert.equal(asBob.status, 404);
    assert.equal(asBob.headers.get('x-error-code'), 'RepoNotFound');
    // The same answer as for a repo that does not exist: nothing leaks.
    assert.equal(missing.status, 404);
    assert.equal(((await asBob.json()) as any).error.replace(fx.setName, 'X'), ((await missing.json()) as any).error.replace('no-such-set', 'X'));
    await assert.rejects(snapshotDownload({ repo: fx.repo, revision: 'V1', cacheDir: hfCache(), hubUrl: server.url, accessToken: bobToken }), (e: any) => e.statusCode === 404);

    const own = await readToken(server, fx.account);
    assert.ok(await fileDownloadInfo({ repo: fx.repo, path: 'config.json', revision: 'V1', hubUrl: server.url, accessToken: own.token }));
    await server.app.services.readTokens.revoke(own.tokenId);
    const after = await fetch(`${server.url}/${fx.repo}/resolve/V1/config.json`, { headers: { authorization: `Bearer ${own.token}` } });
    assert.equal(after.status, 401);
    assert.equal(after.headers.get('x-error-message'), 'Invalid credentials in Authorization header');
    await assert.rejects(fileDownloadInfo({ repo: fx.repo, path: 'config.json', revision: 'V1', hubUrl: server.url, accessToken: own.token }), (e: any) => e.statusCode === 401);
    const unknown = await fetch(`${server.url}/${fx.repo}/resolve/V1/config.json`, { headers: { authorization: `Bearer hf_${'a'.repeat(40)}` } });
    assert.equal(unknown.status, 401);
  });

  it('uploads are refused clearly; the Qianfan API, the console and /healthz keep their routes', async () => {
    for (const [method, p] of [['POST', `/api/models/${fx.repo}/preupload/main`], ['POST', `/api/models/${fx.repo}/commit/main`], ['POST', '/api/repos/create'], ['PUT', `/api/models/${fx.repo}/settings`]]) {
      const res = await get(p!, { 'content-type': 'application/json' }, method);
      assert.equal(res.status, 405, p);
      assert.equal(res.headers.get('x-error-code'), 'UploadNotSupported');
      assert.match(((await res.json()) as any).error, /read-only/);
    }
    assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
    assert.equal((await fetch(`${server.url}/console/`)).status, 200);
    const set = await call(server, server.key, 'DescribeModelSet', { modelSetId: fx.setId });
    assert.equal(set.modelSetId, fx.setId);
  });
});

describe('moving an alias while clients download', () => {
  let server: TestServer;
  let fx: HubFixture;
  let token: string;
  before(async () => {
    server = await startServer(FAST);
    fx = await twoVersions(server, server.key);
    token = (await readToken(server, fx.account)).token;
    await call(server, server.key, 'SetModelSetAlias', { modelSetId: fx.setId, alias: 'production', modelId: fx.v1.modelId });
  });
  after(async () => {
    await server.close();
    removeCaches();
  });

  it('every client gets exactly one version\'s files, never a mix (the revision resolves to a commit first)', async () => {
    const c1 = commitIdOf(fx.v1.files);
    const c2 = commitIdOf(fx.v2.files);
    let moving = true;
    const mover = (async () => {
      let n = 0;
      while (moving) {
        const target = n++ % 2 === 0 ? fx.v2 : fx.v1;
        await call(server, server.key, 'SetModelSetAlias', { modelSetId: fx.setId, alias: 'production', modelId: target.modelId });
      }
      return n;
    })();
    const clients = Array.from({ length: 8 }, async () => {
      const cacheDir = hfCache();
      const folder = await snapshotDownload({ repo: fx.repo, revision: 'production', cacheDir, hubUrl: server.url, accessToken: token });
      return { folder, files: await snapshotFiles(folder), ref: readRef(cacheDir, fx.repo, 'production') };
    });
    const got = await Promise.all(clients);
    moving = false;
    const moves = await mover;
    assert.ok(moves >= 2, `the alias moved ${moves} times during the downloads`);
    for (const g of got) {
      const commit = path.basename(g.folder);
      assert.equal(g.ref, commit);
      assert.ok(commit === c1 || commit === c2);
      assert.deepEqual(g.files, commit === c1 ? fx.v1.files : fx.v2.files);
    }
  });
});

describe('failed token checks are rate-limited per address', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ ...FAST, authFailureLimitPerSecond: 1, authFailureLimitBurst: 3 });
  });
  after(async () => {
    await server.close();
    removeCaches();
  });

  it('answers 429 with Retry-After once the burst of failures is spent', async () => {
    const statuses = [];
    for (let i = 0; i < 5; i++) {
      const res = await fetch(`${server.url}/a/b/resolve/V1/config.json`, { headers: { authorization: `Bearer hf_${String(i).repeat(40)}` } });
      statuses.push(res.status);
      if (res.status === 429) {
        assert.ok(Number(res.headers.get('retry-after')) >= 1);
        assert.equal(res.headers.get('x-error-code'), 'RequestLimitExceeded');
      }
    }
    assert.deepEqual(statuses, [401, 401, 401, 429, 429]);
  });
});
