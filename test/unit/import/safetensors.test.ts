// The streaming safetensors reader on in-memory streams: each rule of the reference (1–6) ends in its
// own precise reason, and the sha256 equals node's over the same bytes.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { findDuplicateKey } from '../../../src/domain/import/json-duplicate-keys.js';
import { ModelValidationError } from '../../../src/domain/import/model-validation-error.js';
import { inspectSafetensors, MAX_HEADER_SIZE } from '../../../src/domain/import/safetensors.js';
import { encodeSafetensors, headerFor, llamaTensors, safetensorsBytes, TINY_PARAMETER_COUNT, type TensorSpec } from '../../fixtures/model-builder.js';

const NAME = 'model-00002-of-00003.safetensors';

/** A stream delivering `buf` in chunks of `chunk` bytes (default: one chunk). */
function streamOf(buf: Buffer, chunk = buf.length || 1): Readable {
  const parts: Buffer[] = [];
  for (let i = 0; i < buf.length; i += chunk) parts.push(buf.subarray(i, i + chunk));
  return Readable.from(parts, { objectMode: false });
}

const inspect = (buf: Buffer, size = buf.length, chunk?: number) => inspectSafetensors(streamOf(buf, chunk), size, NAME);

async function rejects(p: Promise<unknown>, pattern: RegExp): Promise<ModelValidationError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof ModelValidationError, `expected ModelValidationError, got ${String(err)}`);
    assert.match(err.message, pattern);
    return err;
  }
  assert.fail(`expected rejection matching ${pattern}`);
}

/** Raw file from a header object and a data section of `dataBytes` bytes. */
const raw = (header: unknown, dataBytes: number, pad = true) => safetensorsBytes(JSON.stringify(header), Buffer.alloc(dataBytes, 7), pad);

describe('safetensors: valid files', () => {
  it('parses the tiny Llama: tensors sorted by offset, parameter count, dtypes, sha256', async () => {
    const buf = encodeSafetensors(llamaTensors('BF16'));
    const info = await inspect(buf);
    assert.equal(info.sha256, createHash('sha256').update(buf).digest('hex'));
    assert.equal(info.size, buf.length);
    assert.equal(info.parameterCount, TINY_PARAMETER_COUNT);
    assert.equal(TINY_PARAMETER_COUNT, 7248);
    assert.deepEqual(info.dtypes, { BF16: 7248 });
    assert.deepEqual(info.metadata, { format: 'pt' });
    assert.equal(info.headerSize % 8, 0, 'writer pads the header to 8 bytes');
    assert.equal(info.tensors[0]?.name, 'model.embed_tokens.weight');
    assert.deepEqual(info.tensors[0], { name: 'model.embed_tokens.weight', dtype: 'BF16', shape: [64, 16], begin: 0, end: 2048 });
    for (let i = 1; i < info.tensors.length; i++) assert.equal(info.tensors[i]?.begin, info.tensors[i - 1]?.end);
    assert.equal(info.dataBytes, 7248 * 2);
  });

  it('gives the same result whatever the chunking (1-byte, 7-byte, whole)', async () => {
    const buf = encodeSafetensors(llamaTensors('F16').slice(0, 4));
    const whole = await inspect(buf);
    for (const chunk of [1, 7, 8, 4096]) assert.deepEqual(await inspect(buf, buf.length, chunk), whole);
  });

  it('accepts mixed dtypes, 0-rank and empty tensors, no metadata, and an unpadded header', async () => {
    const tensors: TensorSpec[] = [
      { name: 'scalar', dtype: 'F32', shape: [] },
      { name: 'empty', dtype: 'F16', shape: [0, 16] },
      { name: 'mask', dtype: 'BOOL', shape: [3] },
      { name: 'ids', dtype: 'I64', shape: [2] },
    ];
    const buf = safetensorsBytes(JSON.stringify(headerFor(tensors, null)), Buffer.alloc(4 + 0 + 3 + 16), false);
    const info = await inspect(buf);
    assert.equal(info.parameterCount, 1 + 0 + 3 + 2);
    assert.deepEqual(info.dtypes, { F32: 1, F16: 0, BOOL: 3, I64: 2 });
    assert.equal(info.metadata, null);
    const empty = info.tensors.find((t) => t.name === 'empty');
    assert.equal(empty?.begin, empty?.end);
  });

  it('accepts a header with no tensors', async () => {
    const info = await inspect(raw({}, 0));
    assert.equal(info.parameterCount, 0);
    assert.deepEqual(info.tensors, []);
  });

  it('accepts sub-byte dtypes when the bits fill whole bytes (F4 × 2)', async () => {
    const info = await inspect(raw({ w: { dtype: 'F4', shape: [4], data_offsets: [0, 2] } }, 2));
    assert.deepEqual(info.dtypes, { F4: 4 });
  });

  it('calls onHeader before the data is streamed and can stop there', async () => {
    const buf = encodeSafetensors(llamaTensors('F32'));
    let seenAt = -1;
    let bytes = 0;
    await assert.rejects(
      inspectSafetensors(streamOf(buf, 64), buf.length, NAME, {
        onBytes: (n) => (bytes += n),
        onHeader: (h) => {
          seenAt = bytes;
          assert.equal(h.tensors.length, 21);
          throw new ModelValidationError('stop');
        },
      }),
      /stop/,
    );
    assert.ok(seenAt < buf.length / 4, `header seen after ${seenAt} of ${buf.length} bytes`);
  });
});

