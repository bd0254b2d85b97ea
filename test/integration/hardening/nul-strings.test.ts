// The NUL character in what a tenant supplies outside a JSON body (strict JSON refuses \u0000 there,
// SECURITY.md): a template's file name in a multipart upload, and strings inside the model files an
// import reads. PostgreSQL cannot store NUL in text, so each must end in a clear answer or a Fail
// with a reason, never a 500 or an import retried until it gives up.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { call, signedFetch, startServer, type TestServer } from '../../helpers/harness.js';
import { accountOf, readToken } from '../hub/hub-helpers.js';
import { createSet, transformersImport, vllmImport } from '../../helpers/api.js';
import { writeTinyCausalLM } from '../../fixtures/model-builder.js';
import { bucketPath, FAST, importAndSettle, uploadCustomConf } from '../pipeline/pipeline-helpers.js';

const BUCKET = 'nul-models';

describe('NUL characters in tenant-supplied strings', () => {
  let server: TestServer;
  let setId: string;

  before(async () => {
    server = await startServer({ ...FAST });
    setId = (await createSet(server, server.key)).modelSetId;
  });
  after(() => server?.close());

  test('a template uploaded under a file name with NUL is stored (the name cleaned) or refused, never a 500', async () => {
    const boundary = 'nulboundary';
    const body = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="customSpecFile"; filename="chat\u0000template.jinja"\r\nContent-Type: text/plain\r\n\r\n{{ messages }}\r\n--${boundary}--\r\n`,
      'utf8',
    );
    const r = await signedFetch(server.url, server.key, { query: 'Action=CreateModelCustomConf', body, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } });
    assert.ok(r.status === 200 || r.status === 400, `${r.status} ${r.text}`);
    if (r.status === 200) assert.doesNotMatch(JSON.stringify(r.body), /\\u0000/);
  });

  test('a template whose text holds NUL is refused with a clear 400, never a 500', async () => {
    const r = await uploadCustomConf(server.url, server.key, 'Hello\u0000{{ messages }}');
    assert.equal(r.status, 400, `${r.status} ${r.text}`);
    assert.equal(r.body?.code, 'InvalidParameter');
    assert.match(r.body?.message ?? '', /customSpecFile.*NUL/);
  });

  test('an architecture name with NUL in config.json ends the import in Fail at once, with a reason', async () => {
    await writeTinyCausalLM(bucketPath(server, BUCKET, 'arch'), { architecture: 'Evil\u0000ForCausalLM' });
    const d = await importAndSettle(server, server.key, vllmImport(setId, { bucket: BUCKET, objectPath: 'arch' }), 20_000);
    assert.equal(d.status, 'Fail', JSON.stringify(d));
    assert.match(d.failureReason, /architecture/i);
    assert.doesNotMatch(d.failureReason, /interrupted|gave up|attempts/);
  });

  test('a transformers_version with NUL in config.json does not stall the import', async () => {
    await writeTinyCausalLM(bucketPath(server, BUCKET, 'tv'), { transformersVersion: '4.36\u00002' });
    const d = await importAndSettle(server, server.key, transformersImport(setId, { bucket: BUCKET, objectPath: 'tv' }), 20_000);
    assert.ok(d.status === 'Ready' || d.status === 'Fail', JSON.stringify(d));
    assert.doesNotMatch(d.failureReason ?? '', /interrupted|gave up|attempts/);
  });

  test('Hub repo names and revisions with an encoded NUL are not found, never a 500', async () => {
    const account = await accountOf(server, server.key);
    const { token } = await readToken(server, account);
    const set = (await call(server, server.key, 'DescribeModelSet', { modelSetId: setId })).modelSetName as string;
    const cases: Array<[string, string]> = [
      [`/api/models/${account}/${set}%00`, 'RepoNotFound'],
      [`/api/models/${account}%00/${set}`, 'RepoNotFound'],
      [`/api/models/${account}/${set}/revision/main%00`, 'RevisionNotFound'],
      [`/api/models/${account}/${set}/tree/V1%00`, 'RevisionNotFound'],
      [`/${account}/${set}/resolve/prod%00/config.json`, 'RevisionNotFound'],
      [`/${account}/${set}/resolve/amv-x%00/config.json`, 'RevisionNotFound'],
    ];
    for (const [path, code] of cases) {
      const r = await fetch(server.url + path, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(r.status, 404, `${path}: ${r.status} ${await r.text()}`);
      assert.equal(r.headers.get('x-error-code'), code, path);
    }
  });
});
