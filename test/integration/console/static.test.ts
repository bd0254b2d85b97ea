// The console's static files: served under /console/ with the right types and security
// headers, revalidated by ETag, and nothing outside console/ reachable.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { CONSOLE_DIR } from '../../../src/http/console-route.js';
import { TRANSFORMER_VERSIONS, VLLM_VERSIONS } from '../../../src/domain/catalogue/engines.js';
import { startServer, type TestServer } from '../../helpers/harness.js';

describe('console static files', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer();
  });
  after(() => server.close());

  const get = (path: string, headers: Record<string, string> = {}) => fetch(server.url + path, { headers, redirect: 'manual' });

  test('GET / and /console redirect to /console/', async () => {
    const root = await get('/');
    assert.equal(root.status, 302);
    assert.equal(root.headers.get('location'), '/console/');
    const bare = await get('/console');
    assert.equal(bare.status, 301);
    assert.equal(bare.headers.get('location'), '/console/');
  });

  test('GET /console/ is the app page, with a strict CSP and no caching without revalidation', async () => {
    const res = await get('/console/');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.match(res.headers.get('content-security-policy') ?? '', /script-src 'self'/);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(res.headers.get('cache-control'), 'no-cache');
    const html = await res.text();
    assert.equal(html, fs.readFileSync(`${CONSOLE_DIR}/index.html`, 'utf8'));
    assert.match(html, /<script type="module" src="app.js">/);
  });

  test('content types follow the extension', async () => {
    for (const [path, type] of [
      ['/console/app.js', 'text/javascript; charset=utf-8'],
      ['/console/lib/bce-sign.js', 'text/javascript; charset=utf-8'],
      ['/console/style.css', 'text/css; charset=utf-8'],
      ['/console/favicon.svg', 'image/svg+xml'],
    ]) {
      const res = await get(path!);
      assert.equal(res.status, 200, path);
      assert.equal(res.headers.get('content-type'), type, path);
    }
  });

  test('lib/constants.js carries the server’s own supported lists', async () => {
    const res = await get('/console/lib/constants.js');
    assert.equal(res.status, 200);
    const text = await res.text();
    assert.ok(text.includes(`export const TRANSFORMER_VERSIONS = Object.freeze(${JSON.stringify(TRANSFORMER_VERSIONS)});`));
    assert.ok(text.includes(`export const VLLM_VERSIONS = Object.freeze(${JSON.stringify(VLLM_VERSIONS)});`));
  });

  test('an unchanged file answers 304 to its ETag', async () => {
    const first = await get('/console/app.js');
    const etag = first.headers.get('etag');
    assert.match(etag ?? '', /^"[0-9a-f]{32}"$/);
    const again = await get('/console/app.js', { 'if-none-match': etag! });
    assert.equal(again.status, 304);
    assert.equal(await again.text(), '');
  });

  test('HEAD works like GET without a body', async () => {
    const res = await fetch(server.url + '/console/app.js', { method: 'HEAD' });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/javascript; charset=utf-8');
  });

  test('nothing outside console/ can be reached, however the path is spelled', async () => {
    const attempts = [
      '/console/../package.json',
      '/console/%2e%2e/package.json',
      '/console/%2e%2e%2fpackage.json',
      '/console/..%2f..%2fpackage.json',
      '/console/lib/..%2f..%2fsrc/config.ts',
      '/console/%2e%2e%5c%2e%2e%5cpackage.json',
      '/console/..\\..\\package.json',
      '/console/%00index.html',
      '/console/index.html%00.js',
      '/console//etc/passwd',
      '/console/%2fetc%2fpasswd',
      '/console/nope.js',
      '/console/lib/',
    ];
    for (const p of attempts) {
      const res = await get(p);
      const body = await res.text();
      assert.ok(res.status === 404 || (res.status >= 300 && res.status < 400) || res.status === 400, `${p} → ${res.status}`);
      assert.doesNotMatch(body, /"name": "modelreg"|root:x:0|loadConfig/, p);
    }
  });

  test('the API is unaffected: POST /v2/model still needs a signature', async () => {
    const res = await fetch(server.url + '/v2/model?Action=DescribeCustomModelSets', { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    assert.equal(res.status, 400);
    assert.equal((await res.json()).code, 'InvalidHTTPAuthHeader');
  });
});
