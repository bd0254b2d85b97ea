#!/usr/bin/env node
// Entry point of the installed command; the CLI itself lives in src/cli.
import('../dist/cli/main.js').then((m) => m.main(process.argv)).catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
