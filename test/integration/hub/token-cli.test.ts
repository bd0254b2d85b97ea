// `modelreg token create|list|revoke` on the data directory of a running server: the token is
// printed once, works at once with the Hub client, is listed without the token, and stops at once
// when revoked.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fileDownloadInfo } from '@huggingface/hub';
import { startServer, type TestServer } from '../../helpers/harness.js';
import { runCli } from '../../helpers/cli.js';
import { FAST } from '../pipeline/pipeline-helpers.js';
import { twoVersions, type HubFixture } from './hub-helpers.js';

describe('modelreg token (admin CLI)', () => {
  let server: TestServer;
  let fx: HubFixture;
  let store: string[];
  const json = (r: { code: number | null; stdout: string; stderr: string }) => {
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout);
  };
  before(async () => {
    server = await startServer(FAST);
    fx = await twoVersions(server, server.key);
    store = ['--data-dir', server.dataDir, '--database', server.database];
  });
  after(() => server.close());

  it('create prints the token once; it reads the account at once; list never shows it; revoke stops it at once', async () => {
    const created = json(await runCli(['token', 'create', '--account', fx.account, '--expires', '30d', '--name', 'vllm prod', ...store]));
    assert.match(created.token, /^hf_[a-z0-9]{40}$/);
    assert.equal(created.name, 'vllm prod');
    assert.equal(created.account, fx.account);
    const days = (Date.parse(created.expireTime) - Date.now()) / 86400_000;
    assert.ok(days > 29.9 && days <= 30, `expires in ${days} days`);

    const ask = { repo: fx.repo, path: 'config.json', revision: 'V1', hubUrl: server.url, accessToken: created.token };
    assert.ok(await fileDownloadInfo(ask));

    const list = await runCli(['token', 'list', '--account', fx.account, ...store]);
    assert.ok(!list.stdout.includes(created.token), 'list shows no token');
    const row = json(list).find((t: any) => t.tokenId === created.tokenId);
    assert.equal(row.status, 'active');

    assert.deepEqual(json(await runCli(['token', 'revoke', created.tokenId, ...store])), { tokenId: created.tokenId, status: 'revoked' });
    await assert.rejects(fileDownloadInfo(ask), (e: any) => e.statusCode === 401);
    assert.equal(json(await runCli(['token', 'list', ...store])).find((t: any) => t.tokenId === created.tokenId).status, 'revoked');
  });

  it('mistakes are clear errors with a non-zero exit', async () => {
    const ghost = await runCli(['token', 'create', '--account', 'ghost', ...store]);
    assert.equal(ghost.code, 1);
    assert.match(ghost.stderr, /account "ghost" does not exist/);
    const badExpiry = await runCli(['token', 'create', '--account', fx.account, '--expires', 'soon', ...store]);
    assert.equal(badExpiry.code, 1);
    assert.match(badExpiry.stderr, /expiry "soon" must look like 30d/);
    const unknown = await runCli(['token', 'revoke', 'rt-nope', ...store]);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /read token rt-nope does not exist/);
  });
});
