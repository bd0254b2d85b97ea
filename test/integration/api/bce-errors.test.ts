// Issue 13, item 5: errors the way BCE clients read them. The common error table's codes and
// statuses (shared/reference/bce-common-errors.md), X-Bce-Error-Code / X-Bce-Error-Message on
// every error, and for an unknown key and a bad signature exactly the two header messages the
// Python SDK turns into its hints, while the body keeps modelreg's precise message.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { sdk, sdkFails, signedFetch, startServer, type TestServer } from '../../helpers/harness.js';
import { assertError } from '../../helpers/api.js';
import { pythonRequest, sendWire } from '../../helpers/sdk-signers.js';

let s: TestServer;
before(async () => {
  s = await startServer();
});
after(() => s.close());

/**
 * The Python SDK's hint, as python/qianfan/resources/requestor/base.py:105-122
 * (_check_if_status_code_is_200) picks it from X-Bce-Error-Message.
 */
function pythonHint(xErrMsg: string | null, accessKey: string, secretKey: string): string {
  const masked = (k: string) => `${k.slice(0, 6)}******`;
  if (xErrMsg === 'NotFound, cause: Could not find credential.') return accessKey ? `Access Key(\`${masked(accessKey)}\`) 错误` : 'Access Key 未设置';
  if (xErrMsg === 'SignatureDoesNotMatch, cause: Fail to authn user: Signature does not match') return secretKey ? `Secret Key(\`${masked(secretKey)}\`) 错误` : 'Secret Key 未设置';
  return '';
}

const post = (query: string, body: string | Buffer, extra: Parameters<typeof signedFetch>[2] = {}) => signedFetch(s.url, s.key, { query, body, ...extra });

async function unsigned(path: string, headers: Record<string, string>, body = '{}') {
  const res = await fetch(s.url + path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, body: JSON.parse(text) };
}

describe('authentication errors the Python SDK explains', () => {
  test('an unknown access key: 403 InvalidAccessKeyId, "NotFound, cause: Could not find credential." → the AK hint', async () => {
    const stranger = { accessKey: 'AKunknown0000000000000', secretKey: 'sk-stranger-0000000000000000' };
    // The request exactly as the Python SDK builds it (see test/helpers/sdk-signers.ts).
    const r = await sendWire(s.url, pythonRequest(s.url, stranger, '/v2/model', 'DescribeCustomModelSets', {}));
    assertError(r, 403, 'InvalidAccessKeyId', /access key id in the Authorization header is not known to this registry/);
    assert.equal(r.headers.get('x-bce-error-code'), 'InvalidAccessKeyId');
    assert.equal(r.headers.get('x-bce-error-message'), 'NotFound, cause: Could not find credential.');
    assert.equal(pythonHint(r.headers.get('x-bce-error-message'), stranger.accessKey, stranger.secretKey), 'Access Key(`AKunkn******`) 错误');
  });

  test('a bad signature: 400 SignatureDoesNotMatch, the exact header message → the SK hint; the body keeps the precise message', async () => {
    const wrong = { ...s.key, secretKey: 'wrong-secret-0000000000000000' };
    const r = await sendWire(s.url, pythonRequest(s.url, wrong, '/v2/model', 'DescribeCustomModelSets', {}));
    assertError(r, 400, 'SignatureDoesNotMatch', /the request signature does not match: check the secret key/);
    assert.equal(r.headers.get('x-bce-error-message'), 'SignatureDoesNotMatch, cause: Fail to authn user: Signature does not match');
    assert.equal(pythonHint(r.headers.get('x-bce-error-message'), wrong.accessKey, wrong.secretKey), 'Secret Key(`wrong-******`) 错误');
  });

  test('the Node SDK sees the same status and code', async () => {
    const err = await sdkFails(sdk(s.url, { accessKey: 'AKnobody0000000000', secretKey: 'x'.repeat(32) }, '/v2/model', 'DescribeCustomModelSets', {}));
    assertError(err, 403, 'InvalidAccessKeyId');
  });
});

