import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  checkRange,
  directoryPrefix,
  joinObjectKey,
  normalizeObjectPath,
  validateBucketName,
  validateObjectKey,
} from '../../../src/objects/object-path.js';
import { ObjectStoreError } from '../../../src/objects/object-store-error.js';
import { asApiError } from '../../../src/domain/errors/from-object-store.js';

const throwsInvalid = (fn: () => unknown, message: RegExp) =>
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ObjectStoreError, `expected an ObjectStoreError, got ${String(e)}`);
    assert.equal(e.kind, 'InvalidName');
    const err = asApiError(e)!;
    assert.equal(err.code, 'InvalidParameter');
    assert.equal(err.status, 400);
    assert.match(err.message, message);
    return true;
  });

describe('normalizeObjectPath', () => {
  it('keeps ordinary relative paths, including unicode names', () => {
    for (const p of ['models', 'models/llama-7b', 'a/b.c/d_e f', '模型/权重', 'é/ü', '😀/x', '...', '.hidden/.x', 'a..b/c..']) {
      assert.equal(normalizeObjectPath(p), p);
    }
  });

  it('collapses duplicate and trailing slashes', () => {
    assert.equal(normalizeObjectPath('a//b///c/'), 'a/b/c');
    assert.equal(normalizeObjectPath('models/'), 'models');
  });

  it('rejects traversal', () => {
    for (const p of ['..', '../x', 'a/..', 'a/../b', 'a/b/../../..', 'a//..//b']) {
      throwsInvalid(() => normalizeObjectPath(p), /^importMeta\.objectPath must not contain "\.\." path segments/);
    }
    throwsInvalid(() => normalizeObjectPath('./a'), /"\." path segments/);
    throwsInvalid(() => normalizeObjectPath('a/./b'), /"\." path segments/);
  });

  it('rejects absolute paths', () => {
    throwsInvalid(() => normalizeObjectPath('/x'), /relative to the bucket root; remove the leading "\/"/);
    throwsInvalid(() => normalizeObjectPath('//x'), /leading "\/"/);
    throwsInvalid(() => normalizeObjectPath('C:/x'), /not a drive path/);
    throwsInvalid(() => normalizeObjectPath('c:x'), /not a drive path/);
    throwsInvalid(() => normalizeObjectPath('C:\\x'), /"\\"/);
    throwsInvalid(() => normalizeObjectPath('\\\\server\\share'), /"\\"/);
  });

  it('rejects backslashes anywhere', () => {
    throwsInvalid(() => normalizeObjectPath('a\\b'), /must use "\/" to separate directories/);
    throwsInvalid(() => normalizeObjectPath('a/..\\b'), /"\\"/);
  });

  it('rejects empty, whitespace-only and control characters', () => {
    for (const p of ['', ' ', '\t', '  \n ']) throwsInvalid(() => normalizeObjectPath(p), /must not be empty/);
    for (const p of ['a\0b', 'a\nb', 'a\rb', 'x\u0007', 'a\u007fb', 'a\u0085b']) {
      throwsInvalid(() => normalizeObjectPath(p), /control characters/);
    }
    throwsInvalid(() => normalizeObjectPath('a\ud800b'), /valid Unicode/);
  });

  it('limits the length to 1024 UTF-8 bytes', () => {
    assert.equal(normalizeObjectPath('a'.repeat(1024)).length, 1024);
    throwsInvalid(() => normalizeObjectPath('a'.repeat(1025)), /1025 bytes .* maximum is 1024/);
    throwsInvalid(() => normalizeObjectPath('模'.repeat(342)), /1026 bytes/); // 3 bytes each
    assert.equal(normalizeObjectPath(`${'a'.repeat(1024)}//`).length, 1024); // measured after normalizing
  });

  it('names the field and quotes the input safely', () => {
    throwsInvalid(() => normalizeObjectPath('/x', 'prefix'), /^prefix must/);
    throwsInvalid(() => normalizeObjectPath('a\0b'), /"a\\u0000b"/);
  });
});

describe('validateObjectKey / directoryPrefix / joinObjectKey', () => {
  it('requires canonical keys', () => {
    assert.equal(validateObjectKey('a/b'), 'a/b');
    throwsInvalid(() => validateObjectKey('a//b'), /^object key .*did you mean "a\/b"/);
    throwsInvalid(() => validateObjectKey('a/'), /trailing/);
  });

  it('turns prefixes into directory prefixes', () => {
    assert.equal(directoryPrefix(''), '');
    assert.equal(directoryPrefix('a/b'), 'a/b/');
    assert.equal(directoryPrefix('a/b//'), 'a/b/');
    throwsInvalid(() => directoryPrefix('../a'), /^prefix/);
  });

  it('joins keys that can never leave their directory', () => {
    assert.equal(joinObjectKey('models/m1', 'config.json'), 'models/m1/config.json');
    assert.equal(joinObjectKey('models/m1', 'sub//w.bin'), 'models/m1/sub/w.bin');
    assert.equal(joinObjectKey('', 'x'), 'x');
    for (const rel of ['../m2/x', '..', '/etc/passwd', 'a/../../b', 'a\\..\\b', '']) {
      throwsInvalid(() => joinObjectKey('models/m1', rel), /object key/);
    }
    throwsInvalid(() => joinObjectKey('models/../m1', 'x'), /object key/);
    throwsInvalid(() => joinObjectKey('a'.repeat(1020), 'bbbbb'), /maximum is 1024/);
  });
});

describe('validateBucketName', () => {
  it('accepts S3/BOS-style names', () => {
    for (const n of ['abc', 'my-models', 'models.v2', '0models9', 'a'.repeat(63)]) assert.equal(validateBucketName(n), n);
  });

  it('rejects everything else, naming importMeta.bucket', () => {
    const bad = ['ab', 'a'.repeat(64), 'My-Models', 'under_score', '-abc', 'abc-', '.abc', 'abc.', 'a..b', '../etc', 'a/b', 'a b', '192.168.1.1', 'ab\0'];
    for (const n of bad) throwsInvalid(() => validateBucketName(n), /^importMeta\.bucket /);
    throwsInvalid(() => validateBucketName(''), /must not be empty/);
    throwsInvalid(() => validateBucketName('Bad_Name'), /lowercase letters, digits/);
  });
});

describe('checkRange', () => {
  it('clamps the end to the object and rejects impossible ranges', () => {
    assert.deepEqual(checkRange({ start: 0, end: 99 }, 'k', 10), { start: 0, end: 9 });
    assert.deepEqual(checkRange({ start: 3, end: 4 }, 'k'), { start: 3, end: 4 });
    throwsInvalid(() => checkRange({ start: 10, end: 10 }, 'k', 10), /beyond the end of "k" \(10 bytes\)/);
    throwsInvalid(() => checkRange({ start: 0, end: 0 }, 'k', 0), /beyond the end/);
    throwsInvalid(() => checkRange({ start: 2, end: 1 }, 'k'), /0 <= start <= end/);
    throwsInvalid(() => checkRange({ start: Number.NaN, end: 1 }, 'k'), /whole byte offsets/);
  });
});
