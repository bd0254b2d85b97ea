// The wire format: routes, methods, Action, bodies and content types. Every rejection must be
// an envelope {requestId, code, message} with a message that says what to fix.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sdk, sdkFails, signedFetch, startServer, type TestServer } from '../../helpers/harness.js';
import { assertError, createSet, UUID } from '../../helpers/api.js';

let s: TestServer;
before(async () => {
  s = await startServer();
});
after(() => s.close());

const post = (query: string, body: string, extra: Parameters<typeof signedFetch>[2] = {}) => signedFetch(s.url, s.key, { query, body, ...extra });

async function plain(method: string, path: string, body?: string) {
  const res = await fetch(s.url + path, { method, body });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, body: text ? JSON.parse(text) : undefined };
}

describe('routes and methods', () => {
  test('GET /healthz answers ok without a signature', async () => {
    const r = await plain('GET', '/healthz');
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, { status: 'ok' });
  });

  test('GET /v2/model is 405 in the envelope, with Allow: POST', async () => {
    const r = await plain('GET', '/v2/model?Action=DescribeModel');
    assertError(r, 405, 'MethodNotAllowed', /GET is not allowed on \/v2\/model.*POST \/v2\/model\?Action=/);
    assert.equal(r.headers.get('allow'), 'POST');
    assert.match(r.headers.get('content-type') ?? '', /^application\/json/);
  });

  for (const method of ['PUT', 'DELETE', 'PATCH']) {
    test(`${method} /v2/model is 405`, async () => {
      const r = await signedFetch(s.url, s.key, { method, query: 'Action=DescribeCustomModelSets', body: '{}' });
      assertError(r, 405, 'MethodNotAllowed', new RegExp(`${method} is not allowed`));
    });
  }

  test('an unknown route is 404 in the envelope and lists the API routes', async () => {
    for (const path of ['/v2/nothing?Action=DescribeModel', '/', '/v2/model/']) {
      const r = await plain('POST', path, '{}');
      assertError(r, 404, 'NotFound', /no API at POST .*the API routes are POST \/v2\/model/);
    }
    // Another version of a known route: BCE's InvalidVersion (404).
    assertError(await plain('POST', '/v3/model?Action=DescribeModel', '{}'), 404, 'InvalidVersion', /API version v3 is not served; use \/v2\/model/);
    assertError(await plain('POST', '/v1/finetuning', '{}'), 404, 'InvalidVersion', /use \/v2\/finetuning/);
    const r = await plain('GET', '/nothing');
    assertError(r, 404, 'NotFound', /no API at GET \/nothing/);
  });

  test('an unknown route through the SDK is 404 too', async () => {
    const err = await sdkFails(sdk(s.url, s.key, '/v2/nothing', 'DescribeModel', { modelId: 'amv-x' }));
    assertError(err, 404, 'NotFound', /no API at POST \/v2\/nothing/);
  });
});

describe('the Action parameter', () => {
  test('an unknown Action is InvalidAction and names the known ones', async () => {
    const err = await sdkFails(sdk(s.url, s.key, '/v2/model', 'DescribeServices', { modelId: 'x' }));
    assertError(err, 400, 'InvalidAction', /unknown Action "DescribeServices" on \/v2\/model; known actions: .*CreateCustomModel\b.*DescribeModel\b/);
  });

  test('a missing Action is MissingParameter', async () => {
    assertError(await post('', '{}'), 400, 'MissingParameter', /query parameter Action is required/);
    assertError(await post('Action=', '{}'), 400, 'MissingParameter', /query parameter Action is required/);
    assertError(await post('Other=1', '{}'), 400, 'MissingParameter', /query parameter Action is required/);
  });

  test('Action given twice is refused', async () => {
    assertError(await post('Action=DescribeModel&Action=DeleteModel', '{"modelId":"amv-x"}'), 400, 'InvalidParameter', /Action must be given once/);
  });

  test('Action names are case-sensitive', async () => {
    assertError(await post('Action=describemodel', '{"modelId":"amv-x"}'), 400, 'InvalidAction', /unknown Action "describemodel"/);
  });
});

