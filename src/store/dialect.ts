// Every place where SQLite and PostgreSQL differ, named once.
export type DialectName = 'sqlite' | 'postgres';

/** Unique-constraint violation, as each driver reports it. */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return e?.code === '23505' || e?.code === 'SQLITE_CONSTRAINT_UNIQUE' || e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
