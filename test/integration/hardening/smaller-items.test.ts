// Issue 10, class 7: signed bodies (MODELREG_REQUIRE_CONTENT_SHA256, and the console and CLI always
// sign them), the public-host check, the open-buckets warning, the CLI asking the server about a
// bucket before writing to it, failure reasons without server paths, and failed-authentication
// limits that do not lock valid keys out behind a shared address.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { Api } from '../../../console/lib/api.js';
import { ApiClient } from '../../../src/client/api-client.js';
import { describeInfraError } from '../../../src/jobs/import-job.js';
import { writeTinyCausalLM } from '../../fixtures/model-builder.js';
import { call, sdk, sdkFails, signedFetch, startServer, tempDir, type TestServer } from '../../helpers/harness.js';
import { startCliServer } from '../../helpers/cli.js';
import { assertEnvelope } from './envelope.js';
import { exchange, signedHead } from './raw-http.js';

const sha256hex = async (s: string) => (await import('node:crypto')).createHash('sha256').update(s).digest('hex');
const describeBody = JSON.stringify({ modelId: 'amv-doesnotexist' });

describe('signed bodies', () => {
  let s: TestServer;
  before(async () => {
    s = await startServer({ requireContentSha256: true });
  });
  after(() => s.close());

  test('with MODELREG_REQUIRE_CONTENT_SHA256, a request that does not sign the body digest is refused with the reason', async () => {
    const e = await sdkFails(sdk(s.url, s.key, '/v2/model', 'DescribeCustomModelSets', {}));
    assert.equal(e.status, 400);
    assert.equal(e.body.code, 'InvalidHTTPAuthHeader');
    assert.match(e.body.message!, /requires x-bce-content-sha256/);
  });

  test('a captured request replayed with another body of the same length is refused', async () => {
    const body = JSON.stringify({ modelSetName: 'replay_aa', modelType: 'Text2Text' });
    const other = JSON.stringify({ modelSetName: 'replay_bb', modelType: 'Text2Text' });
    assert.equal(body.length, other.length);
    const signed = await signedFetch(s.url, s.key, { query: 'Action=CreateCustomModelSet', body, headers: { 'x-bce-content-sha256': await sha256hex(body) } });
    assert.equal(signed.status, 200, signed.text);
    const swapped = await signedFetch(s.url, s.key, {
      query: 'Action=CreateCustomModelSet',
      body: other,
      headers: { 'x-bce-content-sha256': await sha256hex(body) },
    });
    assertEnvelope(swapped, 400, 'SignatureDoesNotMatch', /x-bce-content-sha256/);
  });

  test('the console and the CLI client always sign the body, so they work under the setting', async () => {
    const u = new URL(s.url);
    const api = new Api(s.key, { origin: u.origin, host: u.host });
    const created = await api.model('CreateCustomModelSet', { modelSetName: 'console_sha', modelType: 'Text2Text' });
    assert.match(created.modelSetId, /^am-/);
    const fileName = await api.callWithFile('/v2/model', 'CreateModelCustomConf', 'customSpecFile', new File(['{{ messages[0].content }}'], 'c.jinja'));
    assert.equal(typeof fileName, 'string');
    const cli = new ApiClient(s.url, s.key);
    const list = await cli.call('/v2/model', 'DescribeCustomModelSets', {});
    assert.ok(list.customModelSetList.some((x: any) => x.modelSetName === 'console_sha'));
    assert.equal(typeof (await cli.callWithFile('/v2/model', 'CreateModelCustomConf', 'customSpecFile', 't.jinja', Buffer.from('{{ 1 }}'))), 'string');
  });
});

describe('public hosts', () => {
  let s: TestServer;
  before(async () => {
    s = await startServer({ publicHosts: 'registry.example.com, api.example.com:8443' });
  });
  after(() => s.close());

  test('a Host that is not a public name is refused; a public one (any port unless given) is served; /healthz is exempt', async () => {
    const port = new URL(s.url).port;
    const viaLoopback = await signedFetch(s.url, s.key, { query: 'Action=DescribeModel', body: describeBody });
    assertEnvelope(viaLoopback, 400, 'InvalidHost', /Host header "127\.0\.0\.1:\d+" is not a public name of this registry; use one of: registry\.example\.com, api\.example\.com:8443/);
    for (const [host, ok] of [[`registry.example.com:${port}`, true], ['REGISTRY.example.com', true], ['api.example.com:8443', true], ['api.example.com:9', false], ['evil.example.com', false]] as const) {
      const head = signedHead(`http://${host}`, s.key, { action: 'DescribeModel', contentLength: Buffer.byteLength(describeBody) });
      const ex = await exchange(s.url, [head.slice(0, -2) + 'connection: close\r\n\r\n' + describeBody], 5_000);
      const a = ex.answers[0]!;
      if (ok) assertEnvelope(a, 404, 'ModelNotFound');
      else assertEnvelope(a, 400, 'InvalidHost');
    }
    assert.equal((await fetch(`${s.url}/healthz`)).status, 200);
  });
});

