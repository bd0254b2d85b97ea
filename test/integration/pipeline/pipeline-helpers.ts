// Shared by the import-pipeline tests (test/integration/pipeline): waiting for an import to end, where
// the buckets and the registry copies live on disk, hashing files, and our own multipart upload for
// CreateModelCustomConf; a test server on S3 (the in-process s3rver is test/helpers/s3rver.ts).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs, { promises as fsp } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ConfigOverrides } from '../../../src/config.js';
import { S3ObjectStore } from '../../../src/objects/s3-store.js';
import { call, signedFetch, startServer, type Key, type RawResponse, type TestServer } from '../../helpers/harness.js';
import { startS3rver, type RunningS3 } from '../../helpers/s3rver.js';

/** Overrides that make a test server's worker react within ~100 ms (and its blob collector run only when called). */
export const FAST = { jobPollMs: 100, importRetryDelayMs: 100, blobGcGraceMs: 0, blobGcIntervalMs: 0 } as const;

/** Polls DescribeModel until the version is no longer Creating; fails the test if it stays Creating. */
export async function settle(server: { url: string }, key: Key, modelId: string, timeoutMs = 30_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const d = await call(server, key, 'DescribeModel', { modelId });
    if (d.status !== 'Creating') return d;
    if (Date.now() > deadline) assert.fail(`version ${modelId} still Creating after ${timeoutMs} ms`);
    await sleep(50);
  }
}

/** Creates an Import version and waits for it to end. */
export async function importAndSettle(server: { url: string }, key: Key, body: Record<string, unknown>, timeoutMs?: number): Promise<any> {
  const { modelId } = await call(server, key, 'CreateCustomModel', body);
  return settle(server, key, modelId, timeoutMs);
}

/** Where the local object store keeps bucket/objectPath. */
export const bucketPath = (server: TestServer, bucket: string, objectPath = ''): string =>
  path.join(server.app.config.bucketsDir, bucket, ...objectPath.split('/').filter(Boolean));

/** The local registry bucket: <dataDir>/registry/models. */
export const registryRoot = (dataDir: string): string => path.join(dataDir, 'registry', 'models');

/** Every regular file under dir, relative, '/'-separated, sorted ([] when dir is missing). */
export async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string, rel: string): Promise<void> => {
    let entries: fs.Dirent[];
    try {
      entries = await fsp.readdir(d, { withFileTypes: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw e;
    }
    for (const e of entries) {
      if (e.isDirectory()) await walk(path.join(d, e.name), `${rel}${e.name}/`);
      else out.push(`${rel}${e.name}`);
    }
  };
  await walk(dir, '');
  return out.sort();
}

export async function sha256File(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 4 * 1024 * 1024 })) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** { path, size, sha256 } of every file under dir, as DescribeModel lists them. */
export async function describeFiles(dir: string): Promise<Array<{ path: string; size: number; sha256: string }>> {
  const out = [];
  for (const rel of await filesUnder(dir)) {
    const full = path.join(dir, ...rel.split('/'));
    out.push({ path: rel, size: (await fsp.stat(full)).size, sha256: await sha256File(full) });
  }
  return out;
}

/** Where the local registry keeps a blob. */
export const blobPath = (dataDir: string, scope: string, sha256: string): string =>
  path.join(registryRoot(dataDir), 'blobs', scope, sha256.slice(0, 2), sha256);

/** A Ready version's files as the local registry holds them (its blobs), in DescribeModel's shape. */
export async function storedFiles(dataDir: string, d: { files: { path: string; sha256: string }[]; storage: { scope: string } }) {
  const out = [];
  for (const f of d.files) {
    const full = blobPath(dataDir, d.storage.scope, f.sha256);
    out.push({ path: f.path, size: (await fsp.stat(full)).size, sha256: await sha256File(full) });
  }
  return out;
}

/** Total bytes of the local registry's blobs. */
export async function blobBytes(dataDir: string): Promise<number> {
  const root = path.join(registryRoot(dataDir), 'blobs');
  let n = 0;
  for (const rel of await filesUnder(root)) n += (await fsp.stat(path.join(root, rel))).size;
  return n;
}

/** The staging directory of one version, found by its id (the account id is not shown on Fail). */
export async function registryDirsOf(dataDir: string, modelId: string): Promise<string[]> {
  const root = path.join(registryRoot(dataDir), 'incoming');
  const accounts = await fsp.readdir(root).catch(() => [] as string[]);
  const found: string[] = [];
  for (const a of accounts) {
    const d = path.join(root, a, modelId);
    if (fs.existsSync(d)) found.push(d);
  }
  return found;
}

/** Temp files of unfinished registry writes (the local store's ".modelreg-tmp-*"). */
export async function registryTempFiles(dataDir: string): Promise<string[]> {
  const names = await fsp.readdir(registryRoot(dataDir)).catch(() => [] as string[]);
  return names.filter((n) => n.startsWith('.modelreg-tmp-'));
}

/** Waits until `check` returns true (polling), or fails with `what`. */
export async function eventually(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for: ${what}`);
    await sleep(50);
  }
}

/**
 * CreateModelCustomConf as a client uploads it: multipart/form-data with the file in the field
 * customSpecFile, signed by our signer (the content type with its boundary is among the signed headers).
 */
export async function uploadCustomConf(url: string, key: Key, content: string | Buffer, fileName = 'chat_template.jinja', field = 'customSpecFile'): Promise<RawResponse> {
  const form = new FormData();
  form.append(field, new Blob([typeof content === 'string' ? content : new Uint8Array(content)]), fileName);
  const encoded = new Request('http://localhost/', { method: 'POST', body: form });
  const contentType = encoded.headers.get('content-type') as string;
  const body = Buffer.from(await encoded.arrayBuffer());
  return signedFetch(url, key, { query: 'Action=CreateModelCustomConf', body, headers: { 'content-type': contentType } });
}

// ---------------------------------------------------------------- a test server on S3

/** Uploads every file under dir to bucket/prefix. */
export async function uploadDir(store: S3ObjectStore, bucket: string, prefix: string, dir: string): Promise<void> {
  for (const rel of await filesUnder(dir)) {
    const file = path.join(dir, ...rel.split('/'));
    await store.write(bucket, `${prefix}/${rel}`, fs.createReadStream(file), fs.statSync(file).size);
  }
}

export interface ServerOnS3 {
  s3: RunningS3;
  /** A client of the same s3rver, to put models into buckets and look at what the server stored. */
  store: S3ObjectStore;
  server: TestServer;
  /** Closes the server, the client and s3rver, and removes s3rver's data. */
  close(): Promise<void>;
}

/** s3rver with `bucket` created, and a FAST test server whose object store it is. */
export async function startServerOnS3(bucket: string, overrides: ConfigOverrides = {}): Promise<ServerOnS3> {
  const s3 = await startS3rver();
  const store = new S3ObjectStore(s3.config);
  let server: TestServer | undefined;
  const close = async () => {
    await server?.close();
    await store.close();
    await s3.destroy();
  };
  try {
    await store.createBucket(bucket);
    server = await startServer({ ...FAST, s3: s3.config, ...overrides });
    return { s3, store, server, close };
  } catch (err) {
    await close();
    throw err;
  }
}
