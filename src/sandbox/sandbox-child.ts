// Entry point of a sandbox process: runs one task per message from its parent, sequentially. The
// parent starts it with a small V8 heap limit and kills it on overrun, so a hostile input can exhaust
// only this process.
import { TASKS, TaskRefusal, type TaskName } from './tasks.js';

interface Request {
  id: number;
  task: TaskName;
  input: unknown;
}

process.on('message', (msg: Request) => {
  let reply: Record<string, unknown>;
  try {
    const run = TASKS[msg.task] as (input: unknown) => unknown;
    if (typeof run !== 'function') throw new Error(`unknown sandbox task ${String(msg.task)}`);
    reply = { id: msg.id, ok: true, value: run(msg.input) };
  } catch (err) {
    const e = err as Error;
    reply = {
      id: msg.id,
      ok: false,
      // A verdict on the input (the domain's validation error travels by name).
      refusal: err instanceof TaskRefusal || e?.name === 'ModelValidationError',
      message: e instanceof RangeError ? `exceeded the sandbox's limits (${e.message})` : (e?.message ?? String(err)),
      ...(typeof (err as { file?: unknown }).file === 'string' ? { file: (err as { file: string }).file } : {}),
    };
  }
  process.send?.(reply);
});
// The parent going away must not leave this process behind.
process.on('disconnect', () => process.exit(0));
// Loaded: the parent starts a task's clock only now, so start-up time never counts against a task.
process.send?.({ ready: true });
