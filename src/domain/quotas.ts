// Per-account quotas (issue 10, class 6): what one tenant may hold at once, so that one key cannot
// fill the registry for everyone. Checked when something is created; 0 means unlimited. The
// settings live in src/config.ts (MODELREG_QUOTA_*); defaults are in the README and SECURITY.md.
// On PostgreSQL two creates racing at the very limit may both pass (the count is read, not
// locked): a quota can be overshot by the number of requests in flight, never more.
import { ERRORS } from './errors/catalogue.js';

export interface Quotas {
  modelSets: number;
  versionsPerSet: number;
  versionsPerAccount: number;
  templates: number;
  templateBytes: number;
  templateMaxBytes: number;
  /** Import/train jobs queued or running per account. */
  concurrentImports: number;
  fineTuningJobs: number;
  fineTuningTasks: number;
}

export const UNLIMITED_QUOTAS: Quotas = { modelSets: 0, versionsPerSet: 0, versionsPerAccount: 0, templates: 0, templateBytes: 0, templateMaxBytes: 0, concurrentImports: 0, fineTuningJobs: 0, fineTuningTasks: 0 };

/**
 * Throws QuotaExceeded when adding `adding` to `used` would pass `limit`. The message names the
 * quota, the current use, the limit and the setting that raises it.
 */
export function checkQuota(what: string, setting: string, used: number, limit: number, adding = 1, unit = ''): void {
  if (limit <= 0 || used + adding <= limit) return;
  throw ERRORS.QuotaExceeded(what, setting, used, limit, adding, unit);
}
