// Several `modelreg serve` processes on one database: what a team runs behind a load balancer.
// Each child is the real CLI (node --import tsx src/cli/main.ts serve) on a free port, with the
// same master key and bootstrap key so that one AK/SK works against every replica.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Key } from '../../helpers/harness.js';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export interface ClusterSecrets {
  masterKey: string;
  key: Key;
}

export function clusterSecrets(): ClusterSecrets {
  return {
    masterKey: randomBytes(32).toString('base64'),
    key: { accessKey: `scale${randomBytes(8).toString('hex')}`, secretKey: randomBytes(24).toString('hex') },
  };
}

export interface ChildServer {
  url: string;
  pid: number;
  /** Everything the process wrote, for assertion messages. */
  output(): string;
  /** Lines of its JSON log whose msg matches. */
  logLines(msg: string): Array<Record<string, unknown>>;
  /** SIGKILL: the process dies mid-whatever, as on a crash or an OOM kill. */
  kill(): Promise<void>;
  /** SIGTERM and wait (SIGKILL after 15 s). */
  stop(): Promise<void>;
  exited: Promise<number | null>;
}

const live = new Set<ChildProcess>();
// A test that fails half-way must not leave servers behind.
process.on('exit', () => {
  for (const c of live) c.kill('SIGKILL');
});

export interface SpawnOptions {
  /** Passed as --database; leave out to test MODELREG_DATABASE or --config. */
  database?: string;
  dataDir: string;
  /** More `serve` flags, e.g. ['--config', file]. */
  args?: string[];
  secrets: ClusterSecrets;
  /** Extra environment (MODELREG_BUCKETS_DIR, MODELREG_JOB_LEASE_MS, …). */
  env?: Record<string, string>;
  startTimeoutMs?: number;
  /** false: drop what the process writes once it listens (benchmarks: logs would pile up). */
  keepOutput?: boolean;
}

/** Starts `modelreg serve --port 0` and resolves once it logs the URL it listens on. */
export function spawnServer(opts: SpawnOptions): Promise<ChildServer> {
  const args = ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--host', '127.0.0.1', '--port', '0', '--data-dir', opts.dataDir];
  if (opts.database !== undefined) args.push('--database', opts.database);
  args.push(...(opts.args ?? []));
  const child = spawn(process.execPath, args, {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      MODELREG_LOG_LEVEL: 'info',
      MODELREG_MASTER_KEY: opts.secrets.masterKey,
      MODELREG_BOOTSTRAP_ACCESS_KEY: opts.secrets.key.accessKey,
      MODELREG_BOOTSTRAP_SECRET_KEY: opts.secrets.key.secretKey,
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  let out = '';
  const exited = new Promise<number | null>((resolve) => {
    child.on('exit', (code) => {
      live.delete(child);
      resolve(code);
    });
  });
  const lines = (): Array<Record<string, unknown>> =>
    out.split('\n').flatMap((l) => {
      try {
        const v = JSON.parse(l);
        return v && typeof v === 'object' ? [v as Record<string, unknown>] : [];
      } catch {
        return [];
      }
    });
  const stopWith = async (signal: NodeJS.Signals, graceMs: number): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  };

  return new Promise((resolve, reject) => {
    const timeout = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`modelreg serve did not start within ${opts.startTimeoutMs ?? 60_000} ms; output:\n${out}`));
    }, opts.startTimeoutMs ?? 60_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      const ready = lines().find((l) => l.msg === 'modelreg listening');
      if (ready) {
        clearTimeout(timeout);
        child.stdout!.off('data', onData);
        const keep = opts.keepOutput !== false;
        child.stdout!.on('data', (more: Buffer) => {
          if (keep) out += more.toString();
        });
        if (!keep) child.stderr!.removeAllListeners('data').on('data', () => undefined);
        resolve({
          url: String(ready.url),
          pid: child.pid!,
          output: () => out,
          logLines: (msg) => lines().filter((l) => l.msg === msg),
          kill: () => stopWith('SIGKILL', 5_000),
          stop: () => stopWith('SIGTERM', 15_000),
          exited,
        });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    void exited.then((code) => {
      clearTimeout(timeout);
      reject(new Error(`modelreg serve exited (${code}) before listening; output:\n${out}`));
    });
  });
}

/** Polls until `check` returns a value (not undefined), or fails with the last state seen. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 60_000, everyMs = 200): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
