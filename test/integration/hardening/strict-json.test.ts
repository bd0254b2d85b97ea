// Strict JSON bodies (src/http/strict-json.ts): what JSON.parse lets through is refused with a 400
// that says what and where, over HTTP against the real server, and nothing is created.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { MAX_JSON_DEPTH, parseStrictJson } from '../../../src/http/strict-json.js';
import { call, signedFetch, startServer, type TestServer } from '../../helpers/harness.js';
import { assertEnvelope } from './envelope.js';

let s: TestServer;
before(async () => {
  s = await startServer();
});
after(() => s.close());

const create = (body: string | Buffer) => signedFetch(s.url, s.key, { query: 'Action=CreateCustomModelSet', body });
const sets = async (): Promise<number> => (await call(s, s.key, 'DescribeCustomModelSets', { maxKeys: 100 })).customModelSetList.length;

describe('strict JSON request bodies', () => {
  test('a duplicate key is refused, naming the key and where it is', async () => {
    assertEnvelope(await create('{"modelSetName":"a_one","modelSetName":"a_two","modelType":"Text2Text"}'), 400, 'InappropriateJSON', /duplicate key "modelSetName" in the request body/);
    // Spelled differently but the same key to a JSON reader.
    assertEnvelope(await create('{"modelSetName":"a_one","model\\u0053etName":"a_two","modelType":"Text2Text"}'), 400, 'InappropriateJSON', /duplicate key "modelSetName"/);
    const nested = await signedFetch(s.url, s.key, {
      query: 'Action=CreateCustomModel',
      body: '{"modelSetId":"am-x","sourceType":"Import","importMeta":{"bucket":"a","bucket":"b","objectPath":"p","modelFormat":"HuggingFace.Transformers","modelApplicationType":"chat"}}',
    });
    assertEnvelope(nested, 400, 'InappropriateJSON', /duplicate key "bucket" in importMeta/);
    assert.equal(await sets(), 0);
  });

  test('__proto__, constructor and prototype are refused as keys anywhere, by name', async () => {
    for (const [body, key, where] of [
      ['{"__proto__":{"polluted":1},"modelSetName":"p_set","modelType":"Text2Text"}', '__proto__', 'in the request body'],
      ['{"modelSetName":"p_set","modelType":"Text2Text","labels":[{"constructor":{"prototype":{}}}]}', 'constructor', 'in labels\\[0\\]'],
      ['{"modelSetName":"p_set","modelType":"Text2Text","x":{"prototype":1}}', 'prototype', 'in x'],
      ['{"\\u005f_proto__":1,"modelSetName":"p_set","modelType":"Text2Text"}', '__proto__', 'in the request body'],
    ] as const) {
      assertEnvelope(await create(body), 400, 'InappropriateJSON', new RegExp(`the key "${key}" is not allowed \\(${where}\\)`));
    }
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal(await sets(), 0);
  });

  test(`nesting deeper than ${MAX_JSON_DEPTH} levels is refused before it is parsed`, async () => {
    const deep = `{"modelSetName":"d_set","modelType":"Text2Text","x":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    assertEnvelope(await create(deep), 400, 'InappropriateJSON', new RegExp(`nested more than ${MAX_JSON_DEPTH} levels`));
    // Exactly the limit is fine for the parser (the schema then refuses the unknown field).
    const ok = `{"x":${'['.repeat(MAX_JSON_DEPTH - 1)}${']'.repeat(MAX_JSON_DEPTH - 1)}}`;
    assert.doesNotThrow(() => parseStrictJson(ok));
  });

  test('invalid UTF-8, a byte order mark, unpaired surrogates and NUL are refused', async () => {
    const bad = Buffer.concat([Buffer.from('{"modelSetName":"u_'), Buffer.from([0xc0, 0xaf]), Buffer.from('","modelType":"Text2Text"}')]);
    assertEnvelope(await create(bad), 400, 'InvalidHTTPRequest', /not valid UTF-8/);
    assertEnvelope(await create('\ufeff{"modelSetName":"u_bom","modelType":"Text2Text"}'), 400, 'MalformedJSON', /byte order mark/);
    assertEnvelope(await create('{"modelSetName":"u_\\ud800","modelType":"Text2Text"}'), 400, 'InappropriateJSON', /a string in modelSetName contains an unpaired UTF-16 surrogate/);
    assertEnvelope(await create('{"modelSetName":"u_\\u0000","modelType":"Text2Text"}'), 400, 'InappropriateJSON', /NUL character/);
    assert.equal(await sets(), 0);
  });

  test('well-formed unicode, escapes and paired surrogates still pass', async () => {
    const res = await create('{"modelSetName":"模型_\\u00e9","modelType":"Text2Text","labels":["a\\"b","c\\\\d","\\ud83d\\ude00"]}');
    assert.equal(res.status, 200, res.text);
    const d = await call(s, s.key, 'DescribeModelSet', { modelSetId: res.body.result.modelSetId });
    assert.equal(d.modelSetName, '模型_é');
    assert.deepEqual(d.labels, ['a"b', 'c\\d', '😀']);
  });

  test('the scanner is linear: a 1 MB body of many escaped strings is checked quickly', () => {
    const many = '{"a":[' + '"x",'.repeat(200_000) + '"\\n"]}';
    const t = performance.now();
    parseStrictJson(many);
    assert.ok(performance.now() - t < 2_000, `took ${performance.now() - t} ms`);
  });
});