describe('safetensors: rule 1–2 (prefix and header bytes)', () => {
  it('rejects a file shorter than 8 bytes (HeaderTooSmall)', async () => {
    await rejects(inspect(Buffer.alloc(5)), /model-00002-of-00003\.safetensors is too small to be a safetensors file: 5 bytes.*HeaderTooSmall/);
  });

  it('rejects a header length above 100,000,000 (HeaderTooLarge)', async () => {
    const b = Buffer.alloc(64);
    b.writeBigUInt64LE(BigInt(MAX_HEADER_SIZE + 1));
    await rejects(inspect(b), /header length prefix says 100000001 bytes, above the 100000000-byte limit \(HeaderTooLarge\)/);
  });

  it('rejects a header length beyond the file (InvalidHeaderLength)', async () => {
    const b = raw({}, 0);
    b.writeBigUInt64LE(1000n);
    await rejects(inspect(b), /header length prefix says 1000 bytes but the file has only 8 bytes after the prefix \(InvalidHeaderLength\)/);
  });

  it('rejects invalid UTF-8', async () => {
    const header = Buffer.from('{"a\xff":1}', 'latin1');
    const b = Buffer.concat([Buffer.alloc(8), header]);
    b.writeBigUInt64LE(BigInt(header.length));
    await rejects(inspect(b), /not valid UTF-8/);
  });

  it('rejects invalid JSON, naming the parser error', async () => {
    const b = safetensorsBytes('{"w": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}', Buffer.alloc(4));
    await rejects(inspect(b), /has an invalid header: the \d+-byte header is not valid JSON \(.+\) \(InvalidHeaderDeserialization\)/);
  });

  it('rejects a JSON header that is not an object', async () => {
    await rejects(inspect(safetensorsBytes('[1,2]', Buffer.alloc(0))), /header must be a JSON object of tensors, got an array/);
  });

  it('rejects duplicate tensor names (JSON.parse would keep the last silently)', async () => {
    const e = '{"dtype":"F32","shape":[1],"data_offsets":[0,4]}';
    await rejects(inspect(safetensorsBytes(`{"w":${e},"w":${e}}`, Buffer.alloc(4))), /key 'w' appears more than once at the top level; duplicate keys are not allowed/);
  });

  it('rejects duplicate keys inside an entry or __metadata__, and escaped spellings of the same key', async () => {
    await rejects(
      inspect(safetensorsBytes('{"w":{"dtype":"F32","dtype":"F16","shape":[1],"data_offsets":[0,4]}}', Buffer.alloc(4))),
      /key 'dtype' appears more than once inside 'w'/,
    );
    await rejects(inspect(safetensorsBytes('{"__metadata__":{"format":"pt","\\u0066ormat":"np"}}', Buffer.alloc(0))), /key 'format' appears more than once inside '__metadata__'/);
  });
});

