// The one paging rule (src/domain/paging.ts) every listing answers with; the listings' own tests
// check it over HTTP, the query-plan tests check the SQL half.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clampMaxKeys, markerRow, pageRequest, toPage } from '../../src/domain/paging.js';

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
