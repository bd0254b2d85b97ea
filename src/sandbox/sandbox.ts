// Runs tenant-controlled work (template parsing and rendering, large JSON documents) in separate
// processes with a V8 heap cap and a wall-clock limit, so that it can neither block the event loop
// nor exhaust the server's heap. A process that overruns is killed and replaced; the task fails with
// a SandboxError saying why.
//
// Why processes and not worker_threads: a worker's resourceLimits are enforced by V8's near-heap-limit
// callback, and one large allocation that overshoots the limit (a growing array in a Jinja `range`)
// still aborts the whole process (observed on Node 20.20). A child process's OOM kills only the child.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { TaskInputs, TaskName, TaskOutputs } from './tasks.js';

export interface SandboxSettings {
  /** Wall-clock limit of one task (the process's start-up is not counted). */
  timeoutMs: number;
  /** V8 old-space limit of a sandbox process (--max-old-space-size). */
  memoryMb: number;
  /** Sandbox processes alive at once; further tasks wait their turn. */
  maxProcesses: number;
  /** An idle process exits after this long. */
  idleMs: number;
}

const settings: SandboxSettings = { timeoutMs: 10_000, memoryMb: 256, maxProcesses: 2, idleMs: 30_000 };
/** Generous: a cold start under tsx on a loaded machine takes seconds. */
const BOOT_TIMEOUT_MS = 60_000;

/** Process-wide (the processes are a process-wide resource); src/app.ts sets it from the config. */
export function configureSandbox(s: Partial<SandboxSettings>): void {
  Object.assign(settings, Object.fromEntries(Object.entries(s).filter(([, v]) => v !== undefined)));
}

export function sandboxSettings(): Readonly<SandboxSettings> {
  return settings;
}

export type SandboxFailure = 'refused' | 'timeout' | 'memory' | 'crashed';

export class SandboxError extends Error {
  constructor(
    message: string,
    readonly reason: SandboxFailure,
    readonly file?: string,
  ) {
    super(message);
    this.name = 'SandboxError';
  }
}

const source = import.meta.url.endsWith('.ts');
const entry = fileURLToPath(new URL(`./sandbox-child${source ? '.ts' : '.js'}`, import.meta.url));

interface Proc {
  child: ChildProcess;
  ready: Promise<void>;
  exited: boolean;
  idleTimer?: NodeJS.Timeout;
}

const idle: Proc[] = [];
const waiting: Array<() => void> = [];
let alive = 0;
let nextId = 1;

function spawn(): Proc {
  const child = fork(entry, [], {
    execArgv: [...(source ? ['--import', 'tsx'] : []), `--max-old-space-size=${settings.memoryMb}`, '--max-semi-space-size=16'],
    // No secrets (master key, S3 credentials) in the sandbox's environment.
    env: { PATH: process.env.PATH ?? '', NODE_ENV: process.env.NODE_ENV ?? 'production' },
    serialization: 'advanced',
    stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
  });
  const proc: Proc = { child, exited: false, ready: Promise.resolve() };
  proc.ready = new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new SandboxError('the sandbox process did not start in time', 'crashed')), BOOT_TIMEOUT_MS);
    const onReady = (m: { ready?: boolean }) => {
      if (!m?.ready) return;
      child.off('message', onReady);
      clearTimeout(t);
      resolve();
    };
    child.on('message', onReady);
    child.once('exit', () => {
      clearTimeout(t);
      reject(new SandboxError('the sandbox process exited while starting', 'crashed'));
    });
    child.once('error', (err) => {
      clearTimeout(t);
      reject(new SandboxError(`the sandbox process could not start: ${err.message}`, 'crashed'));
    });
  });
  proc.ready.catch(() => undefined);
  child.once('exit', () => {
    proc.exited = true;
  });
  return proc;
}

async function acquire(signal?: AbortSignal): Promise<Proc> {
  for (;;) {
    signal?.throwIfAborted();
    const p = idle.pop();
    if (p) {
      clearTimeout(p.idleTimer);
      if (p.exited) {
        alive--;
        continue;
      }
      return p;
    }
    if (alive < settings.maxProcesses) {
      alive++;
      return spawn();
    }
    await new Promise<void>((resolve, reject) => {
      const wake = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = () => {
        const i = waiting.indexOf(wake);
        if (i >= 0) waiting.splice(i, 1);
        reject(signal?.reason);
      };
      waiting.push(wake);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}

function release(p: Proc, reusable: boolean): void {
  if (reusable && !p.exited) {
    p.child.unref();
    (p.child.channel as { unref?: () => void } | undefined)?.unref?.();
    p.idleTimer = setTimeout(() => {
      const i = idle.indexOf(p);
      if (i >= 0) idle.splice(i, 1);
      alive--;
      p.child.kill('SIGKILL');
      waiting.shift()?.();
    }, settings.idleMs);
    p.idleTimer.unref();
    idle.push(p);
  } else {
    if (!p.exited) p.child.kill('SIGKILL');
    alive--;
  }
  waiting.shift()?.();
}

/**
 * Runs `task` on `input` in a sandbox process. Rejects with SandboxError ('refused' carries the task's
 * own reason; 'timeout', 'memory' and 'crashed' mean the process was killed or died), or with the
 * signal's reason when aborted (the process is killed).
 */
export async function runInSandbox<K extends TaskName>(task: K, input: TaskInputs[K], opts: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<TaskOutputs[K]> {
  const p = await acquire(opts.signal);
  let reusable = false;
  try {
    await p.ready;
    p.child.ref();
    (p.child.channel as { ref?: () => void } | undefined)?.ref?.();
    const timeoutMs = opts.timeoutMs ?? settings.timeoutMs;
    const id = nextId++;
    const value = await new Promise<TaskOutputs[K]>((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        p.child.off('message', onMessage);
        p.child.off('exit', onExit);
        opts.signal?.removeEventListener('abort', onAbort);
      };
      const onMessage = (m: { id: number; ok: boolean; value?: unknown; refusal?: boolean; message?: string; file?: string }) => {
        if (m.id !== id) return;
        done();
        reusable = true;
        if (m.ok) resolve(m.value as TaskOutputs[K]);
        else reject(new SandboxError(m.message ?? 'failed', m.refusal ? 'refused' : 'crashed', m.file));
      };
      const onExit = (code: number | null, sig: NodeJS.Signals | null) => {
        done();
        // V8's heap-limit abort: SIGABRT, or exit code 134 where a shell relays it.
        const oom = sig === 'SIGABRT' || code === 134;
        reject(
          oom
            ? new SandboxError(`used more than the sandbox's ${settings.memoryMb} MiB of memory and was stopped`, 'memory')
            : new SandboxError(`crashed the sandbox process (exit ${sig ?? code})`, 'crashed'),
        );
      };
      const onAbort = () => {
        done();
        reject(opts.signal?.reason);
      };
      const timer = setTimeout(() => {
        done();
        reject(new SandboxError(`took longer than the sandbox's ${timeoutMs} ms time limit and was stopped`, 'timeout'));
      }, timeoutMs);
      p.child.on('message', onMessage);
      p.child.once('exit', onExit);
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      p.child.send({ id, task, input }, (err) => {
        if (err) {
          done();
          reject(new SandboxError(`could not reach the sandbox process: ${err.message}`, 'crashed'));
        }
      });
    });
    return value;
  } finally {
    release(p, reusable);
  }
}

/** Stops every idle sandbox process (busy ones end with their task); for shutdown and tests. */
export function closeSandbox(): void {
  for (const p of idle.splice(0)) {
    clearTimeout(p.idleTimer);
    p.child.kill('SIGKILL');
    alive--;
  }
}
