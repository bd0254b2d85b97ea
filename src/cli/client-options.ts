// Where the user-side commands find the server and the key: flags, then the environment the
// official SDKs read (QIANFAN_ACCESS_KEY, QIANFAN_SECRET_KEY, QIANFAN_CONSOLE_API_BASE_URL),
// then a profile (--profile NAME or MODELREG_PROFILE, default "default") in the profile file.
// These are client settings, read here rather than in src/config.ts (the server's).
import type { Command } from 'commander';
import { ApiClient } from '../client/api-client.js';
import { usageError } from './output.js';
import { defaultProfileFile, readProfiles, type Profile } from './profile-file.js';

export const DEFAULT_ENDPOINT = 'http://127.0.0.1:8080';

export interface ClientFlags {
  endpoint?: string;
  accessKey?: string;
  secretKey?: string;
  profile?: string;
  json?: boolean;
}

export const clientOptions = (c: Command): Command =>
  c
    .option('--endpoint <url>', `registry URL (env QIANFAN_CONSOLE_API_BASE_URL; default ${DEFAULT_ENDPOINT})`)
    .option('--access-key <ak>', 'access key (env QIANFAN_ACCESS_KEY)')
    .option('--secret-key <sk>', 'secret key (env QIANFAN_SECRET_KEY; prefer the env or a profile: flags show in ps)')
    .option('--profile <name>', 'profile in the profile file (env MODELREG_PROFILE; default "default")')
    .option('--json', 'print JSON for scripts instead of tables');

const env = (name: string): string | undefined => process.env[name] || undefined;

export const profileFile = (): string => env('MODELREG_PROFILE_FILE') ?? defaultProfileFile();

export const warn = (msg: string): void => {
  process.stderr.write(`modelreg: warning: ${msg}\n`);
};

export interface ResolvedClient {
  client: ApiClient;
  endpoint: string;
  accessKey: string;
}

export function resolveClient(flags: ClientFlags): ResolvedClient {
  const named = flags.profile ?? env('MODELREG_PROFILE');
  const file = profileFile();
  let profile: Profile = {};
  const needProfile = named !== undefined || !(flags.accessKey ?? env('QIANFAN_ACCESS_KEY')) || !(flags.secretKey ?? env('QIANFAN_SECRET_KEY'));
  if (needProfile) {
    const read = readProfiles(file, warn);
    const name = named ?? 'default';
    if (read?.profiles[name]) profile = read.profiles[name]!;
    else if (named !== undefined) throw usageError(read ? `no profile "${named}" in ${file}` : `--profile ${named}: ${file} does not exist; create it with: modelreg profile set ${named} --access-key …`);
  }
  const endpoint = flags.endpoint ?? env('QIANFAN_CONSOLE_API_BASE_URL') ?? profile.endpoint ?? DEFAULT_ENDPOINT;
  const accessKey = flags.accessKey ?? env('QIANFAN_ACCESS_KEY') ?? profile.accessKey;
  const secretKey = flags.secretKey ?? env('QIANFAN_SECRET_KEY') ?? profile.secretKey;
  if (!accessKey || !secretKey) {
    throw usageError(
      `no ${!accessKey ? 'access key' : 'secret key'}: pass --access-key/--secret-key, set QIANFAN_ACCESS_KEY/QIANFAN_SECRET_KEY, or add a profile to ${file} (modelreg profile set default --access-key …)`,
    );
  }
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw usageError(`the endpoint must be a URL such as ${DEFAULT_ENDPOINT}, not "${endpoint}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw usageError(`the endpoint must be an http(s) URL, not "${endpoint}"`);
  return { client: new ApiClient(endpoint, { accessKey, secretKey }), endpoint, accessKey };
}
