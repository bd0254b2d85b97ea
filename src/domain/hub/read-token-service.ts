// Read tokens: what Hugging Face clients send (Authorization: Bearer hf_…) to download an
// account's Ready versions. Shown once at creation, stored as sha256 only, looked up on every
// request (no cache), so a revocation takes effect at the very next request on every replica.
import { createHash } from 'node:crypto';
import { ERRORS } from '../errors/catalogue.js';
import { randomSuffix } from '../ids.js';
import { nowIso, toApiTime } from '../time.js';
import type { HubRepo, ReadTokenRow } from '../../store/repos/hub-repo.js';
import type { AccountsRepo } from '../../store/repos/accounts-repo.js';

/** The JS client refuses tokens without this prefix (checkAccessToken). */
export const TOKEN_PREFIX = 'hf_';
const TOKEN = /^hf_[a-z0-9]{40}$/;
const TOKEN_NAME = /^[\p{L}\p{N}_.@ -]{1,64}$/u;
export const MAX_TOKEN_LIFETIME_SECONDS = 10 * 365 * 24 * 3600;

export interface TokenReader {
  accountId: string;
  accountName: string;
  tokenId: string;
}

export interface TokenView {
  tokenId: string;
  name: string;
  account: string;
  tokenHint: string;
  status: 'active' | 'revoked' | 'expired';
  createdBy: string;
  createTime: string;
  expireTime: string | null;
  revokeTime: string | null;
}

const hashOf = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');

/** "30d", "12h", "90m", "3600s" or a bare number of seconds → seconds. */
export function parseLifetime(text: string): number {
  const m = /^(\d{1,9})([smhd]?)$/.exec(text.trim());
  if (!m) throw ERRORS.InvalidExpiryFormat(text);
  const n = Number(m[1]) * ({ '': 1, s: 1, m: 60, h: 3600, d: 86400 } as const)[m[2] as '' | 's' | 'm' | 'h' | 'd'];
  if (n < 60 || n > MAX_TOKEN_LIFETIME_SECONDS) throw ERRORS.ExpiryOutOfRange(text);
  return n;
}

export class ReadTokenService {
  constructor(
    private readonly repo: Pick<HubRepo, 'findToken' | 'insertToken' | 'listTokens' | 'revokeToken' | 'tokenByHash'>,
    private readonly accounts: Pick<AccountsRepo, 'findAccountById'>,
  ) {}

  /** The token is in the result and nowhere else: show it once. */
  async create(accountId: string, opts: { name?: string; expiresInSeconds?: number; createdBy: string }): Promise<TokenView & { token: string }> {
    const account = await this.accounts.findAccountById(accountId);
    if (!account) throw ERRORS.AccountIdNotFound(accountId);
    const name = opts.name ?? 'read token';
    if (!TOKEN_NAME.test(name)) throw ERRORS.InvalidTokenName();
    if (opts.expiresInSeconds !== undefined && (opts.expiresInSeconds < 60 || opts.expiresInSeconds > MAX_TOKEN_LIFETIME_SECONDS)) {
      throw ERRORS.TokenLifetimeOutOfRange();
    }
    const token = TOKEN_PREFIX + randomSuffix(40);
    const at = nowIso();
    const row: ReadTokenRow = {
      id: `rt-${randomSuffix()}`,
      account_id: account.id,
      name,
      token_hash: hashOf(token),
      token_hint: token.slice(0, 7),
      created_by: opts.createdBy.slice(0, 160),
      created_at: at,
      expires_at: opts.expiresInSeconds !== undefined ? new Date(Date.parse(at) + opts.expiresInSeconds * 1000).toISOString() : null,
      revoked_at: null,
    };
    await this.repo.insertToken(row);
    return { token, ...view(row, account.name) };
  }

  async list(accountId?: string): Promise<TokenView[]> {
    return (await this.repo.listTokens(accountId)).map((r) => view(r, r.account_name));
  }

  /** Revokes a token of `accountId` (any account's when undefined: the admin CLI). */
  async revoke(tokenId: string, accountId?: string): Promise<void> {
    const row = await this.repo.findToken(tokenId);
    if (!row || (accountId !== undefined && row.account_id !== accountId)) {
      throw ERRORS.ReadTokenNotFound(tokenId, Boolean(accountId));
    }
    await this.repo.revokeToken(tokenId, nowIso());
  }

  /** The reader a bearer token stands for, or null when it is malformed, unknown, revoked or expired. */
  async authenticate(token: string): Promise<TokenReader | null> {
    if (!TOKEN.test(token)) return null;
    // A lookup by the token's hash: no secret is compared byte by byte, so no timing oracle.
    const row = await this.repo.tokenByHash(hashOf(token));
    if (!row || statusOf(row) !== 'active') return null;
    return { accountId: row.account_id, accountName: row.account_name, tokenId: row.id };
  }
}

function statusOf(r: ReadTokenRow): TokenView['status'] {
  if (r.revoked_at) return 'revoked';
  if (r.expires_at && Date.parse(r.expires_at) <= Date.now()) return 'expired';
  return 'active';
}

function view(r: ReadTokenRow, accountName: string): TokenView {
  return {
    tokenId: r.id,
    name: r.name,
    account: accountName,
    tokenHint: `${r.token_hint}…`,
    status: statusOf(r),
    createdBy: r.created_by,
    createTime: toApiTime(r.created_at),
    expireTime: r.expires_at ? toApiTime(r.expires_at) : null,
    revokeTime: r.revoked_at ? toApiTime(r.revoked_at) : null,
  };
}

