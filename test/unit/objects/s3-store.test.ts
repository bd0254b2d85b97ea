// Runs the conformance suite against S3ObjectStore talking to a real S3-compatible server
// (s3rver, test/helpers/s3rver.ts), plus S3-only failure modes.
import assert from 'node:assert/strict';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import http from 'node:http';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createObjectStore } from '../../../src/objects/index.js';
import { S3ObjectStore, type S3StoreOptions } from '../../../src/objects/s3-store.js';
import { startS3rver, type RunningS3 } from '../../helpers/s3rver.js';
import { collect, keysOf, registerConformanceTests, rejectsWith } from './conformance.js';

registerConformanceTests(
  's3 (s3rver)',
  async () => {
    const s3 = await startS3rver();
    const store = new S3ObjectStore(s3.config);
    return {
      store,
      teardown: async () => {
        await store.close(); // destroys the client's keep-alive sockets first, so close() can finish
        await s3.destroy();
      },
    };
  },
  { strictKeyOrder: false },
);

describe('S3ObjectStore specifics', { timeout: 60_000 }, () => {
  let s3: RunningS3;
  const stores: S3ObjectStore[] = [];
  const storeWith = (extra: Partial<S3StoreOptions> = {}) => {
    const s = new S3ObjectStore({ ...s3.config, ...extra });
    stores.push(s);
    return s;
  };

  before(async () => {
    s3 = await startS3rver();
  });
  after(async () => {
    await Promise.all(stores.map((s) => s.close()));
    await s3.destroy();
  });

  it('is what createObjectStore builds for kind "s3"', async () => {
    const s = createObjectStore({ kind: 's3', ...s3.config });
    assert.ok(s instanceof S3ObjectStore);
    assert.equal(s.kind, 's3');
    assert.equal(await s.bucketExists('not-there'), false);
    await s.close?.();
  });

  it('hides folder marker objects', async () => {
    const store = storeWith();
    await store.createBucket('markers');
    await store.write('markers', 'ok/file', Buffer.from('x'));
    // Written around the store, as S3 consoles do for "new folder".
    const client = (store as unknown as { client: S3Client }).client;
    await client.send(new PutObjectCommand({ Bucket: 'markers', Key: 'ok/', Body: '', ContentLength: 0 }));
    assert.deepEqual(await keysOf(store, 'markers'), ['ok/file']);
  });

  it('fails fast with ServiceUnavailable when nothing listens', async () => {
    const port = await freePort();
    const store = storeWith({ endpoint: `http://127.0.0.1:${port}` });
    const started = Date.now();
    await rejectsWith(store.bucketExists('models'), 'ServiceUnavailable', new RegExp(`127\\.0\\.0\\.1:${port}.*ECONNREFUSED`));
    await rejectsWith(store.stat('models', 'k'), 'ServiceUnavailable');
    assert.ok(Date.now() - started < 10_000, 'connection refused should not take long');
  });

  it('gives up on a server that accepts connections but never answers', { timeout: 30_000 }, async () => {
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((s) => sockets.add(s.on('close', () => sockets.delete(s))));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as net.AddressInfo;
    try {
      const store = storeWith({ endpoint: `http://127.0.0.1:${port}`, idleTimeoutMs: 300 });
      await rejectsWith(store.bucketExists('models'), 'ServiceUnavailable', /timed out/);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('requires both halves of a static credential', () => {
    assert.throws(() => new S3ObjectStore({ region: 'us-east-1', accessKeyId: 'only-id' }), /both accessKeyId and secretAccessKey/);
  });
});

// s3rver cannot serve these cases (its continuation tokens use DES, which OpenSSL 3 lacks, and it
// does not verify V4 signatures), so a canned-response server stands in for S3 here.
describe('S3ObjectStore against canned S3 responses', { timeout: 60_000 }, () => {
  const requests: URL[] = [];
  let server: http.Server;
  let store: S3ObjectStore;

  before(async () => {
    server = http.createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      requests.push(url);
      const reply = (status: number, body: string) => res.writeHead(status, { 'content-type': 'application/xml' }).end(body);
      if (url.pathname.startsWith('/denied')) {
        return reply(403, '<?xml version="1.0"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>');
      }
      if (url.pathname === '/paged/' && url.searchParams.get('list-type') === '2') {
        const token = url.searchParams.get('continuation-token') ?? '';
        const page = LIST_PAGES[token];
        return page ? reply(200, listXml(page.keys, page.next)) : reply(400, '<Error><Code>InvalidArgument</Code></Error>');
      }
      reply(404, '<Error><Code>NoSuchBucket</Code><Message>no</Message></Error>');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    store = new S3ObjectStore({
      endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', accessKeyId: 'k', secretAccessKey: 's', forcePathStyle: true, listPageSize: 2,
    });
  });
  after(async () => {
    await store.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('follows ListObjectsV2 continuation tokens and skips unaddressable keys', async () => {
    requests.length = 0;
    const listed = await collect(store.list('paged', 'd'));
    assert.deepEqual(listed.map((o) => o.key), ['d/1', 'd/2', 'd/3', 'd/4']);
    assert.equal(listed[0].etag, 'etag-d/1'); // quotes stripped
    assert.equal(listed[0].size, 3);
    assert.deepEqual(requests.map((u) => u.searchParams.get('continuation-token')), [null, 'tok-1', 'tok-2']);
    assert.ok(requests.every((u) => u.searchParams.get('prefix') === 'd/' && u.searchParams.get('max-keys') === '2'));
  });

  it('maps 403 responses to AccessDenied', async () => {
    await rejectsWith(store.bucketExists('denied'), 'AccessDenied', /storage credentials/);
    await rejectsWith(keysOf(store, 'denied'), 'AccessDenied', /ListObjectsV2 on bucket "denied"/);
  });
});

const LIST_PAGES: Record<string, { keys: string[]; next?: string }> = {
  '': { keys: ['d/1', 'd/2'], next: 'tok-1' },
  'tok-1': { keys: ['d/', 'd//double'], next: 'tok-2' },
  'tok-2': { keys: ['d/3', 'd/../escape', 'd/4'] },
};

function listXml(keys: string[], next?: string): string {
  const contents = keys
    .map((k) => `<Contents><Key>${k}</Key><LastModified>2024-01-01T00:00:00.000Z</LastModified><ETag>"etag-${k}"</ETag><Size>3</Size></Contents>`)
    .join('');
  const more = next ? `<IsTruncated>true</IsTruncated><NextContinuationToken>${next}</NextContinuationToken>` : '<IsTruncated>false</IsTruncated>';
  return `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>paged</Name><KeyCount>${keys.length}</KeyCount><MaxKeys>2</MaxKeys>${more}${contents}</ListBucketResult>`;
}

/** A port nobody listens on (bound, then released). */
async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise((resolve) => srv.close(resolve));
  return port;
}
