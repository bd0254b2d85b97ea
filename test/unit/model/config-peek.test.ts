// CheckBucketAccess's config.json peek (src/domain/model/source-location.ts) stays bounded when the
// file grows between its stat and its read: a writer appending to config.json in the user's bucket
// at that moment must not make the server buffer the whole file. The real local store, with the
// writer's append placed right after the stat.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { LocalObjectStore } from '../../../src/objects/local-store.js';
import { SourceLocations } from '../../../src/domain/model/source-location.js';

test('a config.json that grows past the bound after its stat is found but not read', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'modelreg-peek-'));
  try {
    const file = path.join(root, 'bkt', 'm', 'config.json');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, '{"transformers_version": "4.38.2", "pad": "');
    class GrowingAfterStat extends LocalObjectStore {
      override async stat(bucket: string, key: string) {
        const info = await super.stat(bucket, key);
        if (key.endsWith('config.json')) fs.appendFileSync(file, `${'x'.repeat(16 * 1024 * 1024)}"}`);
        return info;
      }
    }
    const reads: number[] = [];
    const store = new GrowingAfterStat(root);
    const read = store.read.bind(store);
    store.read = async (bucket, key, range) => {
      const s = await read(bucket, key, range);
      // Counts what the peek pulls (plus the few chunks Readable.from reads ahead).
      return Readable.from((async function* () {
        for await (const c of s) {
          reads.push((c as Buffer).length);
          yield c as Buffer;
        }
      })());
    };
    const peek = new SourceLocations(store, {}, { findAccountById: async () => ({ name: 'a' }) });
    const r = await peek.checkAccess('acc', 'bkt', 'm');
    assert.equal(r.configFound, true);
    assert.equal(r.configTransformersVersion, undefined);
    const total = reads.reduce((a, b) => a + b, 0);
    assert.ok(total <= 4 * 1024 * 1024, `read ${total} bytes of a file stat'ed under 256 KiB`);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});
