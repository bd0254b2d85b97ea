// Short-lived memory for the signature check's hot path (IamService.resolveKey): decrypted secret
// keys (by ciphertext) and account rows (by id), so that a busy client's requests do not each
// decrypt the secret and read the account. Entries live KEY_CACHE_TTL_MS; the table is bounded.
// The key's own row (status, policies, secret ciphertext) is kept only as long as no other
// process can have changed it unseen (store/key-changes.ts), and never longer than
// KEY_ROW_MAX_AGE_MS (MODELREG_KEY_CACHE_MS): the bound for a change nothing announced.
export const KEY_CACHE_TTL_MS = 60_000;
export const KEY_ROW_MAX_AGE_MS = 1_000;

export class TtlCache<V> {
  private readonly entries = new Map<string, { value: V; until: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
    private readonly now: () => number = () => performance.now(),
  ) {}

  get(key: string): V | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.until <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return e.value;
  }

  set(key: string, value: V): void {
    if (this.ttlMs <= 0) return;
    // Crude but bounded: a flood of distinct keys empties the cache instead of growing it.
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(key, { value, until: this.now() + this.ttlMs });
  }

  delete(key: string): void {
    this.entries.delete(key);
  }
}
