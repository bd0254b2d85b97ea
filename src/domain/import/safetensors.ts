// Streaming safetensors reader: one pass computes sha256 and validates the header exactly as the Rust
// reference does (huggingface/safetensors `tensor.rs`: `read_metadata` + `Metadata::validate`), with a
// human-readable reason per rule. Only the 8-byte prefix and the JSON header are buffered; the data
// section is hashed chunk by chunk and dropped. The header is validated as soon as it is complete, so
// a bad file fails before its gigabytes of data are read.
import type { Readable } from 'node:stream';
import { ModelValidationError } from './model-validation-error.js';
import { reason as coded } from './failure-codes.js';
import { findDuplicateKey } from '../json/json-scan.js';
import { digestStream, discard, type DigestOptions } from './stream-digest.js';
import { MAX_SAFETENSORS_HEADER_BYTES } from '../../sandbox/limits.js';
import { runInSandbox, SandboxError, type SandboxCaller } from '../../sandbox/sandbox.js';

/** Headers above this size are parsed in the sandbox rather than on the event loop. */
const INLINE_HEADER_BYTES = 1024 * 1024;

/** `MAX_HEADER_SIZE` in the Rust crate. */
export const MAX_HEADER_SIZE = 100_000_000;

/** Bits per element of every dtype the format defines (safetensors `Dtype::bitsize`). */
export const SAFETENSORS_DTYPE_BITS: Readonly<Record<string, number>> = Object.freeze({
  BOOL: 8,
  F4: 4,
  F6_E2M3: 6,
  F6_E3M2: 6,
  U8: 8,
  I8: 8,
  F8_E5M2: 8,
  F8_E4M3: 8,
  F8_E8M0: 8,
  F8_E4M3FNUZ: 8,
  F8_E5M2FNUZ: 8,
  I16: 16,
  U16: 16,
  F16: 16,
  BF16: 16,
  I32: 32,
  U32: 32,
  F32: 32,
  C64: 64,
  F64: 64,
  I64: 64,
  U64: 64,
});

const U64_MAX = (1n << 64n) - 1n;

export interface SafetensorsTensor {
  name: string;
  dtype: string;
  shape: number[];
  /** Offsets relative to the start of the data section (after 8 + headerSize bytes). */
  begin: number;
  end: number;
}

export interface SafetensorsHeader {
  headerSize: number;
  /** Sorted by data offset. */
  tensors: SafetensorsTensor[];
  metadata: Record<string, string> | null;
  parameterCount: number;
  /** Parameters per dtype. */
  dtypes: Record<string, number>;
  /** Bytes of the data section (= last tensor's end). */
  dataBytes: number;
}

export interface SafetensorsInfo extends SafetensorsHeader {
  sha256: string;
  size: number;
}

export interface SafetensorsOptions extends DigestOptions {
  /** The account the import runs for: a large header's parse takes its turn in the sandbox. */
  account?: string;
  /** Called once the header is validated, before the data is streamed; throw to stop early. */
  onHeader?: (header: SafetensorsHeader) => void;
}

/**
 * Reads a whole .safetensors stream once: validates the header (rules 1–6), hashes every byte and
 * checks the stream delivers exactly `size` bytes. `name` is used in every error message.
 */
export async function inspectSafetensors(
  source: Readable | AsyncIterable<Uint8Array>,
  size: number,
  name: string,
  opts: SafetensorsOptions = {},
): Promise<SafetensorsInfo> {
  let reader: SafetensorsHeaderReader;
  try {
    reader = new SafetensorsHeaderReader(name, size);
  } catch (err) {
    discard(source);
    throw err;
  }
  let header: SafetensorsHeader | null = null;
  const { sha256, bytesRead } = await digestStream(
    source,
    size,
    name,
    async (chunk) => {
      if (header) return;
      header = reader.push(chunk);
      if (!header && reader.complete) header = await reader.parseInSandbox(opts);
      if (header) opts.onHeader?.(header);
    },
    opts,
  );
  if (bytesRead < size || !header) throw reader.truncation(bytesRead);
  return { ...(header as SafetensorsHeader), sha256, size };
}

