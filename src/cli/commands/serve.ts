// modelreg serve: run the API until SIGINT/SIGTERM.
import type { Command } from 'commander';
import { startupWarnings } from '../../security-warnings.js';
import { loadConfig } from '../../config.js';
import { parsePort } from '../parse.js';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('run the registry API server')
    .option('--host <host>', 'address to listen on (env MODELREG_HOST)')
    .option('--port <port>', 'port to listen on, 0 for any free port (env MODELREG_PORT)', parsePort)
    .option('--data-dir <dir>', 'where the database, master key and buckets live (env MODELREG_DATA_DIR)')
    .option('--database <url>', 'SQLite file path or postgres:// URL (env MODELREG_DATABASE)')
    .option('--buckets-dir <dir>', 'local object store root, one sub-directory per bucket (env MODELREG_BUCKETS_DIR)')
    .option('--config <file>', 'JSON file of settings, keys as in src/config.ts; env and flags win over it (env MODELREG_CONFIG)')
    .action(async ({ config: configFile, ...opts }: { host?: string; port?: number; dataDir?: string; database?: string; bucketsDir?: string; config?: string }) => {
      // Whatever the server creates is the service user's alone (SECURITY.md, class 5).
      process.umask(0o077);
      const config = loadConfig(opts, configFile);
      const { createApp } = await import('../../app.js');
      const app = await createApp(config);
      const url = await app.http.listen({ host: config.host, port: config.port });
      app.logger.info({ url, dataDir: config.dataDir, database: redactUrl(config.database) }, 'modelreg listening');
      for (const w of startupWarnings(config)) app.logger.warn({ setting: w.setting }, w.message);
      let closing = false;
      const stop = async (signal: string) => {
        if (closing) return;
        closing = true;
        app.logger.info({ signal }, 'shutting down');
        // The backstop of a bounded shutdown: app.close() waits for jobs at most shutdownGraceMs.
        setTimeout(() => {
          app.logger.error('shutdown did not finish in time; exiting anyway');
          process.exit(1);
        }, config.shutdownGraceMs + 10_000).unref();
        await app.close();
        process.exit(0);
      };
      process.on('SIGINT', () => void stop('SIGINT'));
      process.on('SIGTERM', () => void stop('SIGTERM'));
    });
}

/** Never print a database password. */
export const redactUrl = (u: string): string => u.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
