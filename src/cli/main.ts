// The modelreg command line: server and administration commands.
import { Command, CommanderError } from 'commander';
import { ApiCallError } from '../client/api-client.js';
import { ApiError } from '../domain/errors.js';
import { registerAdmin } from './commands/admin.js';
import { registerImport } from './commands/import.js';
import { registerProfile } from './commands/profile.js';
import { registerPull } from './commands/pull.js';
import { registerServe } from './commands/serve.js';
import { registerSets } from './commands/sets.js';
import { registerTasks } from './commands/tasks.js';
import { registerVersions } from './commands/versions.js';
import { CliError } from './output.js';

export async function main(argv: string[]): Promise<void> {
  const program = new Command('modelreg')
    .description('a self-hosted model registry speaking the Qianfan console API')
    .exitOverride();
  registerServe(program);
  registerAdmin(program);
  registerTasks(program);
  // The user side, over the signed API (docs/cli.md).
  registerSets(program);
  registerVersions(program);
  registerImport(program);
  registerPull(program);
  registerProfile(program);
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode === 0 ? 0 : 2;
      return;
    }
    const message =
      err instanceof ApiError
        ? `${err.code}: ${err.message}`
        : err instanceof ApiCallError
          ? `${err.code}: ${err.message}${err.requestId ? ` (requestId ${err.requestId})` : ''}`
          : err instanceof Error
            ? err.message
            : String(err);
    process.stderr.write(`modelreg: ${message}\n`);
    // Exit codes (docs/cli.md): 1 API/runtime error, 2 usage, 3 import failed, 4 timed out, 5 a pulled file failed its checksum.
    process.exitCode = err instanceof CliError ? err.exitCode : 1;
  }
}

// Run when executed directly (tsx src/cli/main.ts …); bin/modelreg.js imports the built file.
if (import.meta.url === `file://${process.argv[1]}`) {
  void main(process.argv);
}