/**
 * Incremental header parser: feed it chunks from the start of the file; it returns the validated
 * header once complete (null before). It copies only the header bytes.
 */
export class SafetensorsHeaderReader {
  private readonly prefix = Buffer.alloc(8);
  private prefixFill = 0;
  private headerLen = -1;
  private headerBuf: Buffer | null = null;
  private headerFill = 0;
  private parsed: SafetensorsHeader | null = null;

  constructor(
    private readonly name: string,
    private readonly size: number,
  ) {
    if (size < 8) {
      throw this.fail(
        `is too small to be a safetensors file: ${size} bytes, but the format starts with an 8-byte header length (HeaderTooSmall)`,
      );
    }
  }

  push(chunk: Buffer): SafetensorsHeader | null {
    if (this.parsed) return this.parsed;
    let pos = 0;
    if (this.prefixFill < 8) {
      const take = Math.min(8 - this.prefixFill, chunk.length);
      chunk.copy(this.prefix, this.prefixFill, 0, take);
      this.prefixFill += take;
      pos = take;
      if (this.prefixFill < 8) return null;
      this.startHeader();
    }
    const buf = this.headerBuf as Buffer;
    if (pos < chunk.length && this.headerFill < this.headerLen) {
      const take = Math.min(this.headerLen - this.headerFill, chunk.length - pos);
      chunk.copy(buf, this.headerFill, pos, pos + take);
      this.headerFill += take;
    }
    if (this.headerFill < this.headerLen) return null;
    if (this.headerLen > INLINE_HEADER_BYTES) return null; // see parseInSandbox
    this.parsed = parseSafetensorsHeader(buf, this.size, this.name);
    this.headerBuf = null; // release the copy; only the parsed form is kept
    return this.parsed;
  }

  /** The whole header has been pushed (a large one waits for parseInSandbox). */
  get complete(): boolean {
    return this.headerLen >= 0 && this.headerFill >= this.headerLen;
  }

  /** Parses a large complete header in the sandbox (src/sandbox), off the event loop. */
  async parseInSandbox(caller: SandboxCaller = {}): Promise<SafetensorsHeader> {
    if (this.parsed) return this.parsed;
    try {
      const { account, signal } = caller;
      this.parsed = await runInSandbox('parseSafetensorsHeader', { bytes: this.headerBuf as Buffer, fileSize: this.size, name: this.name }, {
        ...(account !== undefined ? { account } : {}),
        ...(signal ? { signal } : {}),
      });
    } catch (err) {
      if (!(err instanceof SandboxError)) throw err;
      throw err.reason === 'refused' ? new ModelValidationError(err.message, this.name, coded('InvalidSafetensors', { file: this.name, detail: err.message })) : this.fail(`has a ${this.headerLen}-byte header that ${err.message} while being parsed`);
    }
    this.headerBuf = null;
    return this.parsed;
  }

  /** The reason to report when the stream ended after `bytesRead` bytes, short of the listed size. */
  truncation(bytesRead: number): ModelValidationError {
    if (bytesRead < 8 || this.headerLen < 0) {
      return this.fail(`is truncated: the stream ended after ${bytesRead} bytes, inside the 8-byte header length (the listing says ${this.size} bytes)`);
    }
    if (!this.parsed) {
      return this.fail(
        `is truncated: the stream ended after ${bytesRead} bytes, inside the ${this.headerLen}-byte JSON header (the listing says ${this.size} bytes)`,
      );
    }
    const dataRead = bytesRead - 8 - this.headerLen;
    const t = tensorAt(this.parsed.tensors, dataRead);
    const where = t ? `, inside tensor '${t.name}' (data bytes ${t.begin}–${t.end})` : '';
    return this.fail(
      `is truncated: the stream ended after ${bytesRead} of ${this.size} bytes${where}; the object was cut short while being read`,
    );
  }

