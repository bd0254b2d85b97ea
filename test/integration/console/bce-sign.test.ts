// The console's browser signer (console/lib/bce-sign.js, Web Crypto or the plain-JS fallback)
// computes what the server's signer does, and the server accepts requests signed that way:
// host, content-type and x-bce-date signed, content-length not (browsers cannot set it).
// (console/*.js are plain ES modules without type declarations; tests are not type-checked.)
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { Api } from '../../../console/lib/api.js';
import { canonicalQueryString, canonicalUri, signRequest } from '../../../console/lib/bce-sign.js';
import { hmacSha256, sha256 } from '../../../console/lib/sha256.js';
import * as server from '../../../src/http/auth/bce-v1.js';
import { startServer, type TestServer } from '../../helpers/harness.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('console signer', () => {
  test('plain-JS SHA-256 and HMAC agree with node:crypto at every block boundary', () => {
    for (const n of [0, 1, 3, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 129, 1000, 4097]) {
      const data = Buffer.alloc(n, 0).map((_, i) => (i * 31 + n) & 0xff);
      assert.equal(hex(sha256(new Uint8Array(data))), createHash('sha256').update(data).digest('hex'), `sha256 of ${n} bytes`);
      for (const keyLen of [0, 16, 32, 64, 65, 200]) {
        const key = Buffer.alloc(keyLen, 7);
        assert.equal(hex(hmacSha256(new Uint8Array(key), new Uint8Array(data))), createHmac('sha256', key).update(data).digest('hex'), `hmac key ${keyLen} data ${n}`);
      }
    }
  });

  test('canonical URI and query match the server’s', () => {
    for (const p of ['/v2/model', '/v2/模型 x', '/a%2Fb', "/it's(*)!"]) assert.equal(canonicalUri(p), server.canonicalUri(p));
    for (const q of ['Action=DescribeModel', 'b=2&a=1&Action=X', 'x=%E4%B8%AD+y&authorization=z&flag']) assert.equal(canonicalQueryString(q), server.canonicalQueryString(q));
  });

  test('the Authorization header equals the server signer’s for the same headers', async () => {
    const date = new Date('2026-11-23T04:49:31Z');
    const headers = { host: '127.0.0.1:8080', 'content-type': 'application/json', 'x-bce-date': '2026-11-23T04:49:31Z' };
    const opts = { accessKey: 'ak123', secretKey: 'sk456', method: 'POST', path: '/v2/model', rawQuery: 'Action=DescribeModel', headers, date };
    const ours = await signRequest(opts);
    assert.equal(ours, server.signRequest(opts));
    assert.match(ours, /^bce-auth-v1\/ak123\/2026-11-23T04:49:31Z\/1800\/content-type;host;x-bce-date\/[0-9a-f]{64}$/);
  });

  test('without Web Crypto (an insecure context) the fallback signs the same', async () => {
    const opts = { accessKey: 'ak', secretKey: 'a long secret key, longer than sixty-four bytes to force hashing of the key ...', method: 'POST', path: '/v2/model', rawQuery: 'Action=X', headers: { host: 'h:1', 'content-type': 'application/json', 'x-bce-date': '2026-01-01T00:00:00Z' }, date: new Date('2026-01-01T00:00:00Z') };
    const withSubtle = await signRequest(opts);
    const desc = Object.getOwnPropertyDescriptor(globalThis, 'crypto')!;
    Object.defineProperty(globalThis, 'crypto', { value: {}, configurable: true, writable: true });
    try {
      assert.equal(await signRequest(opts), withSubtle);
    } finally {
      Object.defineProperty(globalThis, 'crypto', desc);
    }
  });
});

describe('console API client against the real server', () => {
  let s: TestServer;
  before(async () => {
    s = await startServer();
  });
  after(() => s.close());

  const api = (key: { accessKey: string; secretKey: string }) => {
    const u = new URL(s.url);
    return new Api(key, { origin: u.origin, host: u.host });
  };

  test('a call signed like the browser signs it is accepted', async () => {
    const created = await api(s.key).model('CreateCustomModelSet', { modelSetName: 'console-signed', modelType: 'Text2Text' });
    assert.match(created.modelSetId, /^am-/);
    const list = await api(s.key).model('DescribeCustomModelSets', {});
    assert.ok(list.customModelSetList.some((x: any) => x.modelSetName === 'console-signed'));
  });

  test('a wrong secret is refused with the server’s error, status and requestId', async () => {
    await assert.rejects(api({ ...s.key, secretKey: 'wrong' }).model('DescribeCustomModelSets', {}), (err: any) => {
      assert.equal(err.status, 400);
      assert.equal(err.code, 'SignatureDoesNotMatch');
      assert.equal(err.isAuthFailure, true);
      assert.match(err.requestId, /^[0-9a-f-]{36}$/);
      return true;
    });
  });

  test('an API error arrives as ApiError with the envelope’s code and message', async () => {
    await assert.rejects(api(s.key).model('DescribeModel', { modelId: 'amv-nope' }), (err: any) => err.status === 404 && err.code === 'ModelNotFound' && /amv-nope|not found/.test(err.message));
  });

  test('signing host with a different value than the request’s Host fails (the server checks it)', async () => {
    const u = new URL(s.url);
    const wrongHost = new Api(s.key, { origin: u.origin, host: 'example.com' });
    await assert.rejects(wrongHost.model('DescribeCustomModelSets', {}), (err: any) => err.code === 'SignatureDoesNotMatch');
  });
});
