// Hot reads compiled once. Kysely rebuilds and recompiles a query's tree on every call, which
// profiling showed to be the largest single cost of a signed DescribeModel; a prepared read
// compiles with marker values once and substitutes the real values on each run. The SQL text is
// the dialect's own (Kysely compiled it), so this works unchanged on SQLite and PostgreSQL.
import type { Compilable, CompiledQuery, Kysely } from 'kysely';

const MARK = '\u0000modelreg-param:';

export function prepareRead<R>(db: Kysely<any>, arity: number, build: (...params: string[]) => Compilable<R>): (...args: unknown[]) => Promise<R[]> {
  const compiled: CompiledQuery<R> = build(...Array.from({ length: arity }, (_, i) => MARK + i)).compile();
  const slots = compiled.parameters.map((p) => (typeof p === 'string' && p.startsWith(MARK) ? Number(p.slice(MARK.length)) : -1));
  if (slots.filter((s) => s >= 0).length < arity) throw new Error('prepareRead: a parameter did not reach the compiled query');
  return async (...args) => {
    if (args.length !== arity) throw new Error(`prepareRead: expected ${arity} arguments, got ${args.length}`);
    const parameters = compiled.parameters.map((p, i) => (slots[i]! >= 0 ? args[slots[i]!] : p));
    return (await db.executeQuery<R>({ ...compiled, parameters })).rows;
  };
}
