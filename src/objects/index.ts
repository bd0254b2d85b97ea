// Entry point of the object-storage layer: picks a backend from configuration.
import { LocalObjectStore, type LocalStoreOptions } from './local-store.js';
import type { ObjectStore } from './object-store.js';
import { S3ObjectStore, type S3StoreOptions } from './s3-store.js';

export type ObjectStoreConfig = ({ kind: 'local'; rootDir: string } & LocalStoreOptions) | ({ kind: 's3' } & S3StoreOptions);

export function createObjectStore(config: ObjectStoreConfig): ObjectStore {
  switch (config.kind) {
    case 'local':
      const { kind: _kind, rootDir, ...options } = config;
      return new LocalObjectStore(rootDir, options);
    case 's3': {
      const { kind: _kind, ...options } = config;
      return new S3ObjectStore(options);
    }
    default: {
      const unknown: never = config;
      throw new Error(`unknown object store kind: ${JSON.stringify((unknown as { kind?: unknown }).kind)}`);
    }
  }
}

export type { ObjectInfo, ObjectStore } from './object-store.js';
export { LocalObjectStore } from './local-store.js';
export { S3ObjectStore, type S3StoreOptions } from './s3-store.js';
export {
  checkRange,
  directoryPrefix,
  isValidObjectKey,
  joinObjectKey,
  MAX_OBJECT_PATH_BYTES,
  normalizeObjectPath,
  validateBucketName,
  validateObjectKey,
} from './object-path.js';
export { ObjectStoreError, type ObjectStoreErrorKind } from './object-store-error.js';
