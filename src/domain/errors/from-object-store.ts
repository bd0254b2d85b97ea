// The one place an object store's failure becomes an API error. Stores (src/objects) report
// ObjectStoreError and know nothing of wire codes; the domain and the jobs let those errors pass
// (or judge them by kind, as the import does), and the HTTP error handler and the CLI's error
// printer turn them into envelope errors here. The message is the store's own: it names the bucket
// and key and says what to do. The metadata database's refusals of a string join them here
// (from-metadata-store.ts), so both stores are mapped through this one function.
import type { ObjectStoreErrorKind } from '../../objects/object-store-error.js';
import { ObjectStoreError } from '../../objects/object-store-error.js';
import { ApiError, type ErrorKind } from '../errors.js';
import { fromMetadataStore } from './from-metadata-store.js';

/** null: not the client's doing and nothing to promise; the error stays a logged 500 (or "storage full" for NoSpace's ENOSPC). */
const WIRE: Record<ObjectStoreErrorKind, ErrorKind | null> = {
  InvalidName: 'InvalidParameter',
  Refused: 'InvalidParameter',
  NotFound: 'ResourceNotFound',
  BucketNotFound: 'BucketNotFound',
  Conflict: 'Conflict',
  AccessDenied: 'AccessDenied',
  Unavailable: 'ServiceUnavailable',
  NoSpace: null,
  Stalled: null,
};

/** The API error that `err` is answered with, when it has one: an ApiError itself, or a mapped store error. */
export function asApiError(err: unknown): ApiError | undefined {
  if (err instanceof ApiError) return err;
  if (!(err instanceof ObjectStoreError)) return fromMetadataStore(err);
  const kind = WIRE[err.kind];
  return kind === null ? undefined : Object.assign(new ApiError(kind, err.message), { cause: err });
}
