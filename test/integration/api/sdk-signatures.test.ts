// Issue 13, item 1: every official SDK authenticates on a port other than 80/443. The Go and
// Java SDKs sign the host without its port while sending it with the port; the Python SDK signs
// request-source and content-type beside host; the Node SDK (run for real) signs the host with
// its port. Each is accepted; each tampered variant is refused (only the port may be left out of
// the signed host, nothing else is loosened). Replicas cite their SDK source in
// test/helpers/sdk-signers.ts.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sdk, sdkFails, startServer, type TestServer } from '../../helpers/harness.js';
import { assertError } from '../../helpers/api.js';
import { SDK_REQUESTS, sendWire, type SdkName, type WireRequest } from '../../helpers/sdk-signers.js';

let s: TestServer;
before(async () => {
  s = await startServer();
});
after(() => s.close());

const SIGNATURE_HINT = 'SignatureDoesNotMatch, cause: Fail to authn user: Signature does not match';
const SDKS: SdkName[] = ['python', 'go', 'java'];

const build = (name: SdkName, opts: Parameters<(typeof SDK_REQUESTS)['go']>[5] = {}, key = s.key): WireRequest =>
  SDK_REQUESTS[name](s.url, key, '/v2/model', 'DescribeCustomModelSets', { maxKeys: 5 }, opts);

function refused(r: Awaited<ReturnType<typeof sendWire>>): void {
  assertError(r, 400, 'SignatureDoesNotMatch');
  assert.equal(r.headers.get('x-bce-error-message'), SIGNATURE_HINT);
}

test('the server listens on a non-default port', () => {
  const port = Number(new URL(s.url).port);
  assert.ok(port !== 80 && port !== 443 && port > 0, `port ${port}`);
});

describe('accepted on a non-default port', () => {
  test('the Node SDK (@baiducloud/qianfan, run for real) signs host:port', async () => {
    const res = await sdk(s.url, s.key, '/v2/model', 'DescribeCustomModelSets', { maxKeys: 5 });
    assert.ok(Array.isArray(res.result.customModelSetList));
  });

  for (const name of SDKS) {
    test(`the ${name} SDK's request`, async () => {
      const req = build(name);
      // What differs between them is what they sign: the wire Host always carries the port.
      assert.equal(req.headers.Host, new URL(s.url).host);
      const r = await sendWire(s.url, req);
      assert.equal(r.status, 200, r.text);
      assert.ok(Array.isArray(r.body.result.customModelSetList));
    });
  }

  test('the signed header lists are the SDKs own', () => {
    const signed = (name: SdkName) => build(name).headers.Authorization!.split('/')[4];
    assert.equal(signed('python'), 'host;request-source;content-type;x-bce-date');
    assert.equal(signed('go'), 'content-type;host;request-source;x-bce-date');
    assert.equal(signed('java'), 'host;x-bce-date');
  });
});

describe('tampered variants are refused', () => {
  for (const name of SDKS) {
    test(`${name}: another host, another port, a changed Action, date or signed header, the wrong secret`, async () => {
      const port = Number(new URL(s.url).port);
      // Signed for another host (with or without a port).
      refused(await sendWire(s.url, build(name, { signedHost: 'evil.example' })));
      refused(await sendWire(s.url, build(name, { signedHost: `evil.example:${port}` })));
      // The host with ANOTHER port: only leaving the port out is tolerated, not changing it.
      refused(await sendWire(s.url, build(name, { signedHost: `127.0.0.1:${port + 1}` })));
      // Another Action than the signed one (a read turned into a delete).
      const swapped = build(name);
      refused(await sendWire(s.url, { ...swapped, query: 'Action=DeleteModelSet' }));
      // The date header changed after signing.
      const redated = build(name);
      const dateKey = Object.keys(redated.headers).find((k) => k.toLowerCase() === 'x-bce-date')!;
      redated.headers[dateKey] = new Date(Date.now() - 60_000).toISOString().replace(/\.\d+Z$/, 'Z');
      refused(await sendWire(s.url, redated));
      // The wrong secret key.
      refused(await sendWire(s.url, build(name, {}, { ...s.key, secretKey: 'not-the-secret-key-0000000000' })));
    });
  }

  test('python: a changed request-source (a signed header) is refused', async () => {
    const req = build('python');
    req.headers['request-source'] = 'qianfan_py_sdk_v9.9.9';
    refused(await sendWire(s.url, req));
  });

  test('go: a changed content-type (a signed header) is refused', async () => {
    const req = build('go');
    req.headers['Content-Type'] = 'application/json; charset=latin1';
    refused(await sendWire(s.url, req));
  });

  test('java: a signature over the host without port does not cover another host header', async () => {
    const req = build('java');
    req.headers.Host = `other.example:${new URL(s.url).port}`;
    refused(await sendWire(s.url, req));
  });

  test('Node SDK with the wrong secret key is refused with the hint message', async () => {
    const err = await sdkFails(sdk(s.url, { ...s.key, secretKey: 'wrong-secret-key-00000000000000' }, '/v2/model', 'DescribeCustomModelSets', {}));
    assertError(err, 400, 'SignatureDoesNotMatch', /signature does not match/);
  });
});
