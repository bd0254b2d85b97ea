// Pulls one object's bytes through sha256 exactly once, handing every chunk to a consumer.
// Nothing is retained here: memory stays at the stream's own buffer (its highWaterMark) whatever the
// file size. Hashing runs synchronously on this thread while the source keeps reading ahead, so I/O and
// hashing overlap; throughput is bounded by single-core sha256, the same bound `sha256sum` has.
import { createHash } from 'node:crypto';
import { addAbortSignal, type Readable } from 'node:stream';
import { ModelValidationError } from './model-validation-error.js';
import { reason } from './failure-codes.js';

export interface DigestOptions {
  signal?: AbortSignal;
  /** Called with the byte count of every chunk, for progress reporting. */
  onBytes?: (n: number) => void;
}

export interface DigestResult {
  sha256: string;
  bytesRead: number;
}

/**
 * Streams `source` (expected to hold `expectedSize` bytes) through sha256, calling `onChunk` for each
 * chunk. `onChunk` may throw to stop early; the source is then destroyed. Reading more than
 * `expectedSize` bytes fails (the object changed under us); reading fewer is reported through
 * `bytesRead` so the caller can word the truncation precisely.
 */
export async function digestStream(
  source: Readable | AsyncIterable<Uint8Array | string>,
  expectedSize: number,
  name: string,
  onChunk: ((chunk: Buffer, offset: number) => void | Promise<void>) | null,
  opts: DigestOptions = {},
): Promise<DigestResult> {
  const hash = createHash('sha256');
  let bytesRead = 0;
  try {
    opts.signal?.throwIfAborted();
    if (opts.signal && isReadable(source)) addAbortSignal(opts.signal, source);
    for await (const raw of source) {
      const chunk = typeof raw === 'string' ? Buffer.from(raw) : Buffer.isBuffer(raw) ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
      if (chunk.length === 0) continue;
      const offset = bytesRead;
      bytesRead += chunk.length;
      if (bytesRead > expectedSize) {
        throw new ModelValidationError(
          `${name} is larger than listed: the listing says ${expectedSize} bytes but more were read; the object changed during the import, retry once it is stable`,
          name,
          reason('FileChanged', { file: name, location: '' }),
        );
      }
      hash.update(chunk);
      const pending = onChunk?.(chunk, offset);
      if (pending) await pending;
      opts.onBytes?.(chunk.length);
      if (opts.signal?.aborted) opts.signal.throwIfAborted();
    }
  } catch (err) {
    // Release the source (and its file handle or socket) on every failure, including ones thrown
    // before the loop started consuming it.
    discard(source);
    throw err;
  }
  return { sha256: hash.digest('hex'), bytesRead };
}

/** The generic "file ended early" reason, for files without a finer-grained one. */
export function truncatedError(name: string, expectedSize: number, bytesRead: number): ModelValidationError {
  return new ModelValidationError(
    `${name} is truncated: the listing says ${expectedSize} bytes but the stream ended after ${bytesRead} bytes`,
    name,
    reason('FileTruncated', { file: name }),
  );
}

/** Destroys a stream that will not be consumed. */
export function discard(source: unknown): void {
  if (isReadable(source) && !source.destroyed) source.destroy();
}

function isReadable(x: unknown): x is Readable {
  return typeof x === 'object' && x !== null && typeof (x as Readable).destroy === 'function' && typeof (x as Readable).pipe === 'function';
}
