// Starts a real modelreg server on 127.0.0.1 (random port) over a temp data dir, and talks to it
// with the real Qianfan Node SDK or with our own signer for requests the SDK cannot make.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { consoleAction } from '@baiducloud/qianfan';
import { createApp, type App } from '../../src/app.js';
import { loadConfig, type ConfigOverrides } from '../../src/config.js';
import { signRequest } from '../../src/http/auth/bce-v1.js';
import { createTestDatabase, dropTestDatabase, testPgUrl } from './pg.js';

export interface Key {
  accessKey: string;
  secretKey: string;
}

export interface TestServer {
  url: string;
  app: App;
  dataDir: string;
  /** The database this server uses (a SQLite path, or its own postgres:// database). */
  database: string;
  /** A full-control key of account "alice". */
  key: Key;
  newKey(account: string, policies?: string[]): Promise<Key>;
  close(): Promise<void>;
}

export function tempDir(prefix = 'modelreg-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** The database tests run against: MODELREG_TEST_DATABASE (a postgres:// URL) or a fresh SQLite file. */
export function testDatabase(dataDir: string): string {
  const pg = process.env.MODELREG_TEST_DATABASE;
  return pg ? pg : path.join(dataDir, 'modelreg.sqlite');
}

export async function startServer(overrides: ConfigOverrides = {}): Promise<TestServer> {
  const dataDir = overrides.dataDir ?? tempDir();
  // On PostgreSQL every server gets a database of its own (the same one again for the same data dir).
  const pgUrl = testPgUrl();
  const ownPg = pgUrl !== undefined && overrides.database === undefined;
  const database = ownPg ? await createTestDatabase(pgUrl, dataDir) : testDatabase(dataDir);
  const config = loadConfig({
    dataDir,
    database,
    port: 0,
    host: '127.0.0.1',
    logLevel: process.env.MODELREG_TEST_LOG_LEVEL ?? 'silent',
    ...overrides,
  });
  const app = await createApp(config);
  const url = await app.http.listen({ host: '127.0.0.1', port: 0 });
  const keys = new Map<string, Key>();
  const newKey = async (account: string, policies: string[] = ['QianfanFullControlAccessPolicy']): Promise<Key> => {
    await app.services.iam.ensureAccount(account);
    return app.services.iam.createKey({ accountName: account, policies });
  };
  const key = await newKey(`alice-${Math.random().toString(36).slice(2, 8)}`);
  keys.set('alice', key);
  return {
    url,
    app,
    dataDir,
    database: config.database,
    key,
    newKey,
    async close() {
      await app.close();
      // A caller-supplied data dir may be reopened later: its database stays until the cluster goes.
      if (ownPg && !overrides.dataDir) await dropTestDatabase(pgUrl, config.database);
      if (!overrides.dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface SdkError {
  status: number;
  body: { requestId?: string; code?: string; message?: string } & Record<string, unknown>;
}

/** Calls an action through the real SDK. Env is read synchronously at call time, so parallel calls are safe. */
export function sdk(url: string, key: Key, route: string, action: string, data?: Record<string, unknown>, useBodyKey = false): Promise<any> {
  process.env.QIANFAN_CONSOLE_API_BASE_URL = url;
  process.env.QIANFAN_ACCESS_KEY = key.accessKey;
  process.env.QIANFAN_SECRET_KEY = key.secretKey;
  // `body:` instead of `data:` is what two seed examples do: the SDK then sends an empty body.
  const params = useBodyKey ? ({ base_api_route: route, action, body: data } as any) : { base_api_route: route, action, data };
  return consoleAction(params);
}

/** The SDK throws on non-2xx with the status and body in its message: take them back out. */
export function parseSdkError(err: unknown): SdkError {
  const msg = err instanceof Error ? err.message : String(err);
  const status = Number(/status = (\d+)/.exec(msg)?.[1] ?? NaN);
  const bodyText = /Response Body ([\s\S]*)$/.exec(msg)?.[1]?.trim() ?? '';
  let body: SdkError['body'] = {};
  try {
    body = JSON.parse(bodyText);
  } catch {
    body = { raw: bodyText };
  }
  return { status, body };
}

/** Runs an SDK call that must fail and returns its status and error envelope. */
export async function sdkFails(p: Promise<unknown>): Promise<SdkError> {
  try {
    await p;
  } catch (err) {
    return parseSdkError(err);
  }
  throw new Error('expected the call to fail, but it succeeded');
}

/** The result of a successful SDK call (throws with the server's message otherwise). */
export async function call(server: { url: string }, key: Key, action: string, data?: Record<string, unknown>, route = '/v2/model'): Promise<any> {
  const res = await sdk(server.url, key, route, action, data);
  return res.result;
}

export interface RawResponse {
  status: number;
  headers: Headers;
  body: any;
  text: string;
}

/** A request signed by our own signer, with hooks to tamper with it after signing. */
export async function signedFetch(
  url: string,
  key: Key,
  opts: {
    route?: string;
    query?: string;
    body?: string | Buffer;
    method?: string;
    headers?: Record<string, string>;
    date?: Date;
    expirationSeconds?: number;
    afterSign?: (h: Record<string, string>) => void;
    /** The query actually sent, when it must differ from the signed one (tamper tests). */
    sendQuery?: string;
    /** Headers sent but left out of the signature. */
    unsigned?: string[];
  } = {},
): Promise<RawResponse> {
  const u = new URL(url);
  const route = opts.route ?? '/v2/model';
  const query = opts.query ?? '';
  const body = opts.body ?? '';
  const headers: Record<string, string> = {
    host: u.host,
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(body)),
    'x-bce-date': (opts.date ?? new Date()).toISOString().replace(/\.\d+Z$/, 'Z'),
    ...opts.headers,
  };
  const toSign = Object.fromEntries(Object.entries(headers).filter(([k]) => !(opts.unsigned ?? []).includes(k)));
  headers.authorization = signRequest({
    accessKey: key.accessKey,
    secretKey: key.secretKey,
    method: opts.method ?? 'POST',
    path: route,
    rawQuery: query,
    headers: toSign,
    date: opts.date,
    expirationSeconds: opts.expirationSeconds,
  });
  opts.afterSign?.(headers);
  const { host: _host, 'content-length': _cl, ...sendHeaders } = headers;
  const sent = opts.sendQuery ?? query;
  const res = await fetch(`${url}${route}${sent ? '?' + sent : ''}`, {
    method: opts.method ?? 'POST',
    headers: sendHeaders,
    // fetch takes bytes as a Uint8Array over a plain ArrayBuffer, which a Buffer is not typed as.
    body: (opts.method ?? 'POST') === 'GET' ? undefined : typeof body === 'string' ? body : new Uint8Array(body),
  });
  const text = await res.text();
  let parsed: any;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: res.status, headers: res.headers, body: parsed, text };
}
