// A revision given as a commit, with the real @huggingface/hub client against the real server: the
// commit is recorded when a version becomes Ready (migration 0017), so resolving it is one indexed
// lookup, not a read of every version's manifest. A database from before 0017 (commits NULL) answers
// the same: the first miss fills the set's commits, and after a restart a commit the set does not
// have reads no manifest at all (the scan it replaced read every one, on every replica, every time).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Kysely } from 'kysely';
import { downloadFile, listFiles, modelInfo } from '@huggingface/hub';
import { startServer, tempDir, type TestServer } from '../../helpers/harness.js';
import { commitIdOf } from '../../../src/domain/hub/commit-id.js';
import { FAST } from '../pipeline/pipeline-helpers.js';
import { readToken, removeCaches, twoVersions, type HubFixture } from './hub-helpers.js';

/** The versions' manifests the server's resolver reads from now on (its RegistryFiles port). */
function countManifestReads(server: TestServer): string[] {
  const files = (server.app.services.hub.revisions as any).files as { manifest(id: string): Promise<unknown> };
  const reads: string[] = [];
  const real = files.manifest.bind(files);
  (server.app.services.hub.revisions as any).files = { ...files, manifest: (id: string) => (reads.push(id), real(id)) };
  return reads;
}

describe('Hub revisions by commit', () => {
  const dataDir = tempDir();
  let server: TestServer;
  let fx: HubFixture;
  let token: string;
  let c1: string;
  let c2: string;
  const hub = () => ({ hubUrl: server.url, accessToken: token });
  const db = () => server.app.store.db as unknown as Kysely<any>;
  const commitsOfSet = async () =>
    Object.fromEntries((await db().selectFrom('model_versions').select(['name', 'commit_id']).where('model_set_id', '=', fx.setId).execute()).map((r) => [r.name, r.commit_id]));
  const restart = async () => {
    await server.close();
    server = await startServer({ ...FAST, dataDir });
  };

  before(async () => {
    server = await startServer({ ...FAST, dataDir });
    fx = await twoVersions(server, server.key);
    token = (await readToken(server, fx.account)).token;
    c1 = commitIdOf(fx.v1.files);
    c2 = commitIdOf(fx.v2.files);
  });
  after(async () => {
    await server.close();
    removeCaches();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('records the commit when a version becomes Ready: the one clients see as sha', async () => {
    assert.deepEqual(await commitsOfSet(), { V1: c1, V2: c2 });
    assert.equal(((await modelInfo({ name: fx.repo, revision: 'V1', additionalFields: ['sha'], ...hub() })) as any).sha, c1);
  });

  it('resolves a commit with the real client: info, listing and a download of that version', async () => {
    for (const [commit, v] of [[c1, fx.v1], [c2, fx.v2]] as const) {
      const info = (await modelInfo({ name: fx.repo, revision: commit, additionalFields: ['sha'], ...hub() })) as any;
      assert.equal(info.sha, commit);
      const paths: string[] = [];
      for await (const f of listFiles({ repo: fx.repo, revision: commit, recursive: true, ...hub() })) if (f.type === 'file') paths.push(f.path);
      assert.deepEqual(paths.sort(), v.files.map((f: any) => f.path).sort());
    }
    const blob = await downloadFile({ repo: fx.repo, revision: c1, path: 'deep/er/notes.txt', ...hub() });
    assert.equal(await blob!.text(), 'abcdefghijklmnopqrstuvwxyz'.repeat(4000));
    await assert.rejects(modelInfo({ name: fx.repo, revision: 'e'.repeat(40), ...hub() }), (e: any) => e.statusCode === 404);
  });

  it('a database from before migration 0017: the first miss fills the set, then a miss reads no manifest, after a restart too', async () => {
    await db().updateTable('model_versions').set({ commit_id: null }).where('model_set_id', '=', fx.setId).execute();
    await restart();
    let reads = countManifestReads(server);
    const absent = `/api/models/${fx.repo}/revision/${'0'.repeat(40)}`;
    const miss = async () => {
      const res = await fetch(`${server.url}${absent}`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(res.status, 404);
      assert.equal(res.headers.get('x-error-code'), 'RevisionNotFound');
    };
    await miss();
    assert.deepEqual(reads.sort(), [fx.v1.modelId, fx.v2.modelId].sort(), 'each old version read once to fill its commit');
    assert.deepEqual(await commitsOfSet(), { V1: c1, V2: c2 });

    await restart();
    reads = countManifestReads(server);
    for (let i = 0; i < 3; i++) await miss();
    assert.deepEqual(reads, [], 'a commit the set does not have reads no manifest');
    // A hit reads only the version it serves.
    assert.equal(((await modelInfo({ name: fx.repo, revision: c1, additionalFields: ['sha'], ...hub() })) as any).sha, c1);
    assert.deepEqual(reads, [fx.v1.modelId]);
  });
});
