// Aliases and read tokens through the real Qianfan Node SDK: SetModelSetAlias / DeleteModelSetAlias
// / DescribeModelSetAliasHistory, aliases in DescribeModelSet and DescribeModel, deleting an aliased
// version refused; CreateReadToken / DescribeReadTokens / DeleteReadToken; the policies they need.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileDownloadInfo } from '@huggingface/hub';
import { call, sdk, sdkFails, startServer, type Key, type TestServer } from '../../helpers/harness.js';
import { assertError, createSet, expectFail, transformersImport } from '../../helpers/api.js';
import { bucketPath, FAST, importAndSettle } from '../pipeline/pipeline-helpers.js';
import { BUCKET, importTiny, twoVersions, type HubFixture } from './hub-helpers.js';

describe('aliases and read tokens (Qianfan SDK)', () => {
  let server: TestServer;
  let fx: HubFixture;
  let reader: Key;
  before(async () => {
    server = await startServer(FAST);
    fx = await twoVersions(server, server.key);
    reader = await server.newKey(fx.account, ['QianfanReadAccessPolicy']);
  });
  after(() => server.close());

  it('sets, moves and lists an alias; DescribeModelSet and DescribeModel show it; every move is recorded', async () => {
    const first = await call(server, server.key, 'SetModelSetAlias', { modelSetId: fx.setId, alias: 'champion', modelId: fx.v1.modelId });
    assert.deepEqual(first, { modelSetId: fx.setId, alias: 'champion', modelId: fx.v1.modelId, previousModelId: null });
    let set = await call(server, server.key, 'DescribeModelSet', { modelSetId: fx.setId });
    assert.deepEqual(set.aliases, [{ alias: 'champion', modelId: fx.v1.modelId, modelName: 'V1' }]);
    assert.deepEqual((await call(server, server.key, 'DescribeModel', { modelId: fx.v1.modelId })).aliases, ['champion']);

    const moved = await call(server, server.key, 'SetModelSetAlias', { modelSetId: fx.setId, alias: 'champion', modelId: fx.v2.modelId });
    assert.equal(moved.previousModelId, fx.v1.modelId);
    set = await call(server, server.key, 'DescribeModelSet', { modelSetId: fx.setId });
    assert.deepEqual(set.aliases, [{ alias: 'champion', modelId: fx.v2.modelId, modelName: 'V2' }]);
    assert.deepEqual((await call(server, server.key, 'DescribeModel', { modelId: fx.v1.modelId })).aliases, []);
    assert.deepEqual((await call(server, server.key, 'DescribeModel', { modelId: fx.v2.modelId })).aliases, ['champion']);

    // Setting it where it already points changes nothing and records nothing.
    await call(server, server.key, 'SetModelSetAlias', { modelSetId: fx.setId, alias: 'champion', modelId: fx.v2.modelId });
    const h = await call(server, reader, 'DescribeModelSetAliasHistory', { modelSetId: fx.setId, alias: 'champion' });
    assert.equal(h.aliasHistory.length, 2);
    assert.deepEqual(
      h.aliasHistory.map((e: any) => [e.fromModelName, e.toModelName, e.actor]),
      [['V1', 'V2', server.key.accessKey], [null, 'V1', server.key.accessKey]],
    );
    assert.match(h.aliasHistory[0].time, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/);
  });

  it('refuses bad alias names, versions that are not Ready or of another set, and unknown ids', async () => {
    for (const alias of ['V1', 'v2', 'Prod', '9lives', 'a'.repeat(65), 'amv-abc', 'deadbeef'.repeat(5), 'has space', 'x/y']) {
      await expectFail(server, server.key, 'SetModelSetAlias', { modelSetId: fx.setId, alias, modelId: fx.v1.modelId }, 400, 'InvalidParameter');
    }
    fs.mkdirSync(bucketPath(server, BUCKET, 'aliases-broken'), { recursive: true });
    fs.writeFileSync(path.join(bucketPath(server, BUCKET, 'aliases-broken'), 'README.md'), 'no model here');
    const failed = await importAndSettle(server, server.key, transformersImport(fx.setId, { bucket: BUCKET, objectPath: 'aliases-broken' }));
    assert.equal(failed.status, 'Fail');
    await expectFail(server, server.key, 'SetModelSetAlias', { modelSetId: fx.setId, alias: 'broken', modelId: failed.modelId }, 400, 'InvalidParameter', /is Fail; an alias can only point at a Ready version/);

    const other = await createSet(server, server.key);
    const otherV1 = await importTiny(server, server.key, other.modelSetId, `${other.modelSetName}/v1`);
    await expectFail(server, server.key, 'SetModelSetAlias', { modelSetId: fx.setId, alias: 'foreign', modelId: otherV1.modelId }, 400, 'InvalidParameter', /another model set/);
    await expectFail(server, server.key, 'SetModelSetAlias', { modelSetId: 'am-000000000000', alias: 'x', modelId: fx.v1.modelId }, 404, 'ModelSetNotFound');
    await expectFail(server, server.key, 'SetModelSetAlias', { modelSetId: fx.setId, alias: 'x', modelId: 'amv-000000000000' }, 404, 'ModelNotFound');
    await expectFail(server, server.key, 'DeleteModelSetAlias', { modelSetId: fx.setId, alias: 'never-set' }, 404, 'ResourceNotFound');

    // Another account sees neither the set nor its versions.
    const mallory = await server.newKey(`mallory-${process.pid}`);
    await expectFail(server, mallory, 'SetModelSetAlias', { modelSetId: fx.setId, alias: 'x', modelId: fx.v1.modelId }, 404, 'ModelSetNotFound');
    await expectFail(server, mallory, 'DescribeModelSetAliasHistory', { modelSetId: fx.setId }, 404, 'ModelSetNotFound');
  });

  it('needs write access to move aliases; read keys may look', async () => {
    const err = await sdkFails(sdk(server.url, reader, '/v2/model', 'SetModelSetAlias', { modelSetId: fx.setId, alias: 'x', modelId: fx.v1.modelId }));
    assertError(err, 403, 'AccessDenied');
    assertError(await sdkFails(sdk(server.url, reader, '/v2/model', 'DeleteModelSetAlias', { modelSetId: fx.setId, alias: 'champion' })), 403, 'AccessDenied');
    assert.ok(Array.isArray((await call(server, reader, 'DescribeModelSet', { modelSetId: fx.setId })).aliases));
  });

  it('refuses to delete a version an alias points at, naming the aliases; deleting the alias frees it', async () => {
    const set = await createSet(server, server.key);
    const v1 = await importTiny(server, server.key, set.modelSetId, `${set.modelSetName}/v1`);
    await call(server, server.key, 'SetModelSetAlias', { modelSetId: set.modelSetId, alias: 'production', modelId: v1.modelId });
    await call(server, server.key, 'SetModelSetAlias', { modelSetId: set.modelSetId, alias: 'staging', modelId: v1.modelId });
    await expectFail(server, server.key, 'DeleteModel', { modelId: v1.modelId }, 409, 'ModelVersionHasAliases', /production, staging/);
    assert.equal((await call(server, server.key, 'DescribeModel', { modelId: v1.modelId })).status, 'Ready');
    await call(server, server.key, 'DeleteModelSetAlias', { modelSetId: set.modelSetId, alias: 'production' });
    await expectFail(server, server.key, 'DeleteModel', { modelId: v1.modelId }, 409, 'ModelVersionHasAliases', /staging/);
    await call(server, server.key, 'DeleteModelSetAlias', { modelSetId: set.modelSetId, alias: 'staging' });
    assert.equal(await call(server, server.key, 'DeleteModel', { modelId: v1.modelId }), true);
    const h = await call(server, server.key, 'DescribeModelSetAliasHistory', { modelSetId: set.modelSetId });
    assert.deepEqual(h.aliasHistory.map((e: any) => [e.alias, e.fromModelId, e.toModelId]).slice(0, 2), [
      ['staging', v1.modelId, null],
      ['production', v1.modelId, null],
    ]);
  });

  it('an alias set while its version is deleted: never an alias pointing at a deleted version', async () => {
    const set = await createSet(server, server.key);
    for (let round = 0; round < 3; round++) {
      const v = await importTiny(server, server.key, set.modelSetId, `${set.modelSetName}/r${round}`);
      const results = await Promise.allSettled([
        call(server, server.key, 'SetModelSetAlias', { modelSetId: set.modelSetId, alias: 'race', modelId: v.modelId }),
        call(server, server.key, 'DeleteModel', { modelId: v.modelId }),
      ]);
      const d = await call(server, server.key, 'DescribeModelSet', { modelSetId: set.modelSetId });
      const alias = d.aliases.find((a: any) => a.alias === 'race');
      const deleted = results[1].status === 'fulfilled';
      if (deleted) assert.ok(!alias || alias.modelId !== v.modelId, `round ${round}: alias points at a deleted version`);
      else assert.equal(alias?.modelId, v.modelId, `round ${round}: the delete was refused, so the alias was set`);
      if (alias) await call(server, server.key, 'DeleteModelSetAlias', { modelSetId: set.modelSetId, alias: 'race' });
    }
  });

  it('CreateReadToken shows an hf_ token once; DescribeReadTokens never; DeleteReadToken revokes it at once', async () => {
    const created = await call(server, server.key, 'CreateReadToken', { name: 'vllm prod', expiresInDays: 30 });
    assert.match(created.token, /^hf_[a-z0-9]{40}$/);
    assert.equal(created.name, 'vllm prod');
    assert.equal(created.status, 'active');
    assert.ok(created.expireTime);
    const list = await call(server, reader, 'DescribeReadTokens', {});
    const mine = list.tokens.find((t: any) => t.tokenId === created.tokenId);
    assert.equal(mine.tokenHint, `${created.token.slice(0, 7)}…`);
    assert.equal(mine.createdBy, server.key.accessKey);
    assert.ok(!JSON.stringify(list).includes(created.token), 'the token is never listed');
    // Stored hashed: the database does not hold the token.
    const rows = await server.app.store.db.selectFrom('read_tokens').selectAll().execute();
    assert.ok(!JSON.stringify(rows).includes(created.token));

    const hub = { repo: fx.repo, path: 'config.json', revision: 'V1', hubUrl: server.url, accessToken: created.token };
    assert.ok(await fileDownloadInfo(hub));
    assertError(await sdkFails(sdk(server.url, reader, '/v2/model', 'CreateReadToken', {})), 403, 'AccessDenied');
    assertError(await sdkFails(sdk(server.url, reader, '/v2/model', 'DeleteReadToken', { tokenId: created.tokenId })), 403, 'AccessDenied');
    const mallory = await server.newKey(`mallory2-${process.pid}`);
    await expectFail(server, mallory, 'DeleteReadToken', { tokenId: created.tokenId }, 404, 'ResourceNotFound');
    assert.ok(!(await call(server, mallory, 'DescribeReadTokens')).tokens.some((t: any) => t.tokenId === created.tokenId));

    assert.equal(await call(server, server.key, 'DeleteReadToken', { tokenId: created.tokenId }), true);
    await assert.rejects(fileDownloadInfo(hub), (e: any) => e.statusCode === 401);
    const after = (await call(server, server.key, 'DescribeReadTokens')).tokens.find((t: any) => t.tokenId === created.tokenId);
    assert.equal(after.status, 'revoked');
    await expectFail(server, server.key, 'CreateReadToken', { expiresInDays: 0 }, 400, 'InvalidParameter');

    // An expired token is refused at its next request, and listed as expired.
    const short = await call(server, server.key, 'CreateReadToken', { name: 'short', expiresInDays: 1 });
    const ask = { ...hub, accessToken: short.token };
    assert.ok(await fileDownloadInfo(ask));
    await server.app.store.db.updateTable('read_tokens').set({ expires_at: new Date(Date.now() - 1000).toISOString() }).where('id', '=', short.tokenId).execute();
    await assert.rejects(fileDownloadInfo(ask), (e: any) => e.statusCode === 401);
    assert.equal((await call(server, server.key, 'DescribeReadTokens')).tokens.find((t: any) => t.tokenId === short.tokenId).status, 'expired');
  });
});