describe('failed authentications: per address and per key', () => {
  let s: TestServer;
  before(async () => {
    s = await startServer({ authFailureLimitPerSecond: 0.001 as number, authFailureLimitBurst: 3, trustProxy: true });
  });
  after(() => s.close());

  const from = (ip: string) => ({ 'x-forwarded-for': ip });

  test('behind one NAT address, a guesser does not lock out the valid keys of its neighbours', async () => {
    const victim = await s.newKey('nat-neighbour');
    const guessed = { accessKey: s.key.accessKey, secretKey: 'not-the-secret-key-at-all' };
    for (let i = 0; i < 3; i++) assertEnvelope(await signedFetch(s.url, guessed, { query: 'Action=DescribeModel', body: describeBody, headers: from('198.51.100.1') }), 400, 'SignatureDoesNotMatch');
    assertEnvelope(await signedFetch(s.url, guessed, { query: 'Action=DescribeModel', body: describeBody, headers: from('198.51.100.1') }), 429, 'RequestLimitExceeded');
    // Same address, another key with a valid signature: served.
    assertEnvelope(await signedFetch(s.url, victim, { query: 'Action=DescribeModel', body: describeBody, headers: from('198.51.100.1') }), 404, 'ModelNotFound');
    // A wrong secret for that other key, from the blocked address: told as the limit, not checked further.
    assertEnvelope(
      await signedFetch(s.url, { accessKey: victim.accessKey, secretKey: 'wrong-secret-wrong-secret' }, { query: 'Action=DescribeModel', body: describeBody, headers: from('198.51.100.1') }),
      429,
      'RequestLimitExceeded',
    );
  });

  test('failures are counted per access key across addresses; the key’s holder still gets through', async () => {
    const target = await s.newKey('spread-target');
    const wrong = { accessKey: target.accessKey, secretKey: 'wrong-secret-wrong-secret' };
    // A guesser rotating addresses: each address fails once, the key fails three times.
    for (let i = 0; i < 3; i++) assertEnvelope(await signedFetch(s.url, wrong, { query: 'Action=DescribeModel', body: describeBody, headers: from(`203.0.113.${10 + i}`) }), 400, 'SignatureDoesNotMatch');
    assertEnvelope(await signedFetch(s.url, wrong, { query: 'Action=DescribeModel', body: describeBody, headers: from('203.0.113.50') }), 429, 'RequestLimitExceeded', /for this access key/);
    // The holder, from a fresh address, signs correctly: served.
    assertEnvelope(await signedFetch(s.url, target, { query: 'Action=DescribeModel', body: describeBody, headers: from('203.0.113.51') }), 404, 'ModelNotFound');
  });
});

describe('buckets and failure reasons', () => {
  test('a server without MODELREG_BUCKET_GRANTS warns loudly at start', async () => {
    const dataDir = tempDir('modelreg-warn-');
    const server = await startCliServer(['--data-dir', dataDir]);
    try {
      const warned = server.lines().filter((l) => l.level === 40 && /MODELREG_BUCKET_GRANTS is not set, so EVERY account may import from EVERY bucket/.test(l.msg ?? ''));
      assert.equal(warned.length, 1, JSON.stringify(server.lines()));
    } finally {
      await server.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  test('import --replace asks the server about the bucket before writing: a bucket not granted is left untouched', async () => {
    const s = await startServer({ bucketGrants: { theirs: ['someone-else'], mine: ['*'] } });
    const home = tempDir('modelreg-replace-');
    try {
      const modelDir = path.join(home, 'tiny');
      await writeTinyCausalLM(modelDir);
      const victimFile = path.join(s.app.config.bucketsDir, 'theirs', 'models', 'x', 'config.json');
      fs.mkdirSync(path.dirname(victimFile), { recursive: true });
      fs.writeFileSync(victimFile, '{"theirs": true}');
      await call(s, s.key, 'CreateCustomModelSet', { modelSetName: 'replace_set', modelType: 'Text2Text' });
      const r = await cli(['import', modelDir, '--set', 'replace_set', '--bucket', 'theirs', '--path', 'models/x', '--replace', '--buckets-dir', s.app.config.bucketsDir], s);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /AccessDenied|not granted/);
      assert.equal(fs.readFileSync(victimFile, 'utf8'), '{"theirs": true}', 'the CLI replaced objects in a bucket the server refuses');
      assert.deepEqual(fs.readdirSync(path.dirname(victimFile)), ['config.json']);
      // The action itself, for other clients.
      const ok = await call(s, s.key, 'CheckBucketAccess', { bucket: 'mine' });
      assert.deepEqual(ok, { bucket: 'mine', granted: true, exists: false });
      const denied = await sdkFails(sdk(s.url, s.key, '/v2/model', 'CheckBucketAccess', { bucket: 'theirs' }));
      assert.equal(denied.status, 403);
      assert.equal(denied.body.code, 'AccessDenied');
    } finally {
      await s.close();
      fs.rmSync(home, { recursive: true, force: true });
    }
  });

  test('infrastructure failure reasons speak in bucket terms, never the server’s absolute paths', () => {
    const enoent = Object.assign(new Error("ENOENT: no such file or directory, open '/srv/modelreg/data/buckets/b/m/model.safetensors'"), { code: 'ENOENT', syscall: 'open', path: '/srv/modelreg/data/buckets/b/m/model.safetensors' });
    const eacces = Object.assign(new Error("EACCES: permission denied, open '/srv/modelreg/data/registry/models/x'"), { code: 'EACCES', syscall: 'open', path: '/srv/modelreg/data/registry/models/x' });
    const other = new Error('copy failed at /var/lib/modelreg/registry/models/amv-1/tmp for bos://b/m');
    for (const err of [enoent, eacces, other]) {
      const reason = describeInfraError(err, 'bos://b/m');
      assert.ok(!/\/srv\/|\/var\/lib/.test(reason), reason);
      assert.match(reason, /bos:\/\/b\/m/);
    }
  });
});

const MAIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../src/cli/main.ts');

function cli(args: string[], s: TestServer): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env = { PATH: process.env.PATH ?? '', HOME: tempDir('modelreg-home-'), QIANFAN_CONSOLE_API_BASE_URL: s.url, QIANFAN_ACCESS_KEY: s.key.accessKey, QIANFAN_SECRET_KEY: s.key.secretKey, NODE_NO_WARNINGS: '1' };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
