// Accounts and their access keys: creation, lookup for request signing, enable/disable.
import { randomBytes } from 'node:crypto';
import type { AccessKeyRow, AccountRow, AccountsRepo } from '../../store/repos/accounts-repo.js';
import { isUniqueViolation } from '../../store/dialect.js';
import { ApiError } from '../errors.js';
import { ERRORS } from '../errors/catalogue.js';
import { newId } from '../ids.js';
import { nowIso } from '../time.js';
import { POLICY_NAMES, isKnownPolicy } from './policies.js';
import type { SecretBox } from './secret-box.js';
import { KEY_CACHE_TTL_MS, KEY_ROW_MAX_AGE_MS, TtlCache } from './key-cache.js';
import type { KeyChanges } from '../../store/key-changes.js';

export interface Principal {
  accountId: string;
  accountName: string;
  accessKey: string;
  policies: string[];
}

export interface ResolvedKey {
  principal: Principal;
  secretKey: string;
  enabled: boolean;
}

export interface KeyView {
  accessKey: string;
  account: string;
  policies: string[];
  status: string;
  description: string | null;
  createTime: string;
}

const ACCOUNT_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** What IamService stores and reads through (src/store/repos/accounts-repo.ts implements it). */
export type AccountStore = Pick<
  AccountsRepo,
  'anyKey' | 'findAccountById' | 'findAccountByName' | 'findKey' | 'insertAccount' | 'insertKey' | 'listAccounts' | 'listKeys' | 'setKeyStatus'
>;

export class IamService {
  private readonly repo: AccountStore;
  /** What resolveKey may reuse between requests: decrypted secrets and account rows (key-cache.ts). */
  private readonly secrets = new TtlCache<string>(KEY_CACHE_TTL_MS);
  private readonly accountsById = new TtlCache<AccountRow>(KEY_CACHE_TTL_MS);

  /**
   * Resolved keys by access key, each valid while the store's change generation is the one it was
   * read under (another process changed nothing since) and for at most keyRowMaxAgeMs (key-cache.ts).
   */
  private readonly keys = new Map<string, { key: ResolvedKey | null; gen: number; until: number }>();
  /** Bumped by this process's own key changes (which SQLite's data_version does not count). */
  private localChanges = 0;
  private readonly changes: KeyChanges | undefined;
  private readonly keyRowMaxAgeMs: number;

  constructor(repo: AccountStore, private readonly box: SecretBox, opts: { changes?: KeyChanges; keyRowMaxAgeMs?: number } = {}) {
    this.repo = repo;
    this.changes = opts.changes;
    this.keyRowMaxAgeMs = opts.keyRowMaxAgeMs ?? KEY_ROW_MAX_AGE_MS;
  }

  /** Stops listening for key changes (PostgreSQL). */
  async close(): Promise<void> {
    await this.changes?.close();
  }

  async createAccount(name: string): Promise<AccountRow> {
    if (!ACCOUNT_NAME.test(name)) {
      throw ERRORS.InvalidAccountName(name);
    }
    const row: AccountRow = { id: newId.account(), name, created_at: nowIso() };
    try {
      await this.repo.insertAccount(row);
    } catch (err) {
      if (isUniqueViolation(err)) throw ERRORS.AccountExists(name);
      throw err;
    }
    return row;
  }

  async ensureAccount(name: string): Promise<AccountRow> {
    const found = await this.repo.findAccountByName(name);
    if (found) return found;
    try {
      return await this.createAccount(name);
    } catch (err) {
      // Another process created it between our read and insert.
      const again = await this.repo.findAccountByName(name);
      if (again) return again;
      throw err;
    }
  }

  listAccounts(): Promise<AccountRow[]> {
    return this.repo.listAccounts();
  }

  async requireAccount(name: string): Promise<AccountRow> {
    const a = await this.repo.findAccountByName(name);
    if (!a) throw ERRORS.AccountNotFound(name);
    return a;
  }