describe('bodies', () => {
  test('an empty body says so and lists the required fields', async () => {
    // What the SDK sends when a caller passes `body:` instead of `data:` (two seed examples do).
    const err = await sdkFails(sdk(s.url, s.key, '/v2/model', 'CreateCustomModel', { modelSetId: 'am-x', sourceType: 'Train' }, true));
    assertError(err, 400, 'MissingParameter', /request body is empty; CreateCustomModel needs a JSON object with modelSetId, sourceType.*"data", not "body"/);
    assertError(await post('Action=DescribeModel', ''), 400, 'MissingParameter', /request body is empty; DescribeModel needs a JSON object with modelId/);
    assertError(await post('Action=DescribeModel', '  \n '), 400, 'MissingParameter', /request body is empty/);
  });

  test('an empty body for an action without required fields means "no parameters"', async () => {
    // The SDK sends nothing when called without data; DescribeCustomModelSets then lists page 1.
    const res = await post('Action=DescribeCustomModelSets', '');
    assert.equal(res.status, 200, res.text);
    assert.ok(Array.isArray(res.body.result.customModelSetList));
    const viaSdk = await sdk(s.url, s.key, '/v2/model', 'DescribeCustomModelSets');
    assert.equal(viaSdk.result.pageInfo.maxKeys, 10);
  });

  test('a body that is not JSON is MalformedJSON (BCE common errors)', async () => {
    for (const body of ['{bad', '{"modelId": "amv-x"', 'modelId=amv-x', '\u0000']) {
      assertError(await post('Action=DescribeModel', body), 400, 'MalformedJSON', /request body is not valid JSON/);
    }
  });

  test('a body that is not an object is InappropriateJSON and says what it was', async () => {
    const cases: [string, RegExp][] = [
      ['[]', /must be a JSON object, not an array/],
      ['[{"modelId":"amv-x"}]', /must be a JSON object, not an array/],
      ['null', /must be a JSON object, not null/],
      ['"amv-x"', /must be a JSON object, not string/],
      ['42', /must be a JSON object, not number/],
      ['true', /must be a JSON object, not boolean/],
    ];
    for (const [body, re] of cases) assertError(await post('Action=DescribeModel', body), 400, 'InappropriateJSON', re);
  });

  // BCE's common error table: unrecognised items must be ignored, never refused (issue 13).
  test('unknown fields are ignored at any depth and named in X-Modelreg-Ignored-Fields', async () => {
    const set = await createSet(s, s.key);
    const r = await post('Action=DescribeModelSet', JSON.stringify({ modelSetId: set.modelSetId, modelID: 'amv-x', 'a,b%c': 1, 'é': 2 }));
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.result.modelSetId, set.modelSetId);
    assert.equal(r.headers.get('x-modelreg-ignored-fields'), 'modelID,a%2Cb%25c,%C3%A9');
    // An answer without ignored fields has no such header.
    const clean = await post('Action=DescribeModelSet', JSON.stringify({ modelSetId: set.modelSetId }));
    assert.equal(clean.headers.get('x-modelreg-ignored-fields'), null);
    // Nested: the unknown member goes, the known ones are still checked (and the request then fails on them).
    const nested = await post(
      'Action=CreateCustomModel',
      JSON.stringify({ modelSetId: set.modelSetId, sourceType: 'Import', importMeta: { bucket: 'nobucket', objectPath: 'p', modelFormat: 'Safetensors', modelApplicationType: 'Text-to-Image', bukket: 'b' } }),
    );
    assert.equal(nested.headers.get('x-modelreg-ignored-fields'), 'importMeta.bukket');
    assert.notEqual(nested.body.code, 'InvalidParameter', nested.text);
    // The SDK's own calls with extra fields succeed.
    const viaSdk = await sdk(s.url, s.key, '/v2/model', 'DescribeModelSet', { modelSetId: set.modelSetId, pageNo: 1 });
    assert.equal(viaSdk.result.modelSetId, set.modelSetId);
  });

  test('a known field with a wrong type or value is still refused, with unknown ones beside it', async () => {
    const set = await createSet(s, s.key);
    let err = await sdkFails(sdk(s.url, s.key, '/v2/model', 'DescribeModelSet', { modelSetId: 42, extra: true }));
    assertError(err, 400, 'InvalidParameter', /^modelSetId must be a string$/);
    err = await sdkFails(sdk(s.url, s.key, '/v2/model', 'CreateCustomModel', { modelSetId: set.modelSetId, sourceType: 'Elsewhere', trainMeta: { taskId: 't', epoch: 1 } }));
    assertError(err, 400, 'InvalidParameter', /^sourceType must be one of/);
  });

  test('mistyped fields are refused and each error names the field', async () => {
    const set = await createSet(s, s.key);
    const base = { bucket: 'b', objectPath: 'p', modelFormat: 'HuggingFace.Transformers', modelApplicationType: 'chat', transformerVersion: '4.36.2' };
    const cases: [string, Record<string, unknown>, RegExp][] = [
      ['DescribeModel', { modelId: 5 }, /^modelId must be a string$/],
      ['DescribeModel', { modelId: null }, /^modelId must be a string$/],
      ['DescribeModel', { modelId: ['amv-x'] }, /^modelId must be a string$/],
      ['DescribeCustomModelSets', { maxKeys: '10' }, /^maxKeys must be an integer$/],
      ['DescribeCustomModelSets', { maxKeys: 1.5 }, /^maxKeys must be an integer$/],
      ['DescribeCustomModelSets', { pageReverse: 'true' }, /^pageReverse must be a boolean$/],
      ['CreateCustomModelSet', { modelSetName: 'abc', modelType: 'Text2Text', labels: 'x' }, /^labels must be an array$/],
      ['CreateCustomModelSet', { modelSetName: 'abc', modelType: 'Text2Text', labels: [1] }, /^labels\[0\] must be a string$/],
      ['CreateCustomModel', { modelSetId: set.modelSetId, sourceType: 'Import', importMeta: 'bos://b/p' }, /^importMeta must be an object$/],
      ['CreateCustomModel', { modelSetId: set.modelSetId, sourceType: 'Import', importMeta: { ...base, bucket: 7 } }, /^importMeta\.bucket must be a string$/],
      ['CreateCustomModel', { modelSetId: set.modelSetId, sourceType: 'Import', importMeta: { ...base, enablePromptAutoConcat: 'yes' } }, /^importMeta\.enablePromptAutoConcat must be a boolean$/],
      [
        'CreateCustomModel',
        { modelSetId: set.modelSetId, sourceType: 'Import', importMeta: { ...base, modelFormat: 'HuggingFace.vLLM', transformerVersion: undefined, vLLMVersion: '0.6.3', advancedSettings: { samplingStrategy: 'multinomialSampling', numSampling: '2' } } },
        /^importMeta\.advancedSettings\.numSampling must be an integer$/,
      ],
      ['CreateCustomModel', { modelSetId: set.modelSetId, sourceType: 'Train', trainMeta: { taskId: 't', step: '50' } }, /^trainMeta\.step must be an integer$/],
      ['CreateCustomModel', { modelSetId: set.modelSetId, sourceType: 'Train', trainMeta: { taskId: 42 } }, /^trainMeta\.taskId must be a string$/],
    ];
    for (const [action, data, re] of cases) {
      const err = await sdkFails(sdk(s.url, s.key, '/v2/model', action, data));
      assertError(err, 400, 'InvalidParameter', re);
    }
  });

  test('a missing required field is named', async () => {
    const err = await sdkFails(sdk(s.url, s.key, '/v2/model', 'DescribeModel', {}));
    assertError(err, 400, 'MissingParameter', /^modelId is required$/);
  });

  test('a body over the size limit is 413 in the envelope', async () => {
    const r = await post('Action=DescribeCustomModelSets', JSON.stringify({ marker: 'x'.repeat(1_100_000) }));
    assertError(r, 413, 'RequestEntityTooLarge', /larger than the limit of 1048576 bytes/);
  });
});

