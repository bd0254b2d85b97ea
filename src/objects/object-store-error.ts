// What an object store reports when it refuses or fails: a kind a caller can branch on and a
// message a user can act on. Stores know nothing of the API: ObjectStoreError is mapped to a wire
// error in one place (src/domain/errors/from-object-store.ts), used by the HTTP error handler.

export type ObjectStoreErrorKind =
  /** A bucket name, object key, prefix or range that breaks the naming rules (object-path.ts). */
  | 'InvalidName'
  /** The object exists but the store will not read or write it (hard-linked, sparse, linked bucket, wrong size). */
  | 'Refused'
  | 'NotFound'
  | 'BucketNotFound'
  /** Something else is in the way (a file where a bucket or directory should be, a taken bucket name). */
  | 'Conflict'
  /** The backend refused the registry's own credentials. */
  | 'AccessDenied'
  /** The backend is unreachable, timed out or failed (5xx): worth a retry. */
  | 'Unavailable'
  /** A write that would leave less free space than the store's reserve. */
  | 'NoSpace'
  /** A read that stopped delivering data. */
  | 'Stalled';

export class ObjectStoreError extends Error {
  constructor(
    readonly kind: ObjectStoreErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ObjectStoreError';
  }

  /** A verdict on the request or the objects (retrying will not help), rather than on the store's health. */
  get isRefusal(): boolean {
    return this.kind !== 'Unavailable' && this.kind !== 'NoSpace' && this.kind !== 'Stalled';
  }
}

/** The texts more than one store uses. */
export const STORE_ERRORS = {
  objectNotFound: (bucket: string, key: string) => new ObjectStoreError('NotFound', `object "${key}" does not exist in bucket "${bucket}"`),
  sizeMismatch: (key: string, declared: number | undefined, got: string) =>
    new ObjectStoreError('Refused', `body of "${key}" was ${got} bytes, but its declared size is ${declared}`),
  invalid: (field: string, why: string) => new ObjectStoreError('InvalidName', `${field} ${why}`),
};
