// Per-account quotas (issue 10, class 6): what one tenant may hold at once, so that one key cannot
// fill the registry for everyone. Checked when something is created; 0 means unlimited. The
// settings live in src/config.ts (MODELREG_QUOTA_*); defaults are in the README and SECURITY.md.
// Exact on both databases: with a quota on, its count and the insert it allows run in one
// transaction under the account's lock (withAccountQuota; the store decides what the lock is),
// so creates racing at the limit pass one at a time. With every quota off nothing is locked.
// The stored-bytes quota (MODELREG_STORED_BYTES_QUOTA) takes the same lock where an import records
// its files (src/jobs/blob-store.ts record).
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

/** What a quota-checked create needs from its store: a transaction and the account's lock in it. */
export interface AccountLocking<Tx> {
  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  lockAccount(accountId: string, tx: Tx): Promise<void>;
}

/**
 * Runs `fn` (count, check, insert) in one transaction holding the account's quota lock, so two
 * creates at the limit cannot both pass. With the quota off (`on` false) fn runs as is, outside
 * any transaction (tx undefined): unlimited accounts pay nothing.
 */
export function withAccountQuota<Tx, T>(store: AccountLocking<Tx>, accountId: string, on: boolean, fn: (tx: Tx | undefined) => Promise<T>): Promise<T> {
  if (!on) return fn(undefined);
  return store.transaction(async (tx) => {
    await store.lockAccount(accountId, tx);
    return fn(tx);
  });
}