describe("the common error table's codes and statuses", () => {
  test('Authorization missing or malformed: 400 InvalidHTTPAuthHeader', async () => {
    assertError(await unsigned('/v2/model?Action=DescribeCustomModelSets', {}), 400, 'InvalidHTTPAuthHeader', /Authorization header is missing/);
    assertError(await unsigned('/v2/model?Action=DescribeCustomModelSets', { authorization: 'Bearer x' }), 400, 'InvalidHTTPAuthHeader', /malformed Authorization header/);
  });

  test('a timestamp outside its window: 400 RequestExpired', async () => {
    const r = await post('Action=DescribeCustomModelSets', '{}', { date: new Date(Date.now() - 3 * 3600_000) });
    assertError(r, 400, 'RequestExpired', /signature expired/);
    assert.equal(r.headers.get('x-bce-error-message'), `RequestExpired, cause: ${r.body.message}`);
  });

  test('JSON that is not well-formed: 400 MalformedJSON; well-formed but unfit: 400 InappropriateJSON', async () => {
    assertError(await post('Action=DescribeModel', '{"modelId":'), 400, 'MalformedJSON', /not valid JSON/);
    assertError(await post('Action=DescribeModel', '[1]'), 400, 'InappropriateJSON', /must be a JSON object/);
  });

  test('a body in the wrong encoding: 400 InvalidHTTPRequest', async () => {
    assertError(await post('Action=DescribeModel', Buffer.from([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x3a, 0x31, 0x7d])), 400, 'InvalidHTTPRequest', /not valid UTF-8/);
  });

  test('a URI that cannot be parsed: 400 InvalidURI; another API version: 404 InvalidVersion', async () => {
    assertError(await unsigned('/v2/mo%zzdel?Action=DescribeModel', {}), 400, 'InvalidURI', /malformed percent-encoding/);
    assertError(await unsigned('/v1/model?Action=DescribeModel', {}), 404, 'InvalidVersion', /use \/v2\/model/);
  });

  test('no permission: 403 AccessDenied', async () => {
    const reader = await s.newKey(`reader-${Date.now()}`, ['QianfanReadAccessPolicy']);
    const r = await signedFetch(s.url, reader, { query: 'Action=CreateCustomModelSet', body: JSON.stringify({ modelSetName: 'x', modelType: 'Text2Text' }) });
    assertError(r, 403, 'AccessDenied');
  });
});

describe('X-Bce-Error-* on every error', () => {
  test('domain errors carry "<code>, cause: <message>"; non-ASCII becomes "?" in the header only', async () => {
    const r = await post('Action=DescribeModelSet', JSON.stringify({ modelSetName: '不存在的模型' }));
    assert.equal(r.status, 404, r.text);
    assert.equal(r.headers.get('x-bce-error-code'), r.body.code);
    const header = r.headers.get('x-bce-error-message')!;
    assert.ok(header.startsWith(`${r.body.code}, cause: `), header);
    assert.match(header, /^[\x20-\x7e]+$/);
    assert.match(r.body.message, /不存在的模型/, 'the body keeps the message whole');
  });

  test('routing errors (404 NotFound, 405 MethodNotAllowed) and a malformed HTTP request carry them too', async () => {
    const nf = await unsigned('/nothing', {});
    assert.equal(nf.headers.get('x-bce-error-code'), 'NotFound');
    const get = await fetch(`${s.url}/v2/model?Action=DescribeModel`);
    assert.equal(get.status, 405);
    assert.equal(get.headers.get('x-bce-error-code'), 'MethodNotAllowed');
    // Node's HTTP parser refuses this before any route: the answer is written on the raw socket.
    const raw = await new Promise<string>((resolve, reject) => {
      const u = new URL(s.url);
      const sock = net.connect(Number(u.port), u.hostname, () => sock.write('POST /v2/model HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n'));
      let out = '';
      sock.on('data', (d) => (out += d.toString('latin1')));
      sock.on('close', () => resolve(out));
      sock.on('error', reject);
    });
    assert.match(raw, /^HTTP\/1\.1 400 /);
    assert.match(raw, /\r\nX-Bce-Error-Code: InvalidHTTPRequest\r\n/);
    assert.match(raw, /\r\nX-Bce-Error-Message: InvalidHTTPRequest, cause: /);
  });

  test('a success has no X-Bce-Error headers', async () => {
    const r = await post('Action=DescribeCustomModelSets', '{}');
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('x-bce-error-code'), null);
    assert.equal(r.headers.get('x-bce-error-message'), null);
  });
});
