// Runs the real command line (node --import tsx src/cli/main.ts …) in child processes: one-shot
// admin commands, and `serve` as a server whose stdout (pino JSON lines) the test reads.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const MAIN = path.join(ROOT, 'src/cli/main.ts');

/** The parent's environment without modelreg settings (a test states the ones it wants). */
function childEnv(extra: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('MODELREG_') && !k.startsWith('QIANFAN_')) env[k] = v;
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) env[k] = v;
  return env;
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], env: Record<string, string | undefined> = {}, timeoutMs = 30_000): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], { cwd: ROOT, env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`modelreg ${args.join(' ')} did not finish in ${timeoutMs} ms\n${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export interface CliServer {
  url: string;
  child: ChildProcess;
  /** Everything the server printed so far. */
  output(): { stdout: string; stderr: string };
  /** stdout's JSON lines (pino), parsed. */
  lines(): Record<string, any>[];
  /** Waits until at least n lines match. */
  waitForLines(match: (l: Record<string, any>) => boolean, n: number, timeoutMs?: number): Promise<Record<string, any>[]>;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

export function startCliServer(args: string[], env: Record<string, string | undefined> = {}, timeoutMs = 30_000): Promise<CliServer> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'serve', '--host', '127.0.0.1', '--port', '0', ...args], {
    cwd: ROOT,
    env: childEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));

  const lines = (): Record<string, any>[] =>
    stdout
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => {
        try {
          return JSON.parse(l) as Record<string, any>;
        } catch {
          return { unparsed: l };
        }
      });

  const waitForLines = async (match: (l: Record<string, any>) => boolean, n: number, wait = 10_000) => {
    const until = Date.now() + wait;
    for (;;) {
      const found = lines().filter(match);
      if (found.length >= n) return found;
      if (Date.now() > until) throw new Error(`expected ${n} matching log lines, got ${found.length}:\n${stdout}\n${stderr}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  };

  const stop = async (): Promise<number | null> => {
    if (child.exitCode !== null || child.signalCode !== null) return exited;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    const code = await exited;
    clearTimeout(timer);
    return code;
  };

  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`modelreg serve did not start in ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`modelreg serve exited with ${code} before listening\n${stdout}\n${stderr}`));
    });
    void waitForLines((l) => l.msg === 'modelreg listening', 1, timeoutMs).then(
      ([l]) => {
        clearTimeout(timer);
        resolve({ url: l!.url, child, output: () => ({ stdout, stderr }), lines, waitForLines, stop });
      },
      () => {},
    );
  });
}

/** A serve that must fail to start: its exit code and output. */
export async function failingServe(args: string[], env: Record<string, string | undefined> = {}): Promise<CliResult> {
  return runCli(['serve', '--host', '127.0.0.1', '--port', '0', ...args], env);
}
