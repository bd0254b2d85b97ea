// The one paging rule (src/domain/paging.ts) every listing answers with; the listings' own tests
// check it over HTTP, the query-plan tests check the SQL half.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clampMaxKeys, markerRow, pageRequest, readPage, toPage } from '../../../src/domain/paging.js';

test('maxKeys: 10 when absent, above 100 served as 100; a listing may have its own rule', () => {
  assert.equal(clampMaxKeys(undefined), 10);
  assert.equal(clampMaxKeys(7), 7);
  assert.equal(clampMaxKeys(100_000), 100);
  assert.equal(clampMaxKeys(undefined, { fallback: 100, max: 1000 }), 100);
  assert.deepEqual(pageRequest({ marker: '', maxKeys: 500 }), { marker: undefined, maxKeys: 100, pageReverse: false });
});

test('a page shows maxKeys rows; the one read beyond them is the next marker', () => {
  const req = pageRequest({ marker: 'b', maxKeys: 2, pageReverse: true });
  assert.deepEqual(toPage(['b', 'c', 'd'], req, (r) => r), { items: ['b', 'c'], marker: 'b', maxKeys: 2, pageReverse: true, isTruncated: true, nextMarker: 'd' });
  assert.deepEqual(toPage(['b', 'c'], req, (r) => r), { items: ['b', 'c'], marker: 'b', maxKeys: 2, pageReverse: true, isTruncated: false, nextMarker: '' });
});

test('an unknown marker is an InvalidParameter naming the listing, never an empty page', async () => {
  assert.equal(await markerRow(pageRequest({}), async () => 'never asked', 'a thing'), undefined);
  assert.equal(await markerRow(pageRequest({ marker: 'x' }), async (id) => `row ${id}`, 'a thing'), 'row x');
  await assert.rejects(markerRow(pageRequest({ marker: 'x' }), async () => undefined, 'a thing of this account'), {
    code: 'InvalidParameter',
    message: 'marker x does not name a thing of this account; pass the nextMarker of a previous page',
  });
});

test('readPage looks the marker up, reads maxKeys + 1 rows from it and pages them', async () => {
  const all = ['a', 'b', 'c', 'd', 'e'].map((id) => ({ id }));
  const listing = {
    marker: async (id: string) => all.find((r) => r.id === id),
    what: 'a letter',
    rows: async (marker: { id: string } | undefined, limit: number) => all.slice(marker ? all.indexOf(marker) : 0).slice(0, limit),
  };
  const first = await readPage(pageRequest({ maxKeys: 2 }), listing);
  assert.deepEqual([first.items.map((r) => r.id), first.nextMarker, first.isTruncated], [['a', 'b'], 'c', true]);
  const last = await readPage(pageRequest({ marker: first.nextMarker, maxKeys: 3 }), listing);
  assert.deepEqual([last.items.map((r) => r.id), last.nextMarker, last.isTruncated, last.marker], [['c', 'd', 'e'], '', false, 'c']);
  await assert.rejects(readPage(pageRequest({ marker: 'z' }), listing), { code: 'InvalidParameter' });
});
