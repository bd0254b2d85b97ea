// The JSON scanner shared by request bodies (src/http/strict-json.ts) and model files
// (src/domain/import/safetensors.ts): what each caller switches on is found, where it is, and only then.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { findDuplicateKey, formatJsonPath, scanJson } from '../../../src/domain/json/json-scan.js';

const body = { maxDepth: 32, forbiddenKeys: new Set(['__proto__']), checkStrings: true };

describe('scanJson', () => {
  test('a duplicate key is found with the path of the object holding it', () => {
    assert.deepEqual(scanJson('{"a":[1,{"b":{"x":1,"x":2}}]}'), { kind: 'duplicate-key', key: 'x', path: ['a', 1, 'b'] });
    assert.deepEqual(scanJson('{"x":1,"\\u0078":2}'), { kind: 'duplicate-key', key: 'x', path: [] });
    assert.equal(scanJson('{"a":"a","b":["a","a"],"c":{"a":1}}'), null);
  });

  test('forbidden keys, lone surrogates and NUL are problems only when asked for', () => {
    const text = '{"l":["ok","\\ud800"],"__proto__":1,"s":"\\u0000"}';
    assert.equal(scanJson(text), null);
    assert.deepEqual(scanJson(text, body), { kind: 'lone-surrogate', path: ['l', 1] });
    assert.deepEqual(scanJson('{"o":{"__proto__":1}}', body), { kind: 'forbidden-key', key: '__proto__', path: ['o'] });
    assert.deepEqual(scanJson('{"o":{"k\\u0000":1}}', body), { kind: 'nul', path: ['o', 'k\u0000'] });
  });

  test('nesting past the limit wins over a problem found earlier in the text; no limit, no depth problem', () => {
    const deep = `{"a":1,"a":2,"x":${'['.repeat(40)}${']'.repeat(40)}}`;
    assert.deepEqual(scanJson(deep, body), { kind: 'depth', maxDepth: 32 });
    assert.equal(scanJson(deep)?.kind, 'duplicate-key');
    assert.equal(scanJson(`${'['.repeat(32)}${']'.repeat(32)}`, body), null);
  });

  test('paths read as field references; file readers name the nearest key', () => {
    assert.equal(formatJsonPath(['importMeta', 'chatConf']), 'importMeta.chatConf');
    assert.equal(formatJsonPath([2, 'labels', 0]), '[2].labels[0]');
    assert.equal(formatJsonPath([]), '');
    assert.deepEqual(findDuplicateKey('{"c":[{"x":1},{"x":2,"x":3}]}'), { key: 'x', parent: 'c' });
  });
});
