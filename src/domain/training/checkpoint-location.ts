// Where a checkpoint's files must be: in a bucket granted to the task's account (as for an
// Import, so publishing a checkpoint is never a way around bucket grants), existing, non-empty.
// Checked when the trainer reports the checkpoint and again when it is published.
import { ApiError } from '../errors.js';
import type { ObjectStore } from '../../objects/object-store.js';

export interface CheckpointLocationDeps {
  objects?: ObjectStore;
  /** Whether the account may read this bucket (MODELREG_BUCKET_GRANTS); absent: every bucket. */
  bucketAllowed?: (accountId: string, bucket: string) => Promise<boolean>;
}

export async function checkCheckpointLocation(deps: CheckpointLocationDeps, accountId: string, bucket: string, objectPath: string, when: string): Promise<void> {
  if (deps.bucketAllowed && !(await deps.bucketAllowed(accountId, bucket))) {
    throw new ApiError('AccessDenied', `access denied: bucket "${bucket}" is not granted to this account`);
  }
  const store = deps.objects;
  if (!store) return;
  if (!(await store.bucketExists(bucket))) {
    throw new ApiError('BucketNotFound', `bucket "${bucket}" does not exist in the registry's object store (${store.kind}); ${when}`);
  }
  for await (const _first of store.list(bucket, objectPath)) return;
  throw new ApiError('InvalidParameter', `no files under bos://${bucket}/${objectPath}; ${when}`);
}
