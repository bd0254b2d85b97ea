// Races that a single SQLite connection serialises for free but PostgreSQL, with a pool of
// connections, runs for real: both must give the same, clean answers.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { writeTinyCausalLM } from '../../fixtures/model-builder.js';
import { call, parseSdkError, sdk, startServer, type Key, type TestServer } from '../../helpers/harness.js';
import { importBody, versionsOf } from '../scale/scale-helpers.js';

const db = process.env.MODELREG_TEST_DATABASE ? 'PostgreSQL' : 'SQLite';
let server: TestServer;

before(async () => {
  server = await startServer();
  await writeTinyCausalLM(path.join(server.app.config.bucketsDir, 'models', 'tiny'));
});
after(() => server.close());

/** The outcome of a call: 'ok', or the error code and status (a 500 shows as InternalError/500). */
async function outcome(action: string, data: Record<string, unknown>): Promise<string> {
  try {
    await sdk(server.url, server.key, '/v2/model', action, data);
    return 'ok';
  } catch (err) {
    const e = parseSdkError(err);
    return `${e.body.code ?? 'no code'}/${e.status}`;
  }
}

test(`${db}: 30 concurrent creates on one set get V1…V30`, async () => {
  const set = await call(server, server.key, 'CreateCustomModelSet', { modelSetName: 'concurrent', modelType: 'Text2Text' });
  await Promise.all(Array.from({ length: 30 }, (_, i) => call(server, server.key, 'CreateCustomModel', importBody(set.modelSetId, `c${i}`))));
  const names = (await versionsOf(server, server.key, set.modelSetId)).map((v) => v.modelName);
  assert.deepEqual(names, Array.from({ length: 30 }, (_, i) => `V${i + 1}`));
});

test(`${db}: DeleteModelSet racing CreateCustomModel: one of them wins cleanly, never a 500`, async () => {
  const seen = new Set<string>();
  for (let round = 0; round < 15; round++) {
    const set = await call(server, server.key, 'CreateCustomModelSet', { modelSetName: `race${round}`, modelType: 'Text2Text' });
    const [created, deleted] = await Promise.all([
      outcome('CreateCustomModel', importBody(set.modelSetId, 'racer')),
      outcome('DeleteModelSet', { modelSetId: set.modelSetId }),
    ]);
    const pair = `create ${created}, delete ${deleted}`;
    seen.add(pair);
    // Either the version was created first (the set is then not empty) or the set went first.
    assert.ok(
      pair === 'create ok, delete ModelSetNotEmpty/400' || pair === 'create ok, delete ModelSetNotEmpty/409' || (deleted === 'ok' && created.startsWith('ModelSetNotFound/')),
      pair,
    );
  }
  assert.ok(seen.size > 0);
});

// totalCount of the unfiltered listing is a counter kept by triggers (migration 0015), not a count
// per page: it must stay exact through concurrent creates (name conflicts included) and deletes,
// DeleteModelSet with deleteVersions among them.
test(`${db}: the sets' totalCount stays exact through concurrent creates and deletes`, async () => {
  const key = await server.newKey(`counted-${Math.random().toString(36).slice(2, 8)}`);
  const create = (name: string) => outcomeAs(key, 'CreateCustomModelSet', { modelSetName: name, modelType: 'Text2Text' });
  const total = async () => (await call(server, key, 'DescribeCustomModelSets', { maxKeys: 1 })).pageInfo.totalCount as number;
  // 30 names, 10 of them asked for twice at once: exactly one of each pair is created.
  const first = await Promise.all([...Array.from({ length: 30 }, (_, i) => create(`n${i}`)), ...Array.from({ length: 10 }, (_, i) => create(`n${i}`))]);
  assert.equal(first.filter((o) => o === 'ok').length, 30, first.join(' '));
  assert.equal(await total(), 30);
  const sets = await listAll(key);
  assert.equal(sets.length, 30);
  // Two sets get a version each (their imports may still run: deleteVersions stops them).
  for (const s of sets.slice(0, 2)) await call(server, key, 'CreateCustomModel', importBody(s.modelSetId, 'to delete'));
  const second = await Promise.all([
    ...sets.slice(0, 2).map((s) => outcomeAs(key, 'DeleteModelSet', { modelSetId: s.modelSetId, deleteVersions: true })),
    ...sets.slice(2, 12).map((s) => outcomeAs(key, 'DeleteModelSet', { modelSetId: s.modelSetId })),
    // The same set deleted twice at once: one delete counts, the other finds nothing.
    outcomeAs(key, 'DeleteModelSet', { modelSetId: sets[12]!.modelSetId }),
    outcomeAs(key, 'DeleteModelSet', { modelSetId: sets[12]!.modelSetId }),
    ...Array.from({ length: 10 }, (_, i) => create(`m${i}`)),
  ]);
  assert.equal(second.filter((o) => o === 'ok').length, 2 + 10 + 1 + 10, second.join(' '));
  assert.ok(second.includes('ModelSetNotFound/404') || second.includes('ModelSetNotFound/400'), second.join(' '));
  const left = await listAll(key);
  assert.equal(left.length, 30 - 13 + 10);
  assert.equal(await total(), left.length);
  // Another account's creates do not move this one's count.
  await call(server, server.key, 'CreateCustomModelSet', { modelSetName: 'elsewhere', modelType: 'Text2Text' });
  assert.equal(await total(), left.length);
});

