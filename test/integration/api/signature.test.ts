// BCE signature v1: every way a request can fail authentication, and the SDK's own requests passing.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sdk, sdkFails, signedFetch, startServer, type TestServer } from '../../helpers/harness.js';
import { assertError } from '../../helpers/api.js';
import { bceTimestamp, signatureFor } from '../../../src/http/auth/bce-v1.js';

let s: TestServer;
before(async () => {
  s = await startServer();
});
after(() => s.close());

const Q = 'Action=DescribeCustomModelSets';
const ok = (r: { status: number; text: string }) => assert.equal(r.status, 200, r.text);

async function withAuthorization(authorization: string | undefined) {
  const headers: Record<string, string> = { 'content-type': 'application/json', 'x-bce-date': bceTimestamp() };
  if (authorization !== undefined) headers.authorization = authorization;
  const res = await fetch(`${s.url}/v2/model?${Q}`, { method: 'POST', headers, body: '{}' });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, body: JSON.parse(text) };
}

describe('a well-signed request', () => {
  test('the SDK and our signer both pass', async () => {
    const res = await sdk(s.url, s.key, '/v2/model', 'DescribeCustomModelSets', {});
    assert.ok(res.result.pageInfo);
    ok(await signedFetch(s.url, s.key, { query: Q, body: '{}' }));
  });

  test('a short expiration window that is still open passes', async () => {
    ok(await signedFetch(s.url, s.key, { query: Q, body: '{}', expirationSeconds: 60 }));
  });

  test('a timestamp slightly in the future (clock skew) passes', async () => {
    ok(await signedFetch(s.url, s.key, { query: Q, body: '{}', date: new Date(Date.now() + 120_000) }));
  });

  test('unsigned extra headers may change freely', async () => {
    ok(await signedFetch(s.url, s.key, { query: Q, body: '{}', headers: { 'user-agent': 'a' }, afterSign: (h) => void (h['user-agent'] = 'b') }));
  });
});

describe('the Authorization header', () => {
  test('missing → 400 InvalidHTTPAuthHeader', async () => {
    assertError(await withAuthorization(undefined), 400, 'InvalidHTTPAuthHeader', /Authorization header is missing/);
    assertError(await withAuthorization('   '), 400, 'InvalidHTTPAuthHeader', /Authorization header is missing/);
  });

  test('malformed → 400 InvalidHTTPAuthHeader, saying what is malformed', async () => {
    const ts = bceTimestamp();
    const sig = 'a'.repeat(64);
    const cases: [string, RegExp][] = [
      ['Bearer abc', /expected bce-auth-v1\/\{accessKeyId\}/],
      [`bce-auth-v2/${s.key.accessKey}/${ts}/1800/host/${sig}`, /expected bce-auth-v1/],
      [`bce-auth-v1/${s.key.accessKey}/${ts}/1800/${sig}`, /expected bce-auth-v1/],
      [`bce-auth-v1//${ts}/1800/host/${sig}`, /access key id is empty/],
      [`bce-auth-v1/${s.key.accessKey}/yesterday/1800/host/${sig}`, /timestamp must look like/],
      [`bce-auth-v1/${s.key.accessKey}/${ts}/0/host/${sig}`, /expirationSeconds must be an integer/],
      [`bce-auth-v1/${s.key.accessKey}/${ts}/abc/host/${sig}`, /expirationSeconds must be an integer/],
      [`bce-auth-v1/${s.key.accessKey}/${ts}/1800/host/XYZ`, /signature must be 64 lowercase hex digits/],
      [`bce-auth-v1/${s.key.accessKey}/${ts}/1800/Host;X-Bce-Date/${sig}`, /signed header names must be lowercase/],
    ];
    for (const [auth, re] of cases) {
      const r = await withAuthorization(auth);
      assertError(r, 400, 'InvalidHTTPAuthHeader', re);
      assert.ok(!r.text.includes(sig), 'the error does not echo the signature');
    }
  });

  test('host not among the signed headers → 400 InvalidHTTPAuthHeader', async () => {
    const r = await signedFetch(s.url, s.key, { query: Q, body: '{}', unsigned: ['host'] });
    assertError(r, 400, 'InvalidHTTPAuthHeader', /host header must be among the signed headers/);
  });
});

