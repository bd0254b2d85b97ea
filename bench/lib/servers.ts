// What the HTTP benchmarks share: child processes (a `modelreg serve`, reference servers), free
// ports, waiting for a server, signed API calls, and the small statistics they report.
// Every server is a child process so that the load generator does not share its event loop.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bceTimestamp } from '../../src/protocol/bce-v1/canonical-request.js';
import { signRequest } from '../../src/protocol/bce-v1/signer.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface Key {
  accessKey: string;
  secretKey: string;
}

export const newKey = (): Key => ({ accessKey: `bench${randomBytes(6).toString('hex')}`, secretKey: randomBytes(24).toString('hex') });

const children: ChildProcess[] = [];
process.on('exit', () => children.forEach((c) => c.kill('SIGKILL')));

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

export async function waitUntilUp(url: string, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      if ((await fetch(url)).status < 500) return;
    } catch {
      // not yet
    }
    if (Date.now() > until) throw new Error(`${url} did not come up`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A node child process (stdout ignored, stderr shown), stopped by stopChildren or at exit. */
export function spawnChild(args: string[], env: NodeJS.ProcessEnv, cwd = ROOT): ChildProcess {
  const child = spawn(process.execPath, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
  children.push(child);
  return child;
}

/** Runs a node script to its end (e.g. the admin CLI) and returns its stdout. */
export function runNode(args: string[], env: NodeJS.ProcessEnv, cwd = ROOT): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`node ${args.join(' ')} exited with ${code}`))));
  });
}

/** SIGTERM to every child, then waits (within reason) for them to exit: CPU profiles are written at exit. */
export async function stopChildren(timeoutMs = 15_000): Promise<void> {
  for (const c of children) c.kill('SIGTERM');
  await Promise.race([
    Promise.all(children.map((c) => (c.exitCode !== null || c.signalCode !== null ? undefined : new Promise((r) => c.once('exit', r))))),
    new Promise((r) => setTimeout(r, timeoutMs)),
  ]);
}

/**
 * A `modelreg serve` on SQLite in `dataDir` with a bootstrap key, logging at `BENCH_LOG_LEVEL`
 * (default info) to /dev/null; rate limits raised so they do not cap the measurement (the
 * limiter still runs). `root` is the checkout to run (another one to measure a "before").
 */
export async function startModelreg(opts: { port: number; dataDir: string; key: Key; masterKey: string; root?: string; nodeArgs?: string[]; env?: NodeJS.ProcessEnv }): Promise<ChildProcess> {
  const child = spawnChild(
    [...(opts.nodeArgs ?? []), '--import', 'tsx', 'src/cli/main.ts', 'serve', '--host', '127.0.0.1', '--port', String(opts.port), '--data-dir', opts.dataDir],
    {
      MODELREG_BOOTSTRAP_ACCESS_KEY: opts.key.accessKey,
      MODELREG_BOOTSTRAP_SECRET_KEY: opts.key.secretKey,
      MODELREG_MASTER_KEY: opts.masterKey,
      MODELREG_LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'info',
      MODELREG_RATE_LIMIT_PER_SECOND: '1000000000',
      MODELREG_RATE_LIMIT_BURST: '1000000000',
      MODELREG_JOB_POLL_MS: '100',
      ...opts.env,
    },
    opts.root ?? ROOT,
  );
  await waitUntilUp(`http://127.0.0.1:${opts.port}/healthz`);
  return child;
}

/** Headers of a signed POST /v2/model?Action=…; `bodyLength` is what will be sent. */
export function signedHeaders(host: string, key: Key, action: string, bodyLength: number): Record<string, string> {
  const headers: Record<string, string> = {
    host,
    'content-type': 'application/json',
    'content-length': String(bodyLength),
    'x-bce-date': bceTimestamp(),
  };
  headers.authorization = signRequest({ accessKey: key.accessKey, secretKey: key.secretKey, method: 'POST', path: '/v2/model', rawQuery: `Action=${action}`, headers });
  return headers;
}

/** A signed POST; the answer's text and status. */
export async function postRaw(url: string, key: Key, action: string, text: string): Promise<{ status: number; text: string }> {
  // fetch sends Host and Content-Length itself (the same values that were signed).
  const { host: _h, 'content-length': _c, ...send } = signedHeaders(new URL(url).host, key, action, Buffer.byteLength(text));
  const r = await fetch(`${url}/v2/model?Action=${action}`, { method: 'POST', headers: send, body: text });
  return { status: r.status, text: await r.text() };
}

/** A signed POST that must succeed; its result. */
export async function post(url: string, key: Key, action: string, body: unknown): Promise<any> {
  const r = await postRaw(url, key, action, JSON.stringify(body));
  if (r.status !== 200) throw new Error(`${action}: ${r.status} ${r.text}`);
  return JSON.parse(r.text).result;
}

/** Polls DescribeModel until the version leaves Creating; throws unless it is Ready. */
export async function waitReady(url: string, key: Key, modelId: string, timeoutMs = 120_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const d = await post(url, key, 'DescribeModel', { modelId });
    if (d.status === 'Ready') return;
    if (d.status !== 'Creating') throw new Error(`the bench version ended ${d.status}: ${d.failureReason}`);
    if (Date.now() > until) throw new Error('the bench version stayed Creating');
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** User + system CPU seconds of a process so far (Linux /proc; 10 ms resolution). */
export function cpuSeconds(pid: number | undefined): number | undefined {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
