// The tensor shapes of a base imported before modelreg recorded them at import: read again from the
// safetensors headers of its stored files (two ranged blob reads per weight file, never the weights).
// Null when the base has no safetensors weights at the top level or a header cannot be read; the
// adapter then fails asking for the base to be imported again.
import type { Readable } from 'node:stream';
import type { RegistryFiles } from '../domain/registry/registry-files.js';
import { MAX_HEADER_SIZE, parseSafetensorsHeader, type SafetensorsHeader } from '../domain/import/safetensors.js';
import { runInSandbox } from '../sandbox/sandbox.js';

/** Headers above this are parsed in the sandbox, as at import (src/domain/import/safetensors.ts). */
const INLINE_HEADER_BYTES = 1024 * 1024;

export async function shapesFromStoredFiles(files: RegistryFiles, base: { id: string; account_id: string }): Promise<Record<string, number[]> | null> {
  // Root-level .safetensors files are the weights of an HF directory (single file or shards).
  const weights = (await files.manifest(base.id)).filter((f) => !f.path.includes('/') && f.path.endsWith('.safetensors'));
  if (weights.length === 0) return null;
  const shapes: Record<string, number[]> = {};
  for (const f of weights) {
    if (f.size < 8) return null;
    const read = (start: number, end: number) => files.openBlob(base.account_id, f.sha256, { start, end }).then(collect);
    const n = Number((await read(0, 7)).readBigUInt64LE(0));
    if (n <= 0 || n > MAX_HEADER_SIZE || 8 + n > f.size) return null;
    const bytes = await read(8, 7 + n);
    const header: SafetensorsHeader =
      n > INLINE_HEADER_BYTES
        ? await runInSandbox('parseSafetensorsHeader', { bytes, fileSize: f.size, name: f.path }, { account: base.account_id })
        : parseSafetensorsHeader(bytes, f.size, f.path);
    for (const t of header.tensors) shapes[t.name] = t.shape;
  }
  return shapes;
}

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}
