// The modelreg command line: server and administration commands.
import { Command, CommanderError } from 'commander';
import { ApiError } from '../domain/errors.js';
import { registerAdmin } from './commands/admin.js';
import { registerServe } from './commands/serve.js';
import { registerTasks } from './commands/tasks.js';

export async function main(argv: string[]): Promise<void> {
  const program = new Command('modelreg')
    .description('a self-hosted model registry speaking the Qianfan console API')
    .exitOverride();
  registerServe(program);
  registerAdmin(program);
  registerTasks(program);
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode === 0 ? 0 : 2;
      return;
    }
    const message = err instanceof ApiError ? `${err.code}: ${err.message}` : err instanceof Error ? err.message : String(err);
    process.stderr.write(`modelreg: ${message}\n`);
    process.exitCode = 1;
  }
}

// Run when executed directly (tsx src/cli/main.ts …); bin/modelreg.js imports the built file.
if (import.meta.url === `file://${process.argv[1]}`) {
  void main(process.argv);
}
