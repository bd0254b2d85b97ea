// `modelreg pull SET@alias` downloads the version the alias points at now, and follows a move.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { call, startServer, tempDir, type TestServer } from '../../helpers/harness.js';
import { describeFiles, FAST } from '../pipeline/pipeline-helpers.js';
import { createSet } from '../../helpers/api.js';
import { importTiny } from './hub-helpers.js';

const MAIN = fileURLToPath(new URL('../../../src/cli/main.ts', import.meta.url));

function pull(args: string[], env: Record<string, string>, cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), MAIN, 'pull', ...args], { cwd, env: { PATH: process.env.PATH ?? '', NODE_NO_WARNINGS: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

describe('modelreg pull SET@alias', () => {
  let server: TestServer;
  // No empty file in these versions: pull (cas branch) does not yet write zero-byte files.
  let fx: { setId: string; setName: string; v1: any; v2: any };
  let env: Record<string, string>;
  let work: string;
  before(async () => {
    server = await startServer(FAST);
    const set = await createSet(server, server.key);
    const v1 = await importTiny(server, server.key, set.modelSetId, `${set.modelSetName}/v1`);
    const v2 = await importTiny(server, server.key, set.modelSetId, `${set.modelSetName}/v2`, { shards: 2, dtype: 'F16' });
    fx = { setId: set.modelSetId, setName: set.modelSetName, v1, v2 };
    work = tempDir('modelreg-pull-alias-');
    env = { HOME: work, QIANFAN_CONSOLE_API_BASE_URL: server.url, QIANFAN_ACCESS_KEY: server.key.accessKey, QIANFAN_SECRET_KEY: server.key.secretKey };
  });
  after(async () => {
    await server.close();
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('pulls the version the alias points at, then the one it was moved to; an unknown alias is a clear error', async () => {
    await call(server, server.key, 'SetModelSetAlias', { modelSetId: fx.setId, alias: 'production', modelId: fx.v1.modelId });
    const first = await pull([`${fx.setName}@production`, 'p1'], env, work);
    assert.equal(first.code, 0, first.stderr);
    assert.deepEqual(await describeFiles(path.join(work, 'p1')), fx.v1.files);

    await call(server, server.key, 'SetModelSetAlias', { modelSetId: fx.setId, alias: 'production', modelId: fx.v2.modelId });
    const second = await pull([`${fx.setName}@production`, 'p2'], env, work);
    assert.equal(second.code, 0, second.stderr);
    assert.deepEqual(await describeFiles(path.join(work, 'p2')), fx.v2.files);

    const unknown = await pull([`${fx.setName}@staging`, 'p3'], env, work);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /has no alias "staging" \(it has production\)/);
  });
});
