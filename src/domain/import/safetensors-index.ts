// Sharded safetensors checkpoints: `<name>.safetensors.index.json` =
// {"metadata": {"total_size": N}, "weight_map": {tensor → shard file}}. Transformers loads
// `sorted(set(weight_map.values()))` (get_checkpoint_shard_files), so every referenced shard must exist,
// and each shard must hold exactly the tensors the index maps to it.
import { parseJsonObject } from './json-file.js';
import { ModelValidationError } from './model-validation-error.js';
import { reason as coded } from './failure-codes.js';
import type { SafetensorsHeader } from './safetensors.js';

/** huggingface.js parse-safetensors-metadata.ts (5 digits; newer writers use up to 6). */
export const SHARD_NAME = /^(?<prefix>.*?[_-])(?<shard>\d{5,6})-of-(?<total>\d{5,6})\.safetensors$/;

export interface SafetensorsIndex {
  name: string;
  /** Directory of the index ('' at the root, 'unet/' in a diffusers component), prefixed to shard names. */
  dir: string;
  totalSize: number | null;
  /** shard file (relative to dir) → tensor names mapped to it. */
  shards: Map<string, Set<string>>;
  tensorCount: number;
}

export function parseSafetensorsIndex(doc: Buffer | Record<string, unknown>, name: string): SafetensorsIndex {
  const fail = (reason: string): never => {
    throw new ModelValidationError(`${name} ${reason}`, name, coded('InvalidShardIndex', { file: name, detail: reason }));
  };
  const raw = Buffer.isBuffer(doc) ? parseJsonObject(doc, name) : doc;
  const wm = raw.weight_map;
  if (typeof wm !== 'object' || wm === null || Array.isArray(wm)) fail('has no "weight_map" object (tensor name → shard file)');
  const shards = new Map<string, Set<string>>();
  let tensorCount = 0;
  for (const [tensor, file] of Object.entries(wm as Record<string, unknown>)) {
    if (typeof file !== 'string' || file === '') fail(`maps tensor '${tensor}' to ${JSON.stringify(file)}, not a file name`);
    const f = file as string;
    if (f.includes('/') || f.includes('\\')) fail(`maps tensor '${tensor}' to '${f}'; shard files must sit next to the index`);
    let set = shards.get(f);
    if (!set) shards.set(f, (set = new Set()));
    set.add(tensor);
    tensorCount++;
  }
  if (tensorCount === 0) fail('has an empty "weight_map"');
  let totalSize: number | null = null;
  const meta = raw.metadata;
  if (meta !== undefined && meta !== null) {
    if (typeof meta !== 'object' || Array.isArray(meta)) fail(`"metadata" must be an object, got ${JSON.stringify(meta)}`);
    const ts = (meta as Record<string, unknown>).total_size;
    if (ts !== undefined && ts !== null) {
      if (typeof ts !== 'number' || !Number.isSafeInteger(ts) || ts < 0) fail(`"metadata.total_size" must be a non-negative integer, got ${JSON.stringify(ts)}`);
      totalSize = ts as number;
    }
  }
  const slash = name.lastIndexOf('/');
  return { name, dir: slash >= 0 ? name.slice(0, slash + 1) : '', totalSize, shards, tensorCount };
}

/**
 * Checks the index against the listing before any shard is read: every referenced shard exists, and
 * shards named '<prefix>NNNNN-of-NNNNN.safetensors' form a complete 1..total series.
 * `present` holds paths relative to objectPath. Returns warnings; throws on a broken set.
 */
export function checkShardsPresent(index: SafetensorsIndex, present: ReadonlySet<string>, location: string): string[] {
  const warnings: string[] = [];
  const referenced = [...index.shards.keys()].sort();
  for (const shard of referenced) {
    if (!present.has(index.dir + shard)) {
      const n = index.shards.get(shard)?.size ?? 0;
      throw new ModelValidationError(
        `${index.dir}${shard} is missing under ${location}: ${index.name} maps ${n} tensor${n === 1 ? '' : 's'} to it`,
        index.dir + shard,
        coded('MissingFile', { file: index.dir + shard, location }),
      );
    }
  }
  const series = new Map<string, { total: number; seen: Set<number> }>();
  for (const shard of referenced) {
    const m = SHARD_NAME.exec(shard);
    if (!m?.groups) {
      warnings.push(`shard ${index.dir}${shard} does not follow the <prefix>-NNNNN-of-NNNNN.safetensors naming; loaded anyway as ${index.name} lists it`);
      continue;
    }
    const { prefix, shard: num, total } = m.groups as { prefix: string; shard: string; total: string };
    const t = Number(total);
    const k = Number(num);
    if (t < 1 || k < 1 || k > t) {
      throw new ModelValidationError(`${index.dir}${shard} has an impossible shard number ${k} of ${t}`, index.dir + shard).as('InvalidShardIndex');
    }
    const key = `${prefix}\u0000${total}`;
    let s = series.get(key);
    if (!s) series.set(key, (s = { total: t, seen: new Set() }));
    s.seen.add(k);
  }
  for (const [key, s] of series) {
    const [prefix, total] = key.split('\u0000') as [string, string];
    for (let k = 1; k <= s.total; k++) {
      if (s.seen.has(k)) continue;
      const file = `${prefix}${String(k).padStart(total.length, '0')}-of-${total}.safetensors`;
      const where = index.dir + file;
      throw new ModelValidationError(
        present.has(where)
          ? `${where} (shard ${k} of ${s.total}) exists but ${index.name} maps no tensor to it; the index and the shards do not belong together`
          : `${where} (shard ${k} of ${s.total}) is missing under ${location}; ${index.name} lists ${s.seen.size} of the ${s.total} shards`,
        where,
      ).as('InvalidShardIndex');
    }
  }
  return warnings;
}

/** Fails unless the shard's tensors are exactly the index entries for it. */
export function checkShardTensors(index: SafetensorsIndex, shard: string, header: SafetensorsHeader): void {
  const expected = index.shards.get(shard);
  if (!expected) return;
  const path = index.dir + shard;
  const actual = new Set(header.tensors.map((t) => t.name));
  for (const t of header.tensors) {
    if (!expected.has(t.name)) {
      throw new ModelValidationError(
        `${path} contains tensor '${t.name}' that ${index.name} does not map to it; the index and the shards do not belong together`,
        path,
      ).as('InvalidShardIndex');
    }
  }
  for (const name of expected) {
    if (!actual.has(name)) {
      throw new ModelValidationError(`${path} lacks tensor '${name}', which ${index.name} maps to it`, path).as('InvalidShardIndex');
    }
  }
}

/** total_size, when present, must equal the sum of the shards' tensor bytes. */
export function checkTotalSize(index: SafetensorsIndex, tensorBytes: number): void {
  if (index.totalSize === null || index.totalSize === tensorBytes) return;
  throw new ModelValidationError(
    `${index.name} says metadata.total_size is ${index.totalSize} bytes but its shards hold ${tensorBytes} bytes of tensor data`,
    index.name,
  ).as('InvalidShardIndex');
}
