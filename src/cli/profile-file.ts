// Credential profiles for the user-side commands: ~/.modelreg/credentials (or the file named by
// MODELREG_PROFILE_FILE), INI or JSON, one section per profile:
//
//   [default]                          {"default": {"accessKey": "…",
//   access_key = …                                  "secretKey": "…",
//   secret_key = …                                  "endpoint": "http://…"}}
//   endpoint = http://registry:8080
//
// The file holds secrets: it is written 0600 and a warning is printed when others can read it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { usageError } from './output.js';

export interface Profile {
  accessKey?: string;
  secretKey?: string;
  endpoint?: string;
}

export type Profiles = Record<string, Profile>;

export const defaultProfileFile = (): string => path.join(os.homedir(), '.modelreg', 'credentials');

const KEYS: Record<string, keyof Profile> = {
  access_key: 'accessKey',
  accesskey: 'accessKey',
  qianfan_access_key: 'accessKey',
  secret_key: 'secretKey',
  secretkey: 'secretKey',
  qianfan_secret_key: 'secretKey',
  endpoint: 'endpoint',
  base_url: 'endpoint',
};

const fieldOf = (file: string, key: string): keyof Profile => {
  const f = KEYS[key.toLowerCase()];
  if (!f) throw usageError(`${file}: unknown setting "${key}"; known: access_key, secret_key, endpoint`);
  return f;
};

export function parseProfiles(text: string, file: string): { profiles: Profiles; format: 'ini' | 'json' } {
  if (text.trimStart().startsWith('{')) {
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (err) {
      throw usageError(`${file}: not valid JSON: ${(err as Error).message}`);
    }
    const profiles: Profiles = {};
    for (const [name, p] of Object.entries(raw as Record<string, unknown>)) {
      if (p === null || typeof p !== 'object' || Array.isArray(p)) throw usageError(`${file}: profile "${name}" must be an object`);
      profiles[name] = {};
      for (const [k, v] of Object.entries(p as Record<string, unknown>)) {
        if (typeof v !== 'string') throw usageError(`${file}: ${name}.${k} must be a string`);
        profiles[name]![fieldOf(file, k)] = v;
      }
    }
    return { profiles, format: 'json' };
  }
  const profiles: Profiles = {};
  let current: Profile | null = null;
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) return;
    const section = /^\[\s*(?:profile\s+)?([^\]]+?)\s*\]$/.exec(line);
    if (section) {
      current = profiles[section[1]!] ??= {};
      return;
    }
    const eq = line.indexOf('=');
    if (eq < 0) throw usageError(`${file}:${i + 1}: expected "key = value" or "[profile]"`);
    if (!current) throw usageError(`${file}:${i + 1}: a setting before any [profile] section`);
    const value = line.slice(eq + 1).trim().replace(/^(["'])(.*)\1$/, '$2');
    (current as Profile)[fieldOf(`${file}:${i + 1}`, line.slice(0, eq).trim())] = value;
  });
  return { profiles, format: 'ini' };
}

/** The profiles in `file`, or null when it does not exist. */
export function readProfiles(file: string, warn: (msg: string) => void = () => {}): { profiles: Profiles; format: 'ini' | 'json' } | null {
  let text: string;
  let mode: number;
  try {
    text = fs.readFileSync(file, 'utf8');
    mode = fs.statSync(file).mode;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw usageError(`cannot read ${file}: ${(err as Error).message}`);
  }
  if (process.platform !== 'win32' && (mode & 0o077) !== 0) warn(`${file} can be read by other users; run: chmod 600 ${file}`);
  return parseProfiles(text, file);
}

export function formatProfiles(profiles: Profiles, format: 'ini' | 'json'): string {
  if (format === 'json') return JSON.stringify(profiles, null, 2) + '\n';
  const names: Record<keyof Profile, string> = { accessKey: 'access_key', secretKey: 'secret_key', endpoint: 'endpoint' };
  return (
    Object.entries(profiles)
      .map(([name, p]) => [`[${name}]`, ...Object.entries(p).filter(([, v]) => v).map(([k, v]) => `${names[k as keyof Profile]} = ${v}`)].join('\n'))
      .join('\n\n') + '\n'
  );
}

/** Writes the file readable by its owner only (created with 0600, never widened). */
export function writeProfiles(file: string, profiles: Profiles, format: 'ini' | 'json'): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, formatProfiles(profiles, format), { mode: 0o600 });
  fs.renameSync(tmp, file);
}
