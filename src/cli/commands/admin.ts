// modelreg account … / key …: administration straight on the data directory's store
// (works whether or not a server is running: SQLite WAL or PostgreSQL handle both).
import type { Command } from 'commander';
import { loadConfig } from '../../config.js';
import { POLICY_NAMES } from '../../domain/iam/policies.js';
import { createLogger } from '../../logger.js';
import { collect } from '../parse.js';

type Core = Awaited<ReturnType<typeof import('../../app.js').openCore>>;

interface StoreOpts { dataDir?: string; database?: string }

async function withCore<T>(opts: StoreOpts, fn: (core: Core) => Promise<T>): Promise<T> {
  // Loaded on use: `modelreg --help` and the user commands need none of the server's modules.
  const { openCore } = await import('../../app.js');
  const core = await openCore(loadConfig(opts), createLogger('warn'));
  try {
    return await fn(core);
  } finally {
    await core.store.db.destroy();
  }
}

const storeOptions = (c: Command): Command =>
  c.option('--data-dir <dir>', 'data directory (env MODELREG_DATA_DIR)').option('--database <url>', 'SQLite path or postgres:// URL (env MODELREG_DATABASE)');

const print = (v: unknown): void => {
  process.stdout.write(JSON.stringify(v, null, 2) + '\n');
};

export function registerAdmin(program: Command): void {
  const account = program.command('account').description('manage accounts');
  storeOptions(account.command('create <name>').description('create an account')).action(async (name: string, opts: StoreOpts) => {
    await withCore(opts, async ({ services }) => {
      const a = await services.iam.createAccount(name);
      print({ accountId: a.id, name: a.name });
    });
  });
  storeOptions(account.command('list').description('list accounts')).action(async (opts: StoreOpts) => {
    await withCore(opts, async ({ services }) => {
      print((await services.iam.listAccounts()).map((a) => ({ accountId: a.id, name: a.name, createTime: a.created_at })));
    });
  });

  const key = program.command('key').description('manage access keys (AK/SK)');
  storeOptions(
    key
      .command('create')
      .description('create an access key; prints {"accessKey","secretKey"} (the secret is shown only here)')
      .requiredOption('--account <name>', 'account the key acts for')
      .requiredOption('--policy <policy>', `policy to attach (repeat or comma-separate): ${POLICY_NAMES.join(', ')}`, collect)
      .option('--description <text>', 'what the key is for'),
  ).action(async (opts: StoreOpts & { account: string; policy: string[]; description?: string }) => {
    await withCore(opts, async ({ services }) => {
      print(await services.iam.createKey({ accountName: opts.account, policies: opts.policy, description: opts.description }));
    });
  });
  storeOptions(key.command('list').description('list access keys (never their secrets)').option('--account <name>', 'only this account')).action(
    async (opts: StoreOpts & { account?: string }) => {
      await withCore(opts, async ({ services }) => print(await services.iam.listKeys(opts.account)));
    },
  );
  for (const [verb, enabled] of [['disable', false], ['enable', true]] as const) {
    storeOptions(key.command(`${verb} <accessKey>`).description(`${verb} an access key`)).action(async (ak: string, opts: StoreOpts) => {
      await withCore(opts, async ({ services }) => {
        await services.iam.setKeyEnabled(ak, enabled);
        print({ accessKey: ak, status: enabled ? 'enabled' : 'disabled' });
      });
    });
  }

  const token = program.command('token').description('manage read tokens (hf_…) for the Hugging Face Hub-compatible download API (docs/hub.md)');
  storeOptions(
    token
      .command('create')
      .description('create a read token; prints {"token": "hf_…", …} (the token is shown only here)')
      .requiredOption('--account <name>', 'account whose Ready versions the token may read')
      .option('--expires <duration>', 'lifetime, e.g. 30d, 12h (default: until revoked)')
      .option('--name <label>', 'what the token is for'),
  ).action(async (opts: StoreOpts & { account: string; expires?: string; name?: string }) => {
    const { parseLifetime } = await import('../../domain/hub/read-token-service.js');
    const expiresInSeconds = opts.expires !== undefined ? parseLifetime(opts.expires) : undefined;
    await withCore(opts, async ({ services }) => {
      const account = await services.iam.requireAccount(opts.account);
      print(await services.readTokens.create(account.id, { name: opts.name, expiresInSeconds, createdBy: 'modelreg token create' }));
    });
  });
  storeOptions(token.command('list').description('list read tokens (never the tokens themselves)').option('--account <name>', 'only this account')).action(
    async (opts: StoreOpts & { account?: string }) => {
      await withCore(opts, async ({ services }) => {
        const account = opts.account ? await services.iam.requireAccount(opts.account) : undefined;
        print(await services.readTokens.list(account?.id));
      });
    },
  );
  storeOptions(token.command('revoke <tokenId>').description('revoke a read token (effective at its next request)')).action(async (tokenId: string, opts: StoreOpts) => {
    await withCore(opts, async ({ services }) => {
      await services.readTokens.revoke(tokenId);
      print({ tokenId, status: 'revoked' });
    });
  });
}
