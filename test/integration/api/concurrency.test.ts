// Version numbering under concurrency: parallel creates on one set get V1…Vn with no gap and no
// duplicate, and numbers are never reused after a delete.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { call, startServer, type TestServer } from '../../helpers/harness.js';
import { createSet, makeBucket, transformersImport } from '../../helpers/api.js';

let s: TestServer;
before(async () => {
  s = await startServer();
  makeBucket(s, 'test', 'model');
});
after(() => s.close());

const versionNo = (name: string): number => {
  assert.match(name, /^V\d+$/);
  return Number(name.slice(1));
};

async function names(setId: string): Promise<Map<string, string>> {
  const d = await call(s, s.key, 'DescribeModelSet', { modelSetId: setId });
  return new Map(d.modelVersionList.map((v: any) => [v.modelId, v.modelName]));
}

test('50 parallel creates on one set give exactly V1…V50; after deleting V3 the next is V51', async () => {
  const set = await createSet(s, s.key);
  const created = await Promise.all(Array.from({ length: 50 }, () => call(s, s.key, 'CreateCustomModel', transformersImport(set.modelSetId))));
  const ids = created.map((c) => c.modelId);
  assert.equal(new Set(ids).size, 50, 'distinct model ids');

  const byId = await names(set.modelSetId);
  assert.equal(byId.size, 50);
  const numbers = ids.map((id) => versionNo(byId.get(id)!)).sort((a, b) => a - b);
  assert.deepEqual(numbers, Array.from({ length: 50 }, (_, i) => i + 1));

  const v3 = ids.find((id) => byId.get(id) === 'V3')!;
  assert.equal(await call(s, s.key, 'DeleteModel', { modelId: v3 }), true);
  const next = await call(s, s.key, 'CreateCustomModel', transformersImport(set.modelSetId));
  assert.equal((await call(s, s.key, 'DescribeModel', { modelId: next.modelId })).modelName, 'V51');

  // Deleting the newest does not hand its number out again either.
  assert.equal(await call(s, s.key, 'DeleteModel', { modelId: next.modelId }), true);
  const again = await call(s, s.key, 'CreateCustomModel', transformersImport(set.modelSetId));
  assert.equal((await call(s, s.key, 'DescribeModel', { modelId: again.modelId })).modelName, 'V52');

  const final = [...(await names(set.modelSetId)).values()].map(versionNo).sort((a, b) => a - b);
  assert.equal(final.length, 50);
  assert.ok(!final.includes(3) && !final.includes(51) && final.includes(52));
});

test('parallel creates on two sets number each set on its own', async () => {
  const a = await createSet(s, s.key);
  const b = await createSet(s, s.key);
  await Promise.all(Array.from({ length: 20 }, (_, i) => call(s, s.key, 'CreateCustomModel', transformersImport(i % 2 ? a.modelSetId : b.modelSetId))));
  for (const set of [a, b]) {
    const numbers = [...(await names(set.modelSetId)).values()].map(versionNo).sort((x, y) => x - y);
    assert.deepEqual(numbers, Array.from({ length: 10 }, (_, i) => i + 1));
  }
});

test('parallel deletes and creates never produce a duplicate number', async () => {
  const set = await createSet(s, s.key);
  const first = await Promise.all(Array.from({ length: 10 }, () => call(s, s.key, 'CreateCustomModel', transformersImport(set.modelSetId))));
  await Promise.all([
    ...first.slice(0, 5).map((v) => call(s, s.key, 'DeleteModel', { modelId: v.modelId })),
    ...Array.from({ length: 10 }, () => call(s, s.key, 'CreateCustomModel', transformersImport(set.modelSetId))),
  ]);
  const numbers = [...(await names(set.modelSetId)).values()].map(versionNo).sort((x, y) => x - y);
  assert.equal(numbers.length, 15);
  assert.equal(new Set(numbers).size, 15);
  assert.deepEqual(numbers.filter((n) => n > 10), Array.from({ length: 10 }, (_, i) => i + 11));
});

test('a set deleted while creates race with it: each create either lands in order or is 404', async () => {
  const set = await createSet(s, s.key);
  const results = await Promise.allSettled([
    ...Array.from({ length: 5 }, () => call(s, s.key, 'CreateCustomModel', transformersImport(set.modelSetId))),
    call(s, s.key, 'DeleteModelSet', { modelSetId: set.modelSetId }),
  ]);
  for (const r of results) {
    if (r.status === 'rejected') assert.match(String(r.reason), /status = (404[\s\S]*ModelSetNotFound|409[\s\S]*ModelSetNotEmpty)/);
  }
  const deleted = results[5]!.status === 'fulfilled';
  const landed = results.slice(0, 5).filter((r) => r.status === 'fulfilled').length;
  if (deleted) assert.equal(landed, 0, 'a deleted set holds no versions');
  else assert.ok(landed > 0);
});
