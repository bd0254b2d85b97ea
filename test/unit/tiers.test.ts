// The unit tier runs once, not per database (test/README.md): nothing it loads may start a server
// or open the metadata database. Follows every file's runtime imports from each unit test file.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

const ROOT = path.resolve(import.meta.dirname, '../..');
const UNIT = path.join(ROOT, 'test/unit');
/** What opens a database or starts a server: the integration tier and its helpers, the app, the CLI's entry (which can serve). */
const FORBIDDEN = ['test/integration/', 'test/helpers/harness.ts', 'test/helpers/pg.ts', 'test/helpers/cli.ts', 'src/store/database.ts', 'src/app.ts', 'src/cli/main.ts'];

function testFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? testFiles(p) : e.name.endsWith('.test.ts') ? [p] : [];
  });
}

/** Relative imports that load code at run time (`import type` and `export type` load nothing). */
function runtimeImports(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/^\s*(?:import|export)\s+(?!type\s)(?:[^'";]*?\sfrom\s+)?'(\.[^']+)'/gm), ...text.matchAll(/import\('(\.[^']+)'\)/g)];
  return specs.map((m) => {
    const target = path.resolve(path.dirname(file), m[1]!);
    const ts = target.replace(/\.js$/, '.ts');
    return fs.existsSync(ts) ? ts : target;
  });
}

test('no unit test loads a server, a database or an integration helper', () => {
  const problems: string[] = [];
  for (const start of testFiles(UNIT)) {
    const seen = new Set<string>();
    const queue: Array<{ file: string; via: string[] }> = [{ file: start, via: [] }];
    while (queue.length > 0) {
      const { file, via } = queue.shift()!;
      if (seen.has(file)) continue;
      seen.add(file);
      const rel = path.relative(ROOT, file);
      if (FORBIDDEN.some((f) => rel.startsWith(f))) {
        problems.push(`${path.relative(ROOT, start)} loads ${rel}${via.length ? ` (via ${via.join(' → ')})` : ''}`);
        continue;
      }
      if (file.endsWith('.ts') && fs.existsSync(file)) {
        for (const next of runtimeImports(file)) queue.push({ file: next, via: file === start ? via : [...via, rel] });
      }
    }
  }
  assert.deepEqual(problems, [], 'move these tests to test/integration/ (test/README.md)');
});
