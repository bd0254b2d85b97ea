import assert from 'node:assert/strict';
import fs, { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createObjectStore } from '../../../src/objects/index.js';
import { useProcFd } from '../../../src/objects/inside-bucket.js';
import { LocalObjectStore, TEMP_PREFIX } from '../../../src/objects/local-store.js';
import { heldBody, keysOf, readText, registerConformanceTests, rejectsWith } from './conformance.js';

const tempDir = (tag: string) => fsp.mkdtemp(path.join(os.tmpdir(), `modelreg-${tag}-`));

registerConformanceTests(
  'local directory',
  async () => {
    const dir = await tempDir('local-conf');
    return { store: new LocalObjectStore(dir), teardown: () => fsp.rm(dir, { recursive: true, force: true }) };
  },
  { strictKeyOrder: true },
);

// Once as on Linux (handles located and directories entered through /proc/self/fd), once with the
// portable check used where /proc is missing. The swaps below run on this process's event loop, so
// they land between the store's asynchronous calls, never inside its synchronous checks: the second
// run shows the portable path holds against that, not against a swapper in another process that hits
// the microseconds of a check (SECURITY.md, class 5).
for (const withProc of [true, false])
describe(`LocalObjectStore specifics${withProc ? '' : ', without /proc'}`, { timeout: 60_000 }, () => {
  let dir: string;
  let store: LocalObjectStore;
  const bucketDir = () => path.join(dir, 'models');
  const tempFiles = async () => (await fsp.readdir(bucketDir())).filter((n) => n.startsWith(TEMP_PREFIX));

  before(async () => {
    useProcFd(withProc ? undefined : false);
    dir = await tempDir('local');
    store = new LocalObjectStore(dir);
    await store.createBucket('models');
  });
  after(() => {
    useProcFd(undefined);
    return fsp.rm(dir, { recursive: true, force: true });
  });

  it('puts racing deletes that prune emptied directories all succeed; a stored object in the way is still a conflict', async () => {
    // Imports of one account write under incoming/<account>/<version>/ while finished ones move
    // their files out, which prunes the emptied directories: Node's recursive mkdir then fails with
    // ENOENT, EEXIST or ENOTDIR mid-way (rarely: this run may not hit it, but it must never fail).
    // Two replicas' imports failed an attempt on it (test/integration/scale/replicas.test.ts).
    const worker = async (w: number) => {
      for (let r = 0; r < 100; r++) {
        const keys = ['config.json', 'model.safetensors'].map((f) => `incoming/acct/v${w}-${r}/attempt-1/${f}`);
        await Promise.all(keys.map((k) => store.write('models', k, Buffer.from('x'))));
        await Promise.all(keys.map((k, i) => store.move('models', k, `blobs/acct/${w}-${r}-${i}`)));
      }
    };
    // A janitor sweeping empty directories under incoming/ the whole time (as a restart's does).
    let writing = true;
    const sweep = async () => {
      while (writing) await store.pruneEmptyDirs('models', 'incoming/');
    };
    const sweeper = Promise.all([sweep(), sweep()]);
    await Promise.all([0, 1, 2, 3, 4, 5].map(worker)).finally(() => (writing = false));
    await sweeper;
    assert.deepEqual(await keysOf(store, 'models', 'incoming/'), []);
    assert.equal((await keysOf(store, 'models', 'blobs/acct/')).length, 6 * 100 * 2);
    await store.write('models', 'solid/file', Buffer.from('x'));
    await rejectsWith(store.write('models', 'solid/file/under', Buffer.from('y')), 'Conflict', /cannot hold an object and a directory/);
  });

  it('is what createObjectStore builds for kind "local"', () => {
    const s = createObjectStore({ kind: 'local', rootDir: dir });
    assert.ok(s instanceof LocalObjectStore);
    assert.equal(s.kind, 'local');
  });

  it('keeps one directory per bucket and objects as plain files', async () => {
    await store.write('models', 'm/config.json', Buffer.from('{}'));
    assert.equal(await fsp.readFile(path.join(dir, 'models', 'm', 'config.json'), 'utf8'), '{}');
  });

  it('uses size-mtime as the etag', async () => {
    const info = await store.write('models', 'etag.txt', Buffer.from('12345'));
    const st = await fsp.stat(path.join(bucketDir(), 'etag.txt'));
    assert.equal(info.etag, `5-${st.mtimeMs}`);
    assert.equal((await store.stat('models', 'etag.txt'))?.etag, `5-${st.mtimeMs}`);
  });

  it('writes through a hidden temp file that is never listed or addressable', async () => {
    const held = heldBody('partial');
    const writing = store.write('models', 'tmp-test/w.bin', held.body);
    for (const deadline = Date.now() + 5_000; (await tempFiles()).length === 0 && Date.now() < deadline; ) await sleep(10);
    const temps = await tempFiles();
    assert.equal(temps.length, 1);
    assert.ok(!(await keysOf(store, 'models')).some((k) => k.includes(TEMP_PREFIX)));
    assert.equal(await store.stat('models', temps[0]), null);
    await rejectsWith(store.write('models', `${TEMP_PREFIX}x`, Buffer.from('x')), 'InvalidParameter', /reserved/);
    held.finish(' done');
    await writing;
    assert.deepEqual(await tempFiles(), []);
    assert.equal(await readText(await store.read('models', 'tmp-test/w.bin')), 'partial done');
  });

  it('removes the temp file when a write fails, and never lists stale ones', async () => {
    const held = heldBody('doomed');
    const writing = store.write('models', 'fail.bin', held.body);
    await sleep(50);
    held.fail();
    await assert.rejects(writing);
    assert.deepEqual(await tempFiles(), []);
    await fsp.writeFile(path.join(bucketDir(), `${TEMP_PREFIX}stale`), 'left by a crash');
    assert.ok(!(await keysOf(store, 'models')).some((k) => k.startsWith(TEMP_PREFIX)));
    await fsp.rm(path.join(bucketDir(), `${TEMP_PREFIX}stale`));
  });

  it('follows symlinks only inside the bucket', async () => {
    await store.createBucket('links');
    const b = path.join(dir, 'links');
    const outside = await tempDir('outside');
    try {
      await fsp.writeFile(path.join(outside, 'secret'), 'do not leak');
      await fsp.writeFile(path.join(b, 'real.txt'), 'real');
      await store.createBucket('other');
      await fsp.writeFile(path.join(dir, 'other', 'theirs.txt'), 'other bucket');
      await fsp.symlink(path.join(outside, 'secret'), path.join(b, 'leak'));
      await fsp.symlink('../other/theirs.txt', path.join(b, 'cross-bucket'));
      await fsp.symlink('real.txt', path.join(b, 'alias.txt'));
      await fsp.symlink(outside, path.join(b, 'outdir'));
      await fsp.symlink('.', path.join(b, 'loop')); // a cycle: must not hang the walk
      await fsp.symlink('nowhere', path.join(b, 'dangling'));

      assert.deepEqual(await keysOf(store, 'links'), ['alias.txt', 'real.txt']);
      assert.equal(await store.stat('links', 'leak'), null);
      assert.equal(await store.stat('links', 'cross-bucket'), null);
      assert.equal(await store.stat('links', 'outdir/secret'), null);
      await rejectsWith(store.read('links', 'leak'), 'ResourceNotFound');
      await rejectsWith(store.read('links', 'outdir/secret'), 'ResourceNotFound');
      assert.equal(await readText(await store.read('links', 'alias.txt')), 'real');
      assert.deepEqual(await keysOf(store, 'links', 'outdir'), []);
      await rejectsWith(store.write('links', 'outdir/planted', Buffer.from('x')), 'InvalidParameter', /symbolic link/);
      await store.delete('links', 'outdir/secret');
      assert.deepEqual((await fsp.readdir(outside)).sort(), ['secret']); // nothing written or deleted outside
    } finally {
      await fsp.rm(outside, { recursive: true, force: true });
    }
  });

  /**
   * A tenant who can write its bucket directory swaps a directory `<parent>/d` and a link
   * `<parent>/other` to an outside directory in a loop. `round` runs (8 at once) for about a second
   * meanwhile; it gets the directory's real place right now (synchronous code runs between swaps).
   */
  async function underFlips(parent: string, round: (realDir: () => string) => Promise<void>, ms = 1_000): Promise<number> {
    const [d, other, swap] = ['d', 'other', 'swap'].map((n) => path.join(parent, n));
    let flipping = true;
    const flip = () => {
      if (!flipping) return;
      fs.renameSync(other, swap);
      fs.renameSync(d, other);
      // A write's mkdir may make a new d/ in the moment it is missing (inside the bucket): dropped.
      for (let tries = 0; ; tries++) {
        try {
          fs.renameSync(swap, d);
          break;
        } catch (e) {
          if (tries > 100 || !fs.existsSync(d)) throw e;
          fs.rmSync(d, { recursive: true, force: true });
        }
      }
      setImmediate(flip);
    };
    setImmediate(flip);
    const realDir = () => (fs.lstatSync(d).isDirectory() ? d : other);
    let rounds = 0;
    try {
      for (const until = Date.now() + ms; Date.now() < until; ) {
        await Promise.all(Array.from({ length: 8 }, () => round(realDir).finally(() => rounds++)));
      }
    } finally {
      flipping = false;
    }
    return rounds;
  }

  const SECRET = 'SECRET outside the bucket';
  /** A bucket with d/f.txt inside and, outside, f.txt (SECRET), only-outside.txt and sub/deep.txt; `other` links outside. */
  async function flipBucket(bucket: string, test: (b: string, outside: string) => Promise<void>): Promise<void> {
    await store.createBucket(bucket);
    const b = path.join(dir, bucket);
    const outside = await tempDir('flip-outside');
    try {
      await fsp.mkdir(path.join(b, 'd'));
      await fsp.writeFile(path.join(b, 'd', 'f.txt'), 'inside');
      await fsp.writeFile(path.join(b, 'd', 'keep'), 'never emptied, never pruned');
      await fsp.writeFile(path.join(outside, 'f.txt'), SECRET);
      await fsp.writeFile(path.join(outside, 'only-outside.txt'), SECRET);
      await fsp.mkdir(path.join(outside, 'sub'));
      await fsp.writeFile(path.join(outside, 'sub', 'deep.txt'), SECRET);
      await fsp.symlink(outside, path.join(b, 'other'));
      await test(b, outside);
    } finally {
      await fsp.rm(outside, { recursive: true, force: true });
    }
  }
  const outsideFiles = (outside: string) => fsp.readdir(outside, { recursive: true }).then((names) => names.map(String).sort());

  it('never reads outside the bucket when a directory on the path is swapped for a link while a key is opened', async () => {
    // A read that resolved the path while it was the directory, then opened it once it was the link,
    // read the outside file (before the fix, over a thousand times in a second here).
    await flipBucket('flips', async (b) => {
      const got = { inside: 0, outside: 0, refused: 0 };
      await underFlips(b, async () => {
        try {
          const text = await readText(await store.read('flips', 'd/f.txt'));
          got[text === SECRET ? 'outside' : 'inside']++;
        } catch {
          got.refused++;
        }
      });
      assert.equal(got.outside, 0, `read the file outside the bucket ${got.outside} times (${JSON.stringify(got)})`);
      assert.ok(got.inside + got.refused > 100, JSON.stringify(got));
    });
  });

  it('never stats or lists files outside the bucket while a directory on the path is swapped for a link', async () => {
    // stat resolved d/f.txt inside, then stat'ed the path through the link: the outside file's size
    // and mtime; a listing read d/ through the link: the names of outside files.
    await flipBucket('flip-stat', async (b) => {
      const leaks: string[] = [];
      const got = { stats: 0, keys: 0 };
      const rounds = await underFlips(b, async () => {
        const [st, keys] = await Promise.all([
          store.stat('flip-stat', 'd/f.txt'),
          (async () => {
            const all = [];
            for await (const o of store.list('flip-stat', '')) all.push(o);
            for await (const o of store.list('flip-stat', 'd')) all.push(o);
            return all;
          })(),
        ]);
        if (st !== null) got.stats++;
        if (st?.size === SECRET.length) leaks.push(`stat d/f.txt: ${st.size} bytes`);
        for (const o of keys) {
          got.keys++;
          if (/only-outside|deep/.test(o.key) || o.size === SECRET.length) leaks.push(`listed ${o.key} (${o.size} bytes)`);
        }
      });
      assert.deepEqual(leaks.slice(0, 5), [], `${leaks.length} outside files reported (${JSON.stringify(got)})`);
      assert.ok(rounds > 50, `${rounds} rounds`);
      // Each step of the store waits for the loop, where a swap runs: most answers are "not found".
      const realDir = fs.lstatSync(path.join(b, 'd')).isDirectory() ? 'd' : 'other';
      assert.equal((await store.stat('flip-stat', `${realDir}/f.txt`))?.size, 'inside'.length);
      assert.deepEqual(await keysOf(store, 'flip-stat'), [`${realDir}/f.txt`, `${realDir}/keep`]);
    });
  });

  it('never deletes, moves or writes outside the bucket while a directory on the path is swapped for a link', async () => {
    // delete resolved d/f.txt inside and unlinked it through the link; a move renamed the outside file
    // into the bucket; a write renamed its new file into the outside directory.
    await flipBucket('flip-del', async (b, outside) => {
      await fsp.writeFile(path.join(outside, 'mv.txt'), SECRET);
      const before = await outsideFiles(outside);
      const moved: string[] = [];
      let n = 0;
      await underFlips(b, async (realDir) => {
        const i = n++;
        fs.writeFileSync(path.join(realDir(), 'f.txt'), 'inside');
        fs.writeFileSync(path.join(realDir(), 'mv.txt'), 'inside');
        await Promise.allSettled([
          store.delete('flip-del', 'd/f.txt'),
          store.move('flip-del', 'd/mv.txt', `moved/m${i}`),
          store.write('flip-del', `d/w${i}`, Buffer.from('written')),
        ]);
        const text = fs.existsSync(path.join(b, 'moved', `m${i}`)) ? fs.readFileSync(path.join(b, 'moved', `m${i}`), 'utf8') : null;
        if (text === SECRET) moved.push(`m${i}`);
      });
      const after = await outsideFiles(outside);
      const changed = { gone: before.filter((f) => !after.includes(f)), planted: after.filter((f) => !before.includes(f)).length, movedIn: moved.length };
      assert.deepEqual(changed, { gone: [], planted: 0, movedIn: 0 }, 'files outside the bucket were deleted, written or moved in');
      assert.equal(await fsp.readFile(path.join(outside, 'f.txt'), 'utf8'), SECRET);
      assert.ok(n > 40, `${n} rounds`);
      // Without swaps the same calls act inside.
      const realDir = fs.lstatSync(path.join(b, 'd')).isDirectory() ? 'd' : 'other';
      await store.write('flip-del', `${realDir}/mv.txt`, Buffer.from('x'));
      await store.move('flip-del', `${realDir}/mv.txt`, 'moved/last');
      await store.delete('flip-del', `${realDir}/keep`);
      assert.equal(fs.existsSync(path.join(b, realDir, 'keep')), false);
      assert.equal(fs.readFileSync(path.join(b, 'moved', 'last'), 'utf8'), 'x');
    });
  });

  it('never prunes directories outside the bucket while a directory under the prefix is swapped for a link', async () => {
    // pruneEmptyDirs listed p/d/ through the link and removed the outside directory's empty sub-directories.
    await flipBucket('flip-prune', async (b, outside) => {
      const p = path.join(b, 'p');
      await fsp.mkdir(p);
      await fsp.rename(path.join(b, 'd'), path.join(p, 'd'));
      await fsp.rename(path.join(b, 'other'), path.join(p, 'other'));
      for (const e of ['e1', 'e2']) await fsp.mkdir(path.join(outside, e));
      const before = await outsideFiles(outside);
      const rounds = await underFlips(p, async (realDir) => {
        for (const e of ['e1', 'e2']) fs.mkdirSync(path.join(realDir(), e), { recursive: true });
        await store.pruneEmptyDirs('flip-prune', 'p');
      });
      const after = await outsideFiles(outside);
      assert.deepEqual(before.filter((f) => !after.includes(f)), [], 'empty directories outside the bucket were removed');
      assert.ok(rounds > 50, `${rounds} rounds`);
      // Without swaps the same prune empties the directory inside.
      const realDir = fs.lstatSync(path.join(p, 'd')).isDirectory() ? 'd' : 'other';
      await fsp.mkdir(path.join(p, realDir, 'e1'), { recursive: true });
      await store.pruneEmptyDirs('flip-prune', 'p');
      assert.deepEqual((await fsp.readdir(path.join(p, realDir))).sort(), ['f.txt', 'keep']);
    });
  });

  it('only treats directories with valid bucket names as buckets', async () => {
    await fsp.mkdir(path.join(dir, 'Not_A_Bucket'));
    await rejectsWith(store.bucketExists('Not_A_Bucket'), 'InvalidParameter', /bucket name/);
    await fsp.writeFile(path.join(dir, 'plain-file'), 'x');
    assert.equal(await store.bucketExists('plain-file'), false);
    await rejectsWith(store.createBucket('plain-file'), 'Conflict');
  });

  it('reports an object/directory clash as a Conflict', async () => {
    await store.write('models', 'clash/file', Buffer.from('x'));
    await rejectsWith(store.write('models', 'clash/file/inner', Buffer.from('y')), 'Conflict');
    await rejectsWith(store.write('models', 'clash', Buffer.from('y')), 'Conflict');
    assert.deepEqual(await tempFiles(), []);
  });

  it('explains keys the local filesystem cannot hold', async () => {
    const key = `long/${'x'.repeat(300)}`; // fine for S3, too long for one file name here
    await rejectsWith(store.write('models', key, Buffer.from('x')), 'InvalidParameter', /too long for the local filesystem/);
    assert.equal(await store.stat('models', key), null);
    assert.deepEqual(await tempFiles(), []);
  });

  it('prunes directories emptied by delete, but keeps the bucket', async () => {
    await store.createBucket('prune');
    await store.write('prune', 'a/b/c/only.bin', Buffer.from('x'));
    await store.delete('prune', 'a/b/c/only.bin');
    assert.deepEqual(await fsp.readdir(path.join(dir, 'prune')), []);
    await store.write('prune', 'top', Buffer.from('x'));
    await store.delete('prune', 'top');
    assert.equal(await store.bucketExists('prune'), true);
  });

  it('skips files whose names are not valid keys', async () => {
    await store.createBucket('odd');
    await fsp.writeFile(path.join(dir, 'odd', 'back\\slash'), 'x');
    await fsp.writeFile(path.join(dir, 'odd', 'new\nline'), 'x');
    await fsp.writeFile(path.join(dir, 'odd', 'fine'), 'x');
    assert.deepEqual(await keysOf(store, 'odd'), ['fine']);
  });
});
