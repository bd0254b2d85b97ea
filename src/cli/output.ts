// How the user-side commands talk back: aligned tables for people, JSON for scripts, and exit
// codes scripts can rely on (docs/cli.md):
//   0 done · 1 the API answered with an error or could not be reached · 2 the command line is
//   wrong (unknown flag, bad value, no credentials) · 3 an import ended Fail · 4 --timeout ran
//   out while the version was still Creating · 5 a pulled file did not match its sha256.
export const EXIT = { ok: 0, apiError: 1, usage: 2, importFailed: 3, timeout: 4, verifyFailed: 5 } as const;

/** An error that ends the command with its own exit code; main() prints "modelreg: message". */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export const usageError = (message: string): CliError => new CliError(message, EXIT.usage);

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

/** Terminal columns a string takes: East Asian wide characters (Chinese names) take two. */
export function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (c < 0x20 || (c >= 0x300 && c < 0x370) || c === 0x200b) continue;
    const wide =
      (c >= 0x1100 && c <= 0x115f) ||
      (c >= 0x2e80 && c <= 0xa4cf && c !== 0x303f) ||
      (c >= 0xac00 && c <= 0xd7a3) ||
      (c >= 0xf900 && c <= 0xfaff) ||
      (c >= 0xfe30 && c <= 0xfe4f) ||
      (c >= 0xff00 && c <= 0xff60) ||
      (c >= 0xffe0 && c <= 0xffe6) ||
      (c >= 0x1f300 && c <= 0x1faff) ||
      (c >= 0x20000 && c <= 0x3fffd);
    w += wide ? 2 : 1;
  }
  return w;
}

const pad = (s: string, width: number) => s + ' '.repeat(Math.max(0, width - displayWidth(s)));

/** Control characters from the server never reach the terminal as escapes. */
const clean = (v: unknown): string => (v === undefined || v === null ? '' : String(v)).replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ');

/** A table with a header row; the last column is not padded. */
export function formatTable(headers: string[], rows: unknown[][]): string {
  const cells = rows.map((r) => r.map(clean));
  const widths = headers.map((h, i) => Math.max(displayWidth(h), ...cells.map((r) => displayWidth(r[i] ?? ''))));
  const line = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c : pad(c, widths[i]!))).join('  ').trimEnd();
  return [line(headers), ...cells.map(line)].join('\n') + '\n';
}

export function printTable(headers: string[], rows: unknown[][]): void {
  process.stdout.write(formatTable(headers, rows));
}

/** "Key:  value" lines, keys aligned. */
export function formatFields(pairs: Array<[string, unknown]>): string {
  const shown = pairs.filter(([, v]) => v !== undefined && v !== null && v !== '');
  const width = Math.max(0, ...shown.map(([k]) => displayWidth(k) + 1));
  return shown.map(([k, v]) => `${pad(`${k}:`, width)}  ${clean(v)}`).join('\n') + '\n';
}

export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${n} B` : `${v.toFixed(v >= 100 ? 0 : v >= 10 ? 1 : 2)} ${units[i]}`;
}