describe('the key', () => {
  test('an unknown access key → 403 InvalidAccessKeyId, without echoing it', async () => {
    const stranger = { accessKey: 'AKunknown0000000000000', secretKey: 'x'.repeat(32) };
    const err = await sdkFails(sdk(s.url, stranger, '/v2/model', 'DescribeCustomModelSets', {}));
    assertError(err, 403, 'InvalidAccessKeyId', /not known to this registry/);
    assert.ok(!JSON.stringify(err.body).includes(stranger.accessKey));
  });

  test('the wrong secret key → 400 SignatureDoesNotMatch', async () => {
    const err = await sdkFails(sdk(s.url, { accessKey: s.key.accessKey, secretKey: 'not-the-secret-key-0000' }, '/v2/model', 'DescribeCustomModelSets', {}));
    assertError(err, 400, 'SignatureDoesNotMatch', /signature does not match/);
  });

  test('a disabled key → 403 AccessKeyDisabled; enabled again, it works', async () => {
    const key = await s.newKey(`sig-${Date.now()}`);
    await sdk(s.url, key, '/v2/model', 'DescribeCustomModelSets', {});
    await s.app.services.iam.setKeyEnabled(key.accessKey, false);
    const err = await sdkFails(sdk(s.url, key, '/v2/model', 'DescribeCustomModelSets', {}));
    assertError(err, 403, 'AccessKeyDisabled', /access key is disabled/);
    // A disabled key's state is told only to its holder: a wrong signature still reads as such.
    const forged = await sdkFails(sdk(s.url, { accessKey: key.accessKey, secretKey: 'wrong-secret-wrong-secret' }, '/v2/model', 'DescribeCustomModelSets', {}));
    assertError(forged, 400, 'SignatureDoesNotMatch');
    await s.app.services.iam.setKeyEnabled(key.accessKey, true);
    await sdk(s.url, key, '/v2/model', 'DescribeCustomModelSets', {});
  });
});

describe('time', () => {
  test('a timestamp outside its expiration window → 400 RequestExpired', async () => {
    const r = await signedFetch(s.url, s.key, { query: Q, body: '{}', date: new Date(Date.now() - 1900_000), expirationSeconds: 1800 });
    assertError(r, 400, 'RequestExpired', /signature expired: signed at .* for 1800s/);
    const short = await signedFetch(s.url, s.key, { query: Q, body: '{}', date: new Date(Date.now() - 120_000), expirationSeconds: 60 });
    assertError(short, 400, 'RequestExpired', /signature expired/);
  });

  test('a long expiration window keeps an old signature valid', async () => {
    ok(await signedFetch(s.url, s.key, { query: Q, body: '{}', date: new Date(Date.now() - 3600_000), expirationSeconds: 7200 }));
  });

  test('a timestamp too far in the future → 400 RequestExpired', async () => {
    const r = await signedFetch(s.url, s.key, { query: Q, body: '{}', date: new Date(Date.now() + 3600_000) });
    assertError(r, 400, 'RequestExpired', /more than 900s in the future; check the client's clock/);
  });
});

describe('tampering after signing', () => {
  test('a changed x-bce-date → SignatureDoesNotMatch', async () => {
    const r = await signedFetch(s.url, s.key, { query: Q, body: '{}', afterSign: (h) => void (h['x-bce-date'] = bceTimestamp(new Date(Date.now() - 60_000))) });
    assertError(r, 400, 'SignatureDoesNotMatch');
  });

  test('a changed content-type → SignatureDoesNotMatch', async () => {
    const r = await signedFetch(s.url, s.key, { query: Q, body: '{}', afterSign: (h) => void (h['content-type'] = 'application/json; charset=utf-8') });
    assertError(r, 400, 'SignatureDoesNotMatch');
  });

  test('a removed signed header → SignatureDoesNotMatch naming it', async () => {
    const r = await signedFetch(s.url, s.key, { query: Q, body: '{}', headers: { 'x-bce-request-id': 'abc' }, afterSign: (h) => void delete h['x-bce-request-id'] });
    assertError(r, 400, 'SignatureDoesNotMatch', /signed header "x-bce-request-id" is missing/);
  });

  test('a swapped Action → SignatureDoesNotMatch, nothing is done', async () => {
    const r = await signedFetch(s.url, s.key, {
      query: 'Action=DescribeModelSet',
      sendQuery: 'Action=DeleteModelSet',
      body: '{"modelSetId":"am-000000000000"}',
    });
    assertError(r, 400, 'SignatureDoesNotMatch');
  });

  test('an added query parameter → SignatureDoesNotMatch', async () => {
    const r = await signedFetch(s.url, s.key, { query: Q, sendQuery: `${Q}&x=1`, body: '{}' });
    assertError(r, 400, 'SignatureDoesNotMatch');
  });

  test('a changed path → SignatureDoesNotMatch', async () => {
    // Signed for /v2/finetuning, sent to /v2/model.
    const r = await signedFetch(s.url, s.key, {
      query: Q,
      body: '{}',
      afterSign: (h) => {
        const parts = h.authorization!.split('/');
        const u = new URL(s.url);
        parts[5] = signatureFor({
          secretKey: s.key.secretKey,
          authStringPrefix: parts.slice(0, 4).join('/'),
          method: 'POST',
          path: '/v2/finetuning',
          rawQuery: Q,
          headers: { ...h, host: u.host },
          signedHeaders: parts[4]!.split(';'),
        });
        h.authorization = parts.join('/');
      },
    });
    assertError(r, 400, 'SignatureDoesNotMatch');
  });

  test('a signed body digest that does not match the body → SignatureDoesNotMatch', async () => {
    const r = await signedFetch(s.url, s.key, {
      query: Q,
      body: '{}',
      headers: { 'x-bce-content-sha256': 'a'.repeat(64) },
    });
    assertError(r, 400, 'SignatureDoesNotMatch', /x-bce-content-sha256/);
  });
});