describe('content types', () => {
  test('a non-JSON content type is 415', async () => {
    for (const ct of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml']) {
      const r = await post('Action=DescribeModel', '{"modelId":"amv-x"}', { headers: { 'content-type': ct } });
      assertError(r, 415, 'UnsupportedMediaType', /Content-Type must be application\/json/);
    }
  });

  test('application/json with parameters, and +json types, are accepted', async () => {
    for (const ct of ['application/json; charset=utf-8', 'application/JSON', 'application/vnd.api+json']) {
      const r = await post('Action=DescribeCustomModelSets', '{}', { headers: { 'content-type': ct } });
      assert.equal(r.status, 200, `${ct}: ${r.text}`);
    }
  });
});

describe('envelopes', () => {
  test('success is {requestId, result} as JSON, each requestId new', async () => {
    const a = await post('Action=DescribeCustomModelSets', '{}');
    const b = await post('Action=DescribeCustomModelSets', '{}');
    assert.equal(a.status, 200);
    assert.deepEqual(Object.keys(a.body).sort(), ['requestId', 'result']);
    assert.match(a.body.requestId, UUID);
    assert.notEqual(a.body.requestId, b.body.requestId);
    assert.match(a.headers.get('content-type') ?? '', /^application\/json/);
  });

  test('the SDK returns the parsed result', async () => {
    const res = await sdk(s.url, s.key, '/v2/model', 'DescribeCustomModelSets', {});
    assert.match(res.requestId, UUID);
    assert.ok(Array.isArray(res.result.customModelSetList));
  });
});