describe('safetensors: entries', () => {
  it('rejects an unknown dtype, listing the known ones', async () => {
    await rejects(inspect(raw({ w: { dtype: 'F12', shape: [1], data_offsets: [0, 2] } }, 2)), /tensor 'w' has unknown dtype 'F12' \(known: BOOL, F4, .*U64\)/);
  });

  it('rejects malformed shape and data_offsets', async () => {
    await rejects(inspect(raw({ w: { dtype: 'F32', shape: [1.5], data_offsets: [0, 4] } }, 4)), /tensor 'w' shape must be an array of non-negative integers, got \[1.5\]/);
    await rejects(inspect(raw({ w: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, 4)), /shape must be an array of non-negative integers/);
    await rejects(inspect(raw({ w: { dtype: 'F32', shape: [1], data_offsets: [0] } }, 4)), /data_offsets must be \[begin, end\] with non-negative integers, got \[0\]/);
    await rejects(inspect(raw({ w: { dtype: 'F32', shape: [1] } }, 4)), /data_offsets must be \[begin, end\].*got nothing/);
    await rejects(inspect(raw({ w: 'x' }, 0)), /entry 'w' must be an object with dtype, shape and data_offsets, got a string/);
  });

  it('rejects __metadata__ that is not a map of strings', async () => {
    await rejects(inspect(raw({ __metadata__: { format: 'pt', step: 7 } }, 0)), /__metadata__ value for 'step' must be a string, got a number/);
    await rejects(inspect(raw({ __metadata__: ['pt'] }, 0)), /__metadata__ must be an object of string values, got an array/);
  });
});

describe('safetensors: rule 3 (contiguous offsets)', () => {
  const f32 = (begin: number, end: number, n = (end - begin) / 4) => ({ dtype: 'F32', shape: [n], data_offsets: [begin, end] });

  it('rejects data not starting at 0', async () => {
    await rejects(inspect(raw({ a: f32(4, 8) }, 8)), /first tensor in the data section, 'a', starts at data byte 4 instead of 0.*\(InvalidOffset\)/);
  });

  it('rejects a gap between tensors', async () => {
    await rejects(inspect(raw({ a: f32(0, 8), b: f32(12, 16) }, 16)), /4 bytes of gap between tensor 'a' \(ends at data byte 8\) and tensor 'b' \(starts at 12\).*\(InvalidOffset\)/);
  });

  it('rejects overlapping tensors', async () => {
    await rejects(inspect(raw({ a: f32(0, 8), b: f32(4, 12, 2) }, 12)), /tensor 'b' data_offsets \[4, 12\] overlap tensor 'a' \[0, 8\] \(InvalidOffset\)/);
  });

  it('rejects offsets that end before they begin', async () => {
    await rejects(inspect(raw({ a: { dtype: 'F32', shape: [0], data_offsets: [8, 4] } }, 8)), /tensor 'a' data_offsets \[8, 4\] end before they begin/);
  });
});

describe('safetensors: rule 4 (sizes)', () => {
  it('rejects a byte range that does not match shape × dtype (TensorInvalidInfo)', async () => {
    await rejects(
      inspect(raw({ w: { dtype: 'F32', shape: [16, 64], data_offsets: [0, 2048] } }, 2048)),
      /tensor 'w' \(F32, shape \[16, 64\]\) needs 4096 bytes but its data_offsets \[0, 2048\] span 2048 bytes \(TensorInvalidInfo\)/,
    );
  });

  it('rejects sub-byte tensors that do not fill whole bytes (MisalignedSlice)', async () => {
    await rejects(inspect(raw({ w: { dtype: 'F4', shape: [3], data_offsets: [0, 2] } }, 2)), /tensor 'w' \(F4, shape \[3\]\) has 12 bits, not a whole number of bytes \(MisalignedSlice\)/);
  });

  it('detects 64-bit overflow with BigInt arithmetic (ValidationOverflow)', async () => {
    const big = 2 ** 40;
    await rejects(inspect(raw({ w: { dtype: 'F32', shape: [big, big], data_offsets: [0, 8] } }, 8)), /tensor 'w' shape \[1099511627776, 1099511627776\] overflows a 64-bit size \(ValidationOverflow\)/);
  });
});

describe('safetensors: rule 5 (file size) and truncation', () => {
  it('reports a file cut short after the header with the tensor and byte counts', async () => {
    const header = { 'model.norm.weight': { dtype: 'F32', shape: [131072], data_offsets: [0, 524288] }, 'lm_head.weight': { dtype: 'F32', shape: [131072], data_offsets: [524288, 1048576] } };
    await rejects(
      inspect(raw(header, 524288)),
      /^model-00002-of-00003\.safetensors is truncated: header says tensor 'lm_head\.weight' ends at byte 1048576 of the data section but the file has only 524288 data bytes/,
    );
  });

  it('rejects trailing bytes after the last tensor', async () => {
    const buf = Buffer.concat([encodeSafetensors(llamaTensors('F16')), Buffer.alloc(16)]);
    await rejects(inspect(buf), /has 16 trailing bytes after tensor 'lm_head\.weight' ends at data byte 14496; the file is larger than its header describes/);
  });

  it('reports a stream that ends before the listed size, naming the tensor being read', async () => {
    const buf = encodeSafetensors(llamaTensors('F16'));
    const err = await rejects(inspectSafetensors(streamOf(buf.subarray(0, buf.length - 100), 1000), buf.length, NAME), /is truncated: the stream ended after \d+ of \d+ bytes, inside tensor 'lm_head\.weight'/);
    assert.equal(err.file, NAME);
    await rejects(inspectSafetensors(streamOf(buf.subarray(0, 20)), buf.length, NAME), /stream ended after 20 bytes, inside the \d+-byte JSON header/);
    await rejects(inspectSafetensors(streamOf(buf.subarray(0, 5)), buf.length, NAME), /stream ended after 5 bytes, inside the 8-byte header length/);
  });

  it('rejects a stream longer than the listed size', async () => {
    const buf = encodeSafetensors(llamaTensors('F16'));
    await rejects(inspectSafetensors(streamOf(Buffer.concat([buf, Buffer.alloc(3)])), buf.length, NAME), /is larger than listed/);
  });

  it('stops when the signal aborts, with an AbortError rather than a validation error', async () => {
    const buf = encodeSafetensors(llamaTensors('F32'));
    const ac = new AbortController();
    let n = 0;
    await assert.rejects(
      inspectSafetensors(streamOf(buf, 128), buf.length, NAME, {
        signal: ac.signal,
        onBytes: () => {
          if (++n === 3) ac.abort();
        },
      }),
      (err: Error) => err.name === 'AbortError',
    );
  });
});

describe('findDuplicateKey', () => {
  it('tracks keys per object, ignores string values and array items', () => {
    assert.equal(findDuplicateKey('{"a":"a","b":["a","a"],"c":{"a":1,"b":{"a":2}}}'), null);
    assert.deepEqual(findDuplicateKey('{"a":1,"c":[{"x":1},{"x":2,"x":3}]}'), { key: 'x', parent: 'c' });
    assert.deepEqual(findDuplicateKey('{"q\\"":1,"q\\u0022":2}'), { key: 'q"', parent: '' });
  });
});
