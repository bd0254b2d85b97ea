// The paging rule every listing answers with (Qianfan's marker paging), written once:
//  - maxKeys: 10 when absent, values above 100 served as 100 (Qianfan's documented behaviour);
//  - marker: the id of the FIRST row of the page (a previous page's nextMarker); a marker that names
//    no row of the listing is an InvalidParameter, never an empty, complete-looking page;
//  - a listing reads maxKeys + 1 rows from the marker: the extra row, when there is one, is the
//    nextMarker and makes isTruncated true.
// The SQL half (a keyset range from the marker row's sort key, in one index scan) is
// src/store/keyset.ts: the store never imports the domain, so the rule lives here and the query there.
import { ERRORS } from './errors/catalogue.js';

export interface MaxKeysRule {
  /** When the request gives none. */
  fallback: number;
  /** Larger requests are served with this many (not refused). */
  max: number;
}

export const QIANFAN_MAX_KEYS: MaxKeysRule = { fallback: 10, max: 100 };

export interface PageRequest {
  /** Undefined for the first page ('' on the wire reads as none). */
  marker?: string;
  maxKeys: number;
  pageReverse: boolean;
}

export interface Page<T> {
  items: T[];
  /** The marker asked for, '' for the first page. */
  marker: string;
  maxKeys: number;
  pageReverse: boolean;
  isTruncated: boolean;
  nextMarker: string;
}

export function clampMaxKeys(asked: number | undefined, rule: MaxKeysRule = QIANFAN_MAX_KEYS): number {
  return Math.min(asked ?? rule.fallback, rule.max);
}

/** A request's paging fields as the listings read them. */
export function pageRequest(body: { marker?: string; maxKeys?: number; pageReverse?: boolean }, rule: MaxKeysRule = QIANFAN_MAX_KEYS): PageRequest {
  return { marker: body.marker || undefined, maxKeys: clampMaxKeys(body.maxKeys, rule), pageReverse: body.pageReverse ?? false };
}

/** How many rows a listing reads for a page: one more than it shows, to learn the next marker. */
export const rowsToRead = (req: PageRequest): number => req.maxKeys + 1;

/** The page from the rows read from the marker on (at most rowsToRead of them). */
export function toPage<T>(rows: readonly T[], req: PageRequest, idOf: (row: T) => string): Page<T> {
  const next = rows[req.maxKeys];
  return {
    items: rows.slice(0, req.maxKeys),
    marker: req.marker ?? '',
    maxKeys: req.maxKeys,
    pageReverse: req.pageReverse,
    isTruncated: next !== undefined,
    nextMarker: next !== undefined ? idOf(next) : '',
  };
}

/** `what` completes "does not name …", e.g. "a model set of this account". */
export const unknownMarker = ERRORS.UnknownMarker;

/**
 * The marker's row, looked up with `find` (which returns undefined for a row outside the listing),
 * or undefined for a first page; an unknown marker is refused with unknownMarker.
 */
export async function markerRow<R>(req: PageRequest, find: (id: string) => Promise<R | undefined>, what: string): Promise<R | undefined> {
  if (req.marker === undefined) return undefined;
  const row = await find(req.marker);
  if (row === undefined) throw unknownMarker(req.marker, what);
  return row;
}

/** How a listing in the database reads (its SQL is a store/keyset.ts range from the marker row). */
export interface Listing<M, R> {
  /** The marker's row when it belongs to the listing, else undefined. */
  marker: (id: string) => Promise<M | undefined>;
  /** Completes "marker … does not name …". */
  what: string;
  /** `limit` rows in the listing's order from the marker row (inclusive), or from the start. */
  rows: (marker: M | undefined, limit: number) => Promise<R[]>;
}

/** A page of a listing in the database: the marker looked up, maxKeys + 1 rows read, the rule applied. */
export async function readPage<M, R extends { id: string }>(req: PageRequest, listing: Listing<M, R>): Promise<Page<R>> {
  const marker = await markerRow(req, listing.marker, listing.what);
  return toPage(await listing.rows(marker, rowsToRead(req)), req, (r) => r.id);
}
