// Local store benchmark: what checking that list and stat act inside the bucket costs
// (src/objects/inside-bucket.ts), against plain fs calls doing the same walk in the same run.
//
//   node --import tsx bench/local-store.ts
//   BENCH_BASELINE_ROOT=/path/to/older/checkout node --import tsx bench/local-store.ts   (adds "before")
// Environment (all optional):
//   BENCH_LS_FLAT=20000     files in one directory
//   BENCH_LS_DIRS=200       directories of the tree, BENCH_LS_PER_DIR=50 files each
//   BENCH_LS_STATS=5000     stat calls (keys of the tree, in turn)
//   BENCH_LS_ROUNDS=5       rounds; the median of each is reported
//
// Targets, one after the other in every round, on the same files (page cache warm after round 1):
// - floor: readdir(withFileTypes) and stat per file by path, recursively (the walk with no check);
// - store: LocalObjectStore.list / stat of this checkout (on Linux through /proc/self/fd);
// - portable: the same store with the check used where /proc is missing (useProcFd(false));
// - before: the store of BENCH_BASELINE_ROOT, when given.
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { useProcFd } from '../src/objects/inside-bucket.js';
import { LocalObjectStore } from '../src/objects/local-store.js';
import type { ObjectStore } from '../src/objects/object-store.js';

const num = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const FLAT = num('BENCH_LS_FLAT', 20_000);
const DIRS = num('BENCH_LS_DIRS', 200);
const PER_DIR = num('BENCH_LS_PER_DIR', 50);
const STATS = num('BENCH_LS_STATS', 5_000);
const ROUNDS = num('BENCH_LS_ROUNDS', 5);

async function floorWalk(dir: string): Promise<number> {
  let n = 0;
  for (const e of await fsp.readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) n += await floorWalk(full);
    else if ((await fsp.stat(full)).isFile()) n++;
  }
  return n;
}

async function count(store: ObjectStore, bucket: string): Promise<number> {
  let n = 0;
  for await (const _ of store.list(bucket, '')) n++;
  return n;
}

async function time(fn: () => Promise<unknown>): Promise<number> {
  const t = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t) / 1e6;
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const root = await fsp.mkdtemp(path.join(os.tmpdir(), 'modelreg-bench-ls-'));
try {
  await fsp.mkdir(path.join(root, 'flat'));
  for (let i = 0; i < FLAT; i++) await fsp.writeFile(path.join(root, 'flat', `f${i}.bin`), 'x');
  const treeKeys: string[] = [];
  for (let d = 0; d < DIRS; d++) {
    await fsp.mkdir(path.join(root, 'tree', `d${d}`, 'sub'), { recursive: true });
    for (let i = 0; i < PER_DIR; i++) {
      await fsp.writeFile(path.join(root, 'tree', `d${d}`, 'sub', `f${i}.bin`), 'x');
      treeKeys.push(`d${d}/sub/f${i}.bin`);
    }
  }
  const store = new LocalObjectStore(root);
  const targets: [string, () => void, ObjectStore | null][] = [
    ['floor', () => undefined, null],
    ['store', () => useProcFd(undefined), store],
    ['portable', () => useProcFd(false), store],
  ];
  const before = process.env.BENCH_BASELINE_ROOT;
  if (before) {
    const mod = (await import(pathToFileURL(path.join(before, 'src/objects/local-store.ts')).href)) as { LocalObjectStore: new (dir: string) => ObjectStore };
    targets.push(['before', () => useProcFd(undefined), new mod.LocalObjectStore(root)]);
  }
  const results = new Map<string, { flat: number[]; tree: number[]; stat: number[] }>();
  for (const [name] of targets) results.set(name, { flat: [], tree: [], stat: [] });
  const statKeys = Array.from({ length: STATS }, (_, i) => treeKeys[i % treeKeys.length]);
  for (let r = 0; r < ROUNDS; r++) {
    for (const [name, setup, s] of targets) {
      setup();
      const res = results.get(name)!;
      let n = 0;
      res.flat.push(await time(async () => (n = s ? await count(s, 'flat') : await floorWalk(path.join(root, 'flat')))));
      if (n !== FLAT) throw new Error(`${name} listed ${n} of ${FLAT} files`);
      res.tree.push(await time(async () => (n = s ? await count(s, 'tree') : await floorWalk(path.join(root, 'tree')))));
      if (n !== DIRS * PER_DIR) throw new Error(`${name} listed ${n} of ${DIRS * PER_DIR} files`);
      res.stat.push(
        await time(async () => {
          for (const k of statKeys) {
            const ok = s ? (await s.stat('tree', k)) !== null : (await fsp.stat(path.join(root, 'tree', k))).isFile();
            if (!ok) throw new Error(`${name}: stat ${k} missing`);
          }
        }),
      );
    }
  }
  useProcFd(undefined);
  const floor = results.get('floor')!;
  const rows = [...results].map(([name, r]) => {
    const cell = (xs: number[], base: number[], per: number) =>
      `${median(xs).toFixed(0)} ms (${((median(xs) * 1000) / per).toFixed(1)} µs each, ×${(median(xs) / median(base)).toFixed(2)})`;
    return `| ${name} | ${cell(r.flat, floor.flat, FLAT)} | ${cell(r.tree, floor.tree, DIRS * PER_DIR)} | ${cell(r.stat, floor.stat, STATS)} |`;
  });
  process.stdout.write(
    [
      `| target | list ${FLAT} files in one directory | list ${DIRS} dirs × ${PER_DIR} files | ${STATS} × stat |`,
      '| --- | --- | --- | --- |',
      ...rows,
      '',
      `(${os.cpus().length} cores, Node ${process.version}, ${ROUNDS} rounds, medians; ×: against the floor)`,
      '',
    ].join('\n'),
  );
} finally {
  await fsp.rm(root, { recursive: true, force: true });
}
