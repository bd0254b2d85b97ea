// The version sources used until richer ones are plugged in by src/app.ts: an import is queued
// with its bucket and path; a Train version needs a training task, which must exist.
import { ApiError } from '../errors.js';
import type { ImportSource, TrainSource } from './version-sources.js';

export const queuedImportSource: ImportSource = {
  async prepare(_ctx, meta) {
    const path = meta.objectPath.replace(/^\/+|\/+$/g, '');
    return {
      jobPayload: { bucket: meta.bucket, objectPath: path },
      sourceInfo: { importModelVersionBosUrl: `bos://${meta.bucket}/${path}` },
    };
  },
};

export const noTrainingTasksSource: TrainSource = {
  async prepare(_ctx, meta) {
    throw new ApiError('ResourceNotFound', `training task ${meta.taskId} not found in this account`);
  },
};
