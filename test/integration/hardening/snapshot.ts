// Every row of every table, in a stable order: taken before and after a run of bad requests
// to show that none of them changed stored data.
import type { Kysely } from 'kysely';

export async function snapshotDatabase(db: Kysely<any>): Promise<Record<string, string[]>> {
  const tables = (await db.introspection.getTables()).map((t) => t.name).sort();
  const out: Record<string, string[]> = {};
  for (const name of tables) {
    const rows = await db.selectFrom(name).selectAll().execute();
    out[name] = rows.map((r) => JSON.stringify(r, Object.keys(r).sort())).sort();
  }
  return out;
}

export function rowCount(s: Record<string, string[]>): number {
  return Object.values(s).reduce((n, rows) => n + rows.length, 0);
}
