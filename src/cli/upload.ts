// Copies a local model directory into a bucket of the registry's object store, key by key
// (prefix/relative/path), through the same ObjectStore code the server reads with.
// Hidden entries (.git, .cache, …) are skipped; symbolic links are followed (a Hugging Face
// cache snapshot is a directory of links into its blobs/), each real directory once.
import fs from 'node:fs';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { Transform } from 'node:stream';
import type { ObjectStore } from '../objects/object-store.js';
import { usageError } from './output.js';

export interface LocalFile {
  /** '/'-separated path relative to the model directory. */
  rel: string;
  abs: string;
  size: number;
}

export async function listModelDir(dir: string): Promise<LocalFile[]> {
  const root = path.resolve(dir);
  const st = await fsp.stat(root).catch(() => null);
  if (!st?.isDirectory()) throw usageError(`${dir} is not a directory; give the model's directory (the one with config.json)`);
  const files: LocalFile[] = [];
  const seen = new Set<string>();
  const walk = async (abs: string, rel: string): Promise<void> => {
    const real = await fsp.realpath(abs);
    if (seen.has(real)) return;
    seen.add(real);
    for (const e of await fsp.readdir(abs, { withFileTypes: true })) {
      if (e.name.startsWith('.')) continue;
      const full = path.join(abs, e.name);
      const r = rel ? `${rel}/${e.name}` : e.name;
      const s = await fsp.stat(full).catch(() => null); // follows links; a dangling one is skipped
      if (s?.isDirectory()) await walk(full, r);
      else if (s?.isFile()) files.push({ rel: r, abs: full, size: s.size });
    }
  };
  await walk(root, '');
  if (files.length === 0) throw usageError(`${dir} holds no files to upload`);
  return files.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
}

export async function uploadFiles(
  store: ObjectStore,
  bucket: string,
  prefix: string,
  files: LocalFile[],
  onProgress: (bytesDone: number, file: LocalFile) => void = () => {},
): Promise<void> {
  let done = 0;
  for (const f of files) {
    const counter = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        done += chunk.length;
        onProgress(done, f);
        cb(null, chunk);
      },
    });
    const source = fs.createReadStream(f.abs);
    source.on('error', (err) => counter.destroy(err));
    await store.write(bucket, `${prefix}/${f.rel}`, source.pipe(counter), f.size);
    onProgress(done, f);
  }
}

/** Every key under prefix/ in the bucket. */
export async function existingKeys(store: ObjectStore, bucket: string, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const o of store.list(bucket, prefix)) keys.push(o.key);
  return keys;
}
