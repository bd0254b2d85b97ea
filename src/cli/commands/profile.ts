// modelreg profile list|set|remove: the credential profiles the user-side commands can use
// (--profile NAME), in ~/.modelreg/credentials or MODELREG_PROFILE_FILE. Secrets are never printed.
import fs from 'node:fs';
import type { Command } from 'commander';
import { DEFAULT_ENDPOINT, profileFile } from '../client-options.js';
import { ApiCallError, ApiClient } from '../../client/api-client.js';
import { readSecretFromTty } from '../prompt.js';
import { CliError, EXIT } from '../output.js';
import { printJson, printTable, usageError } from '../output.js';
import { readProfiles, writeProfiles, type Profile } from '../profile-file.js';

const NAME = /^[A-Za-z0-9_.-]{1,64}$/;

export function registerProfile(program: Command): void {
  const profile = program.command('profile').description(`credential profiles (stored in ${'~/.modelreg/credentials'} or MODELREG_PROFILE_FILE)`);

  profile
    .command('list')
    .description('list profiles: name, access key, endpoint (never the secret)')
    .option('--json', 'print JSON')
    .action((o: { json?: boolean }) => {
      const file = profileFile();
      const read = readProfiles(file);
      const rows = Object.entries(read?.profiles ?? {}).map(([name, p]) => ({ name, accessKey: p.accessKey ?? '', endpoint: p.endpoint ?? '', hasSecretKey: Boolean(p.secretKey) }));
      if (o.json) return printJson({ file, profiles: rows });
      if (rows.length === 0) return void process.stderr.write(`no profiles in ${file}\n`);
      printTable(['PROFILE', 'ACCESS KEY', 'ENDPOINT', 'SECRET'], rows.map((r) => [r.name, r.accessKey, r.endpoint, r.hasSecretKey ? 'set' : 'missing']));
    });

  profile
    .command('set <name>')
    .description('add or update a profile (the file is written with mode 600)')
    .option('--access-key <ak>', 'access key')
    .option('--secret-key-stdin', 'read the secret key from the first line of standard input (keeps it out of ps and shell history)')
    .option('--secret-key <sk>', 'secret key (prefer --secret-key-stdin)')
    .option('--endpoint <url>', 'registry URL')
    .option('--no-verify', 'save without checking the key against the registry')
    .action(async (name: string, o: { accessKey?: string; secretKey?: string; secretKeyStdin?: boolean; endpoint?: string; verify: boolean }) => {
      if (!NAME.test(name)) throw usageError('a profile name is 1-64 letters, digits, "_", "-" or "."');
      let secretKey = o.secretKey;
      if (o.secretKeyStdin) {
        if (secretKey !== undefined) throw usageError('give --secret-key or --secret-key-stdin, not both');
        secretKey = (await readFirstLine()).trim();
        if (!secretKey) throw usageError('--secret-key-stdin: standard input held no secret key');
      }
      // On a terminal, a missing secret is asked for without echo (never on the command line).
      if (secretKey === undefined && process.stdin.isTTY && (o.accessKey !== undefined || !readProfiles(profileFile())?.profiles[name]?.secretKey)) {
        secretKey = (await readSecretFromTty(`secret key for ${name}: `)).trim();
        if (!secretKey) throw usageError('no secret key given');
      }
      if (o.endpoint !== undefined) {
        try {
          new URL(o.endpoint);
        } catch {
          throw usageError(`--endpoint must be a URL such as http://127.0.0.1:8080, not "${o.endpoint}"`);
        }
      }
      const file = profileFile();
      const read = readProfiles(file) ?? { profiles: {}, format: 'ini' as const };
      const p: Profile = { ...read.profiles[name] };
      if (o.accessKey !== undefined) p.accessKey = o.accessKey;
      if (secretKey !== undefined) p.secretKey = secretKey;
      if (o.endpoint !== undefined) p.endpoint = o.endpoint;
      // The key is checked with a signed call before it is kept.
      if (o.verify && p.accessKey && p.secretKey) {
        const endpoint = p.endpoint ?? process.env.QIANFAN_CONSOLE_API_BASE_URL ?? DEFAULT_ENDPOINT;
        const who = await verifyKey(endpoint, p.accessKey, p.secretKey);
        process.stderr.write(`key ${p.accessKey} of account ${who.accountName} verified at ${endpoint}${who.write ? '' : ' (read-only)'}\n`);
      }
      read.profiles[name] = p;
      writeProfiles(file, read.profiles, read.format);
      process.stderr.write(`profile ${name} saved in ${file}\n`);
    });

  profile
    .command('remove <name>')
    .description('remove a profile')
    .action((name: string) => {
      const file = profileFile();
      const read = readProfiles(file);
      if (!read?.profiles[name]) throw usageError(`no profile "${name}" in ${file}`);
      delete read.profiles[name];
      if (Object.keys(read.profiles).length === 0) fs.rmSync(file);
      else writeProfiles(file, read.profiles, read.format);
      process.stderr.write(`profile ${name} removed from ${file}\n`);
    });
}

async function readFirstLine(): Promise<string> {
  let data = '';
  for await (const chunk of process.stdin) {
    data += chunk;
    const nl = data.indexOf('\n');
    if (nl >= 0) return data.slice(0, nl);
  }
  return data;
}

async function verifyKey(endpoint: string, accessKey: string, secretKey: string): Promise<{ accountName: string; write: boolean }> {
  const client = new ApiClient(endpoint, { accessKey, secretKey });
  try {
    const r = await client.call<any>('/v2/model', 'DescribeCallerIdentity', {});
    return { accountName: r.accountName, write: r.permissions?.find((x: any) => x.route === '/v2/model')?.write !== false };
  } catch (err) {
    if (err instanceof ApiCallError) throw new CliError(`the registry at ${endpoint} refused the key: ${err.code}: ${err.message}; the profile was not saved (--no-verify saves it anyway)`, EXIT.apiError);
    throw new CliError(`cannot verify the key at ${endpoint}: ${(err as Error).message}; the profile was not saved (--no-verify saves it anyway)`, EXIT.apiError);
  }
}
