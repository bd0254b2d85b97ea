// The modelreg command line: server and administration commands.
import { Command, CommanderError } from 'commander';
import { ApiCallError } from '../client/api-client.js';
import { inFlagTerms } from './field-flags.js';
import { asApiError } from '../domain/errors/from-object-store.js';
import { registerAdmin } from './commands/admin.js';
import { registerImport } from './commands/import.js';
import { registerProfile } from './commands/profile.js';
import { registerPull } from './commands/pull.js';
import { registerServe } from './commands/serve.js';
import { registerSets } from './commands/sets.js';
import { registerTasks } from './commands/tasks.js';
import { registerVersions } from './commands/versions.js';
import { CliError } from './output.js';
import { registerValidate } from './commands/validate.js';
import { hoistGlobalOptions, printJsonError, wantsJson } from './global-options.js';
import { VERSION } from './version.js';

export async function main(argv: string[]): Promise<void> {
  const program = new Command('modelreg')
    .description('a self-hosted model registry speaking the Qianfan console API')
    .version(VERSION, '-V, --version', 'print the version of modelreg')
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
  registerValidate(program);
  // `modelreg --profile ro sets list` works like `modelreg sets list --profile ro`.
  argv = hoistGlobalOptions(argv);
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode === 0 ? 0 : 2;
      if (process.exitCode !== 0 && wantsJson(argv)) printJsonError(err, 2);
      return;
    }
    const api = asApiError(err);
    const message =
      api
        ? `${api.code}: ${api.message}`
        : err instanceof ApiCallError
          ? `${err.code}: ${inFlagTerms(err.message, err.field)}${err.requestId ? ` (requestId ${err.requestId})` : ''}`
          : err instanceof Error
            ? err.message
            : String(err);
    process.stderr.write(`modelreg: ${message}\n`);
    // Exit codes (docs/cli.md): 1 API/runtime error, 2 usage, 3 import failed, 4 timed out, 5 a pulled file failed its checksum.
    process.exitCode = err instanceof CliError ? err.exitCode : 1;
    // Scripts asked for JSON: the error is the one JSON document on standard output (an import
    // that ended Fail has printed its DescribeModel result already).
    if (wantsJson(argv) && process.exitCode !== 3) printJsonError(err, process.exitCode);
  }
}

// Run when executed directly (tsx src/cli/main.ts …); bin/modelreg.js imports the built file.
if (import.meta.url === `file://${process.argv[1]}`) {
  void main(process.argv);
}