// A label's totalCount is a counter per (account, label), kept by triggers (migration 0016): exact
// through concurrent creates, relabels and deletes whose sets share labels in opposite orders
// (the counters are taken in one order, so no two writers deadlock: every call answers ok).
test(`${db}: a label's totalCount stays exact through concurrent creates, relabels and deletes`, async () => {
  const key = await server.newKey(`labelled-${Math.random().toString(36).slice(2, 8)}`);
  const LABELS = ['a', 'b', 'c', 'd'];
  const rotate = (i: number) => [...LABELS.slice(i % 4), ...LABELS.slice(0, i % 4)].slice(0, 1 + (i % 3));
  const create = (i: number) => outcomeAs(key, 'CreateCustomModelSet', { modelSetName: `l${i}`, modelType: 'Text2Text', labels: rotate(i) });
  const first = await Promise.all(Array.from({ length: 24 }, (_, i) => create(i)));
  assert.deepEqual([...new Set(first)], ['ok']);
  const sets = await listAll(key);
  const second = await Promise.all([
    ...sets.slice(0, 12).map((s, i) => outcomeAs(key, 'UpdateModelSet', { modelSetId: s.modelSetId, labels: [...rotate(i + 1)].reverse() })),
    ...sets.slice(12, 18).map((s) => outcomeAs(key, 'DeleteModelSet', { modelSetId: s.modelSetId })),
    ...Array.from({ length: 8 }, (_, i) => create(100 + i)),
  ]);
  assert.deepEqual([...new Set(second)], ['ok']);
  for (const label of LABELS) {
    const found = await listAll(key, { label });
    const total = (await call(server, key, 'DescribeCustomModelSets', { label, maxKeys: 1 })).pageInfo.totalCount;
    assert.equal(total, found.length, label);
  }
  assert.equal((await listAll(key)).length, 24 - 6 + 8);
});

async function outcomeAs(key: Key, action: string, data: Record<string, unknown>): Promise<string> {
  try {
    await sdk(server.url, key, '/v2/model', action, data);
    return 'ok';
  } catch (err) {
    const e = parseSdkError(err);
    return `${e.body.code ?? 'no code'}/${e.status}`;
  }
}

/** Every set of the account, by following the pages (not trusting totalCount). */
async function listAll(key: Key, filter: Record<string, unknown> = {}): Promise<Array<{ modelSetId: string }>> {
  const out: Array<{ modelSetId: string }> = [];
  let marker = '';
  for (;;) {
    const r = await call(server, key, 'DescribeCustomModelSets', { ...filter, maxKeys: 7, ...(marker ? { marker } : {}) });
    out.push(...r.customModelSetList);
    if (!r.pageInfo.isTruncated) return out;
    marker = r.pageInfo.nextMarker;
  }
}