  private startHeader(): void {
    const n = this.prefix.readBigUInt64LE(0);
    if (n > BigInt(MAX_HEADER_SIZE)) {
      throw this.fail(`has an invalid header: the header length prefix says ${n} bytes, above the ${MAX_HEADER_SIZE}-byte limit (HeaderTooLarge); the file is not safetensors or is corrupt`);
    }
    const len = Number(n);
    if (len > MAX_SAFETENSORS_HEADER_BYTES) {
      throw this.fail(
        `has a ${len}-byte JSON header; modelreg accepts safetensors headers of at most ${MAX_SAFETENSORS_HEADER_BYTES} bytes (real checkpoints' headers are far smaller; see SECURITY.md)`,
      );
    }
    if (8 + len > this.size) {
      throw this.fail(
        `has an invalid header: the header length prefix says ${len} bytes but the file has only ${this.size - 8} bytes after the prefix (InvalidHeaderLength); the file is truncated or not safetensors`,
      );
    }
    this.headerLen = len;
    this.headerBuf = Buffer.allocUnsafe(len);
  }

  private fail(reason: string): ModelValidationError {
    return new ModelValidationError(`${this.name} ${reason}`, this.name, coded('InvalidSafetensors', { file: this.name, detail: reason }));
  }
}

/** Validates a complete header (the N bytes after the length prefix) against the file size. */
export function parseSafetensorsHeader(headerBytes: Buffer, fileSize: number, name: string): SafetensorsHeader {
  const fail = (reason: string): never => {
    throw new ModelValidationError(`${name} ${reason}`, name, coded('InvalidSafetensors', { file: name, detail: reason }));
  };
  const headerSize = headerBytes.length;

  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(headerBytes);
  } catch {
    return fail('has an invalid header: the JSON header is not valid UTF-8 (InvalidHeader)');
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return fail(`has an invalid header: the ${headerSize}-byte header is not valid JSON (${(err as Error).message}) (InvalidHeaderDeserialization)`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return fail(`has an invalid header: the header must be a JSON object of tensors, got ${describe(json)}`);
  }
  const dup = findDuplicateKey(text);
  if (dup) {
    const where = dup.parent ? `inside '${dup.parent}'` : 'at the top level';
    return fail(`has an invalid header: key '${dup.key}' appears more than once ${where}; duplicate keys are not allowed (a JSON reader would silently keep only the last)`);
  }

  let metadata: Record<string, string> | null = null;
  const tensors: SafetensorsTensor[] = [];
  for (const [key, value] of Object.entries(json as Record<string, unknown>)) {
    if (key === '__metadata__') {
      metadata = parseMetadata(value, fail);
      continue;
    }
    tensors.push(parseTensorEntry(key, value, fail));
  }

  // Rule 3: sorted by offsets, each begins where the previous ended, the first at 0.
  tensors.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let expected = 0;
  let prev: SafetensorsTensor | null = null;
  const dtypes: Record<string, bigint> = {};
  let params = 0n;
  for (const t of tensors) {
    if (t.begin !== expected) {
      if (!prev) {
        fail(`has an invalid header: the first tensor in the data section, '${t.name}', starts at data byte ${t.begin} instead of 0, leaving ${t.begin} unaccounted bytes (InvalidOffset)`);
      } else if (t.begin > expected) {
        fail(`has an invalid header: ${t.begin - expected} bytes of gap between tensor '${prev.name}' (ends at data byte ${prev.end}) and tensor '${t.name}' (starts at ${t.begin}); tensors must be contiguous (InvalidOffset)`);
      } else {
        fail(`has an invalid header: tensor '${t.name}' data_offsets [${t.begin}, ${t.end}] overlap tensor '${prev.name}' [${prev.begin}, ${prev.end}] (InvalidOffset)`);
      }
    }
    // Rule 4: element count × bits must fill the byte range exactly.
    let elements = 1n;
    for (const d of t.shape) elements *= BigInt(d);
    const bits = elements * BigInt(SAFETENSORS_DTYPE_BITS[t.dtype] as number);
    if (elements > U64_MAX || bits > U64_MAX) {
      fail(`has an invalid header: tensor '${t.name}' shape [${t.shape.join(', ')}] overflows a 64-bit size (ValidationOverflow)`);
    }
    if (bits % 8n !== 0n) {
      fail(`has an invalid header: tensor '${t.name}' (${t.dtype}, shape [${t.shape.join(', ')}]) has ${bits} bits, not a whole number of bytes (MisalignedSlice)`);
    }
    const need = bits / 8n;
    const have = BigInt(t.end - t.begin);
    if (need !== have) {
      fail(`has an invalid header: tensor '${t.name}' (${t.dtype}, shape [${t.shape.join(', ')}]) needs ${need} bytes but its data_offsets [${t.begin}, ${t.end}] span ${have} bytes (TensorInvalidInfo)`);
    }
    params += elements;
    dtypes[t.dtype] = (dtypes[t.dtype] ?? 0n) + elements;
    expected = t.end;
    prev = t;
  }

  // Rule 5: the data section ends exactly at the end of the file.
  const dataBytes = expected;
  const actualData = fileSize - 8 - headerSize;
  if (dataBytes > actualData) {
    const last = prev as SafetensorsTensor;
    fail(`is truncated: header says tensor '${last.name}' ends at byte ${last.end} of the data section but the file has only ${actualData} data bytes (MetadataIncompleteBuffer)`);
  }
  if (dataBytes < actualData) {
    const after = prev ? `after tensor '${prev.name}' ends at data byte ${dataBytes}` : 'after the header, which declares no tensor data';
    fail(`has ${actualData - dataBytes} trailing bytes ${after}; the file is larger than its header describes (MetadataIncompleteBuffer)`);
  }

  const dtypeCounts: Record<string, number> = {};
  for (const [k, v] of Object.entries(dtypes)) dtypeCounts[k] = Number(v);
  return { headerSize, tensors, metadata, parameterCount: Number(params), dtypes: dtypeCounts, dataBytes };
}