  /** Creates a key; accessKey/secretKey may be given (bootstrap), otherwise they are generated. */
  async createKey(opts: {
    accountName: string;
    policies: string[];
    accessKey?: string;
    secretKey?: string;
    description?: string;
  }): Promise<{ accessKey: string; secretKey: string }> {
    const account = await this.requireAccount(opts.accountName);
    if (opts.policies.length === 0) throw ERRORS.PolicyRequired(POLICY_NAMES);
    for (const p of opts.policies) {
      if (!isKnownPolicy(p)) throw ERRORS.UnknownPolicy(p, POLICY_NAMES);
    }
    const accessKey = opts.accessKey ?? randomBytes(16).toString('hex');
    const secretKey = opts.secretKey ?? randomBytes(16).toString('hex');
    if (!/^[A-Za-z0-9_-]{8,128}$/.test(accessKey)) {
      throw ERRORS.InvalidAccessKeyFormat();
    }
    if (secretKey.length < 16 || secretKey.length > 256) {
      throw ERRORS.InvalidSecretKeyLength();
    }
    const at = nowIso();
    try {
      await this.repo.insertKey({
        access_key: accessKey,
        account_id: account.id,
        secret_enc: this.box.seal(secretKey),
        policies: JSON.stringify(opts.policies),
        status: 'enabled',
        description: opts.description ?? null,
        created_at: at,
        modified_at: at,
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw ERRORS.AccessKeyExists(accessKey);
      throw err;
    }
    return { accessKey, secretKey };
  }

  /**
   * Makes sure a bootstrap key exists with exactly this secret, idempotently: a restart with the
   * same variables changes nothing; a different secret for an existing access key is refused.
   */
  async ensureBootstrapKey(accountName: string, accessKey: string, secretKey: string): Promise<void> {
    await this.ensureAccount(accountName);
    const existing = await this.repo.findKey(accessKey);
    if (existing) {
      if (this.box.open(existing.secret_enc) !== secretKey) {
        throw new Error(`bootstrap access key ${accessKey} already exists with a different secret key`);
      }
      return;
    }
    try {
      await this.createKey({ accountName, accessKey, secretKey, policies: ['QianfanFullControlAccessPolicy'], description: 'bootstrap' });
    } catch (err) {
      if (!(err instanceof ApiError && err.code === 'Conflict')) throw err;
    }
  }

  /**
   * Fails fast when the master key cannot open the stored secrets (a replaced master.key or a
   * wrong MODELREG_MASTER_KEY): otherwise every signed request would fail with a 500.
   */
  async checkMasterKey(): Promise<void> {
    const row = await this.repo.anyKey();
    if (!row) return;
    try {
      this.box.open(row.secret_enc);
    } catch {
      throw new Error(
        `the master key does not decrypt the stored secret keys (access key ${row.access_key}): start with the MODELREG_MASTER_KEY or <data dir>/master.key they were created with`,
      );
    }
  }

  /**
   * For signature verification: the key's principal and decrypted secret, or null if unknown.
   * Kept in memory between requests only while no other process can have changed a key unseen
   * (store/key-changes.ts: SQLite's data_version, PostgreSQL's LISTEN), so that disabling or
   * deleting a key counts at the next request on every replica; and never longer than
   * keyRowMaxAgeMs, whatever happens.
   */
  async resolveKey(accessKey: string): Promise<ResolvedKey | null> {
    const changes = this.changes;
    if (!changes || this.keyRowMaxAgeMs <= 0 || !changes.reliable()) return this.readKey(accessKey);
    const gen = changes.generation() + this.localChanges;
    const now = performance.now();
    const hit = this.keys.get(accessKey);
    if (hit && hit.gen === gen && hit.until > now) return hit.key;
    const key = await this.readKey(accessKey);
    // Not kept when anything changed while the row was read: the row may predate that change.
    if (changes.reliable() && changes.generation() + this.localChanges === gen) {
      // Bounded: a flood of distinct access keys empties the table instead of growing it.
      if (this.keys.size >= 10_000) this.keys.clear();
      this.keys.set(accessKey, { key, gen, until: now + this.keyRowMaxAgeMs });
    } else {
      this.keys.delete(accessKey);
    }
    return key;
  }

  private async readKey(accessKey: string): Promise<ResolvedKey | null> {
    const row = await this.repo.findKey(accessKey);
    if (!row) return null;
    let account = this.accountsById.get(row.account_id);
    if (!account) {
      account = await this.repo.findAccountById(row.account_id);
      if (!account) return null;
      this.accountsById.set(account.id, account);
    }
    // Keyed by the ciphertext: a changed secret is a different entry.
    let secretKey = this.secrets.get(row.secret_enc);
    if (secretKey === undefined) {
      secretKey = this.box.open(row.secret_enc);
      this.secrets.set(row.secret_enc, secretKey);
    }
    return {
      principal: { accountId: account.id, accountName: account.name, accessKey: row.access_key, policies: JSON.parse(row.policies) as string[] },
      secretKey,
      enabled: row.status === 'enabled',
    };
  }

  async listKeys(accountName?: string): Promise<KeyView[]> {
    const account = accountName ? await this.requireAccount(accountName) : undefined;
    const [rows, accounts] = await Promise.all([this.repo.listKeys(account?.id), this.repo.listAccounts()]);
    const names = new Map(accounts.map((a) => [a.id, a.name]));
    return rows.map((r: AccessKeyRow) => ({
      accessKey: r.access_key,
      account: names.get(r.account_id) ?? r.account_id,
      policies: JSON.parse(r.policies) as string[],
      status: r.status,
      description: r.description,
      createTime: r.created_at,
    }));
  }

  async setKeyEnabled(accessKey: string, enabled: boolean): Promise<void> {
    const ok = await this.repo.setKeyStatus(accessKey, enabled ? 'enabled' : 'disabled', nowIso());
    this.localChanges++;
    this.keys.delete(accessKey);
    if (!ok) throw ERRORS.AccessKeyNotFound(accessKey);
  }
}
