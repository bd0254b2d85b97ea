// Keyset pages in SQL, for every listing: rows from the marker row on (inclusive) in the listing's
// order, as ONE comparison on the order's columns — a row value `(key, id) >= (?, ?)` for a
// (sort key, id) order, a plain `key >= ?` when the key alone is unique. Both databases turn that
// into a range scan of the index whose columns are (equality filters…, key[, id]), so a page deep in
// a long listing costs what the first one does; an OR-expanded `key > ? OR (key = ? AND id >= ?)`
// is not one index range to the planners, and OFFSET reads every skipped row.
// test/integration/store/query-plans.test.ts pins each listing's plan on both databases.
// The paging rule (maxKeys, marker lookup, nextMarker) is the domain's: src/domain/paging.ts.
import type { SelectQueryBuilder, StringReference } from 'kysely';

export interface KeysetPage {
  /** The marker row's values of the order columns, in order; undefined for a first page. */
  from?: readonly (string | number)[];
  limit: number;
  reverse: boolean;
}

/** What a repo's listing takes: the marker's row (the repo knows its order's columns), the size, the way. */
export interface PageOf<Row> {
  /** Inclusive: the first row of the page; undefined for a first page. */
  marker?: Row;
  limit: number;
  reverse: boolean;
}

/** `order`: the sort key, then the id that breaks its ties (omit it when the key is unique). */
export function keysetPage<DB, TB extends keyof DB, O>(
  q: SelectQueryBuilder<DB, TB, O>,
  order: readonly [StringReference<DB, TB>] | readonly [StringReference<DB, TB>, StringReference<DB, TB>],
  p: KeysetPage,
): SelectQueryBuilder<DB, TB, O> {
  const [key, id] = order;
  const cmp = p.reverse ? '<=' : '>=';
  if (p.from) {
    if (p.from.length !== order.length) throw new Error(`keyset marker has ${p.from.length} values for ${order.length} order columns`);
    const [k, i] = p.from;
    // Kysely types refTuple/tuple per column; the values come from the marker row of the same columns.
    q = id === undefined ? q.where(key, cmp, k as never) : q.where((eb) => eb(eb.refTuple(key as never, id as never), cmp, eb.tuple(k as never, i as never)));
  }
  const dir = p.reverse ? 'desc' : 'asc';
  q = q.orderBy(key, dir);
  if (id !== undefined) q = q.orderBy(id, dir);
  return q.limit(p.limit);
}