function parseMetadata(value: unknown, fail: (reason: string) => never): Record<string, string> | null {
  if (value === null) return null;
  if (typeof value !== 'object' || Array.isArray(value)) {
    return fail(`has an invalid header: __metadata__ must be an object of string values, got ${describe(value)}`);
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (typeof v !== 'string') fail(`has an invalid header: __metadata__ value for '${k}' must be a string, got ${describe(v)}`);
    out[k] = v as string;
  }
  return out;
}

function parseTensorEntry(name: string, value: unknown, fail: (reason: string) => never): SafetensorsTensor {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return fail(`has an invalid header: entry '${name}' must be an object with dtype, shape and data_offsets, got ${describe(value)}`);
  }
  const v = value as Record<string, unknown>;
  const dtype = v.dtype;
  if (typeof dtype !== 'string') return fail(`has an invalid header: tensor '${name}' has no dtype string`);
  if (!(dtype in SAFETENSORS_DTYPE_BITS)) {
    return fail(`has an invalid header: tensor '${name}' has unknown dtype '${dtype}' (known: ${Object.keys(SAFETENSORS_DTYPE_BITS).join(', ')})`);
  }
  const shape = v.shape;
  if (!Array.isArray(shape) || !shape.every(isSize)) {
    return fail(`has an invalid header: tensor '${name}' shape must be an array of non-negative integers, got ${JSON.stringify(shape) ?? 'nothing'}`);
  }
  const offsets = v.data_offsets;
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isSize)) {
    return fail(`has an invalid header: tensor '${name}' data_offsets must be [begin, end] with non-negative integers, got ${JSON.stringify(offsets) ?? 'nothing'}`);
  }
  const [begin, end] = offsets as [number, number];
  if (end < begin) {
    return fail(`has an invalid header: tensor '${name}' data_offsets [${begin}, ${end}] end before they begin (InvalidOffset)`);
  }
  return { name, dtype, shape: shape as number[], begin, end };
}

const isSize = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;

function describe(x: unknown): string {
  if (x === null) return 'null';
  if (Array.isArray(x)) return 'an array';
  return `a ${typeof x}`;
}

/** The tensor whose byte range contains data offset `pos` (binary search over sorted tensors). */
function tensorAt(tensors: SafetensorsTensor[], pos: number): SafetensorsTensor | undefined {
  let lo = 0;
  let hi = tensors.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const t = tensors[mid] as SafetensorsTensor;
    if (pos < t.begin) hi = mid - 1;
    else if (pos >= t.end) lo = mid + 1;
    else return t;
  }
  return undefined;
}
