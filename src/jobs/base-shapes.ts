// The tensor shapes of a base imported before modelreg recorded them at import: read again from the
// safetensors headers of its registry copy (two ranged reads per weight file, never the weights).
// When the registry copy is laid out differently (another store, content-addressed blobs) this
// answers null and the adapter fails asking for the base to be imported again.
import type { Readable } from 'node:stream';
import { MAX_HEADER_SIZE, parseSafetensorsHeader } from '../domain/import/safetensors.js';
import type { RegistryLocation } from './registry-copy.js';

interface StoredDetails {
  files?: Array<{ path: string; size: number }>;
  storage?: { kind?: string; bucket?: string; prefix?: string };
}

export async function shapesFromRegistryCopy(registry: RegistryLocation, detailsJson: string | null): Promise<Record<string, number[]> | null> {
  const details = (detailsJson ? JSON.parse(detailsJson) : {}) as StoredDetails;
  const { storage, files } = details;
  if (!storage?.prefix || storage.kind !== registry.store.kind || storage.bucket !== registry.bucket || !files) return null;
  // Root-level .safetensors files are the weights of an HF directory (single file or shards).
  const weights = files.filter((f) => !f.path.includes('/') && f.path.endsWith('.safetensors'));
  if (weights.length === 0) return null;
  const shapes: Record<string, number[]> = {};
  for (const f of weights) {
    if (f.size < 8) return null;
    const key = `${storage.prefix}/${f.path}`;
    const n = Number((await readRange(registry, key, 0, 7)).readBigUInt64LE(0));
    if (n <= 0 || n > MAX_HEADER_SIZE || 8 + n > f.size) return null;
    const header = parseSafetensorsHeader(await readRange(registry, key, 8, 7 + n), f.size, f.path);
    for (const t of header.tensors) shapes[t.name] = t.shape;
  }
  return shapes;
}

async function readRange(registry: RegistryLocation, key: string, start: number, end: number): Promise<Buffer> {
  const stream: Readable = await registry.store.read(registry.bucket, key, { start, end });
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}
