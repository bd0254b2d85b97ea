// How a process learns that access keys may have changed in another process (the admin CLI,
// another replica), so that it can keep key rows in memory without serving a stale one:
//  - SQLite: PRAGMA data_version, which moves whenever another connection commits to the file.
//    Read per request on the connection itself (a few microseconds, no I/O).
//  - PostgreSQL: LISTEN on a channel every key change NOTIFYs (AccountsRepo.setKeyStatus), on a
//    connection of its own. While that connection is down, nothing is trusted (reliable() false).
// Changes made by this process are invalidated by the caller itself (IamService).
import type { Kysely } from 'kysely';
import type { Client } from 'pg';
import { postgresUrlOf, sqliteHandleOf } from './prepared.js';

export const KEY_CHANGES_CHANNEL = 'modelreg_access_keys';

export interface KeyChanges {
  /** Moves whenever keys may have changed elsewhere; an entry cached under another value is stale. */
  generation(): number;
  /** false while changes made elsewhere cannot be seen: nothing cached may be used then. */
  reliable(): boolean;
  close(): Promise<void>;
}

export function openKeyChanges(db: Kysely<any>): KeyChanges {
  const sqlite = sqliteHandleOf(db);
  if (sqlite) {
    const version = sqlite.prepare('pragma data_version').pluck();
    return {
      generation: () => version.get() as number,
      reliable: () => true,
      close: async () => {},
    };
  }
  const url = postgresUrlOf(db);
  return url ? new PostgresKeyChanges(url) : NEVER_RELIABLE;
}

/** Unknown store: cache nothing. */
const NEVER_RELIABLE: KeyChanges = { generation: () => 0, reliable: () => false, close: async () => {} };

class PostgresKeyChanges implements KeyChanges {
  private gen = 0;
  private listening = false;
  private client: Client | undefined;
  private starting = false;
  private closed = false;
  private retry: NodeJS.Timeout | undefined;

  constructor(private readonly url: string) {}

  generation(): number {
    return this.gen;
  }

  reliable(): boolean {
    // Connected lazily, on the first signed request: CLI commands that open the store never listen.
    if (!this.listening) this.start();
    return this.listening;
  }

  private start(): void {
    if (this.starting || this.closed) return;
    this.starting = true;
    void this.connect().finally(() => {
      this.starting = false;
    });
  }

  private async connect(): Promise<void> {
    const pg = await import('pg');
    const client = new pg.default.Client({ connectionString: this.url, connectionTimeoutMillis: 10_000 });
    const lost = () => {
      if (this.client !== client) return;
      this.client = undefined;
      this.listening = false;
      this.gen++;
      client.end().catch(() => undefined);
      // Until connected again every request reads the key's row; try again shortly.
      if (!this.closed) this.retry = setTimeout(() => this.start(), 1000).unref();
    };
    client.on('error', lost);
    client.on('end', lost);
    // Any key's change invalidates every cached key: changes are rare, requests are not.
    client.on('notification', () => {
      this.gen++;
    });
    try {
      await client.connect();
      await client.query(`listen ${KEY_CHANGES_CHANNEL}`);
    } catch {
      client.removeAllListeners('end');
      client.end().catch(() => undefined);
      if (!this.closed) this.retry = setTimeout(() => this.start(), 1000).unref();
      return;
    }
    if (this.closed) {
      await client.end().catch(() => undefined);
      return;
    }
    // The connection must not keep a process alive on its own.
    (client as unknown as { connection?: { stream?: { unref?: () => void } } }).connection?.stream?.unref?.();
    this.client = client;
    // Anything changed before LISTEN took effect is covered: generation moves now.
    this.gen++;
    this.listening = true;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.listening = false;
    clearTimeout(this.retry);
    const c = this.client;
    this.client = undefined;
    if (c) {
      c.removeAllListeners('end');
      await c.end().catch(() => undefined);
    }
  }
}
