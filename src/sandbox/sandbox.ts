// Runs tenant-controlled work (template parsing and rendering, large JSON documents) in separate
// processes with a V8 heap cap and a wall-clock limit, so that it can neither block the event loop
// nor exhaust the server's heap. A process that overruns is killed and replaced; the task fails with
// a SandboxError saying why.
//
// Tasks wait for a process in a FairQueue keyed by the account they run for: accounts take turns, so one
// tenant's backlog of expensive templates or huge documents does not hold up another tenant's task, and
// an account with maxWaitingPerAccount tasks already waiting is refused at once (SECURITY.md, section 6).
//
// Why processes and not worker_threads: a worker's resourceLimits are enforced by V8's near-heap-limit
// callback, and one large allocation that overshoots the limit (a growing array in a Jinja `range`)
// still aborts the whole process (observed on Node 20.20). A child process's OOM kills only the child.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ERRORS } from '../domain/errors/catalogue.js';
import { FairQueue } from './fair-queue.js';
import type { TaskInputs, TaskName, TaskOutputs } from './tasks.js';

export interface SandboxSettings {
  /** Wall-clock limit of one task (the process's start-up is not counted). */
  timeoutMs: number;
  /** V8 old-space limit of a sandbox process (--max-old-space-size). */
  memoryMb: number;
  /** Sandbox processes alive at once; further tasks wait their turn (accounts in turn, FIFO within one). */
  maxProcesses: number;
  /** Tasks one account may have waiting; one more is refused at once (429). 0 = no cap. */
  maxWaitingPerAccount: number;
  /** An idle process exits after this long. */
  idleMs: number;
}

const settings: SandboxSettings = { timeoutMs: 10_000, memoryMb: 256, maxProcesses: 2, maxWaitingPerAccount: 16, idleMs: 30_000 };
/** Generous: a cold start under tsx on a loaded machine takes seconds. */
const BOOT_TIMEOUT_MS = 60_000;

/** Process-wide (the processes are a process-wide resource); src/app.ts sets it from the config. */
export function configureSandbox(s: Partial<SandboxSettings>): void {
  Object.assign(settings, Object.fromEntries(Object.entries(s).filter(([, v]) => v !== undefined)));
  grantWaiting(); // more processes allowed now: waiting tasks need not wait for a release
}

export function sandboxSettings(): Readonly<SandboxSettings> {
  return settings;
}

/**
 * Who a task runs for and when to give up: the account takes its turn among the others' (work without
 * a tenant, such as the CLI's local validation, shares one turn); the signal aborts the task.
 */
export interface SandboxCaller {
  account?: string;
  signal?: AbortSignal;
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
/** Tasks holding one of the maxProcesses turns (each with a process of its own). */
let busy = 0;
let nextId = 1;
/** Work without an account: one key of its own, which no account id can equal. */
const SHARED = Symbol('no account');
/** A waiting task's wake-up: it has been handed a turn. */
type Grant = () => void;
const waiting = new FairQueue<string | typeof SHARED, Grant>();

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

/** A turn for a task of `account`: at once when a process is free and nobody waits, else in the fair queue. */
async function acquire(account: string | undefined, signal?: AbortSignal): Promise<Proc> {
  signal?.throwIfAborted();
  // Nobody overtakes a waiting task: a free process goes to the queue first.
  if (busy < settings.maxProcesses && waiting.size === 0) {
    busy++;
    return takeProcessOrEndTurn();
  }
  const key = account ?? SHARED;
  const cap = settings.maxWaitingPerAccount;
  if (cap > 0 && waiting.waiting(key) >= cap) throw ERRORS.SandboxBacklogFull(account, cap);
  await new Promise<void>((resolve, reject) => {
    const grant = () => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    };
    const onAbort = () => {
      if (waiting.remove(key, grant)) reject(signal?.reason);
    };
    waiting.push(key, grant);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
  if (signal?.aborted) {
    // Aborted between the hand-over and now: the turn goes to the next waiting task.
    endTurn();
    signal.throwIfAborted();
  }
  return takeProcessOrEndTurn();
}

/** A process for the turn just taken; if none can be made, the turn is handed on rather than lost. */
function takeProcessOrEndTurn(): Proc {
  try {
    return takeProcess();
  } catch (err) {
    endTurn();
    throw err;
  }
}

/** An idle process, or a new one (there are never more than maxProcesses turns, so never more processes). */
function takeProcess(): Proc {
  for (let p = idle.pop(); p; p = idle.pop()) {
    clearTimeout(p.idleTimer);
    if (!p.exited) return p;
  }
  return spawn();
}

/** Hands freed turns to waiting tasks, account by account in turn. */
function grantWaiting(): void {
  while (busy < settings.maxProcesses && waiting.size > 0) {
    busy++;
    (waiting.shift() as Grant)();
  }
}

function endTurn(): void {
  busy--;
  grantWaiting();
}

function release(p: Proc, reusable: boolean): void {
  if (reusable && !p.exited) {
    p.child.unref();
    (p.child.channel as { unref?: () => void } | undefined)?.unref?.();
    p.idleTimer = setTimeout(() => {
      const i = idle.indexOf(p);
      if (i >= 0) idle.splice(i, 1);
      p.child.kill('SIGKILL');
    }, settings.idleMs);
    p.idleTimer.unref();
    idle.push(p);
  } else if (!p.exited) {
    p.child.kill('SIGKILL');
  }
  endTurn();
}

/**
 * Runs `task` on `input` in a sandbox process, when `opts.account`'s turn comes. Rejects with
 * SandboxError ('refused' carries the task's own reason; 'timeout', 'memory' and 'crashed' mean the
 * process was killed or died), with the signal's reason when aborted (the process is killed), or with
 * the API error SandboxBacklogFull when the account already has maxWaitingPerAccount tasks waiting.
 */
export async function runInSandbox<K extends TaskName>(task: K, input: TaskInputs[K], opts: SandboxCaller & { timeoutMs?: number } = {}): Promise<TaskOutputs[K]> {
  const p = await acquire(opts.account, opts.signal);
  let reusable = false;
  try {
    await p.ready;
    if (opts.signal?.aborted) {
      // Given up while the process started: it is ready and unused, so it is kept for the next task.
      reusable = true;
      opts.signal.throwIfAborted();
    }
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

/** Tasks running and waiting now (waiting: for all accounts, or for one; undefined = work without an account). */
export function sandboxLoad(account?: string): { running: number; waiting: number; waitingForAccount: number } {
  return { running: busy, waiting: waiting.size, waitingForAccount: waiting.waiting(account ?? SHARED) };
}

/** Stops every idle sandbox process (busy ones end with their task); for shutdown and tests. */
export function closeSandbox(): void {
  for (const p of idle.splice(0)) {
    clearTimeout(p.idleTimer);
    p.child.kill('SIGKILL');
  }
}
