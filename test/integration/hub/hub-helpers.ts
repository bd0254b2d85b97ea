// Shared by the Hub API tests (test/integration/hub): a server with two Ready versions of one set, read
// tokens, and what a Hugging Face cache directory holds.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestServer, Key } from '../../helpers/harness.js';
import { createSet } from '../../helpers/api.js';
import { writeTinyCausalLM, type TinyLmOptions } from '../../fixtures/model-builder.js';
import { bucketPath, describeFiles, importAndSettle } from '../pipeline/pipeline-helpers.js';
import { transformersImport } from '../../helpers/api.js';

export const BUCKET = 'hub-models';

// The JS client logs every file it downloads with console.debug: keep test output readable.
console.debug = () => {};

/** The account an access key acts for. */
export async function accountOf(server: TestServer, key: Key): Promise<string> {
  const k = await server.app.services.iam.resolveKey(key.accessKey);
  return k!.principal.accountName;
}

/** A read token of `account`, as `modelreg token create` makes one. */
export async function readToken(server: TestServer, account: string): Promise<{ token: string; tokenId: string }> {
  const a = await server.app.services.iam.requireAccount(account);
  return server.app.services.readTokens.create(a.id, { name: 'test', createdBy: 'test' });
}

/** Imports a tiny model written under objectPath and returns its DescribeModel once Ready. */
export async function importTiny(server: TestServer, key: Key, setId: string, objectPath: string, opts: TinyLmOptions = {}): Promise<any> {
  await writeTinyCausalLM(bucketPath(server, BUCKET, objectPath), opts);
  const d = await importAndSettle(server, key, transformersImport(setId, { bucket: BUCKET, objectPath }));
  if (d.status !== 'Ready') throw new Error(`import of ${objectPath} failed: ${d.failureReason}`);
  return d;
}

export interface HubFixture {
  account: string;
  setId: string;
  setName: string;
  repo: string;
  v1: any;
  v2: any;
}

/** A set with V1 (extras: an empty file, nested directories) and V2 (2 shards, other weights). */
export async function twoVersions(server: TestServer, key: Key): Promise<HubFixture> {
  const account = await accountOf(server, key);
  const set = await createSet(server, key);
  const v1 = await importTiny(server, key, set.modelSetId, `${set.modelSetName}/v1`, {
    extraFiles: { '.gitattributes': '', 'README.md': '# tiny', 'original/params.json': '{"dim": 16}', 'deep/er/notes.txt': 'abcdefghijklmnopqrstuvwxyz'.repeat(4000) },
  });
  const v2 = await importTiny(server, key, set.modelSetId, `${set.modelSetName}/v2`, { shards: 2, dtype: 'F16' });
  return { account, setId: set.modelSetId, setName: set.modelSetName, repo: `${account}/${set.modelSetName}`, v1, v2 };
}

const caches: string[] = [];
/** A fresh Hugging Face cache directory, removed by removeCaches(). */
export function hfCache(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hf-cache-'));
  caches.push(dir);
  return dir;
}
export function removeCaches(): void {
  for (const d of caches.splice(0)) fs.rmSync(d, { recursive: true, force: true });
}

/** { path, size, sha256 } of every file of a snapshot folder (following the cache's symlinks). */
export const snapshotFiles = (dir: string) => describeFiles(dir);

/** The cache folder of a model repo: <cache>/models--ns--name. */
export const repoFolder = (cacheDir: string, repo: string): string => path.join(cacheDir, `models--${repo.split('/').join('--')}`);

export const readRef = (cacheDir: string, repo: string, revision: string): string => fs.readFileSync(path.join(repoFolder(cacheDir, repo), 'refs', revision), 'utf8');
