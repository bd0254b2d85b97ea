// Options every user-side command takes (--endpoint, --profile, --json, …) may also come before
// the command: `modelreg --profile ro sets list`. They are moved after it, where the command reads them.
import { ApiCallError } from '../client/api-client.js';
import { asApiError } from '../domain/errors/from-object-store.js';
import { CliError } from './output.js';
import { FLAG_OF } from './field-flags.js';

const WITH_VALUE = new Set(['--endpoint', '--access-key', '--secret-key', '--profile']);
const FLAGS = new Set(['--json']);

export function hoistGlobalOptions(argv: string[]): string[] {
  const [node = '', script = '', ...args] = argv;
  const moved: string[] = [];
  let i = 0;
  while (i < args.length) {
    const a = args[i] as string;
    const name = a.includes('=') ? a.slice(0, a.indexOf('=')) : a;
    if (WITH_VALUE.has(name)) {
      if (a.includes('=')) {
        moved.push(a);
        i += 1;
      } else {
        moved.push(a, args[i + 1] ?? '');
        i += 2;
      }
    } else if (FLAGS.has(a)) {
      moved.push(a);
      i += 1;
    } else break; // the command starts here
  }
  if (moved.length === 0 || i >= args.length) return argv;
  const rest = args.slice(i);
  // After the options the command line already has, before a "--" that ends them.
  const end = rest.indexOf('--');
  return end < 0 ? [node, script, ...rest, ...moved] : [node, script, ...rest.slice(0, end), ...moved, ...rest.slice(end)];
}

export const wantsJson = (argv: string[]): boolean => {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).includes('--json');
};

/** {"error": {code, message, requestId?, exitCode}} on standard output. */
export function printJsonError(err: unknown, exitCode: number): void {
  const e = err as { code?: unknown; message?: unknown };
  const api = asApiError(err);
  const code =
    err instanceof ApiCallError
      ? err.code
      : api
        ? api.code
        : err instanceof CliError
          ? ({ 2: 'UsageError', 3: 'ImportFailed', 4: 'Timeout' } as Record<number, string>)[err.exitCode] ?? 'Error'
          : typeof e?.code === 'string' && e.code.startsWith('commander.')
            ? 'UsageError'
            : 'Error';
  const message = String(e?.message ?? err).replace(/^error: /, '');
  const out: Record<string, unknown> = { code, message, exitCode };
  if (err instanceof ApiCallError && err.requestId) out.requestId = err.requestId;
  // A parameter error names its API field and the flag that sets it (field-flags.ts).
  if (err instanceof ApiCallError && err.field) {
    out.field = err.field;
    const flag = FLAG_OF.find(([api]) => api === err.field)?.[1];
    if (flag) out.flag = flag;
  }
  process.stdout.write(JSON.stringify({ error: out }, null, 2) + '\n');
}
