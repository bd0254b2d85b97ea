// pullFiles against a plain HTTP server: a URL that has expired (modelreg's /v1/download answers
// 400 RequestExpired, S3 a 403) is asked for again and the pull completes; a URL that keeps
// failing ends the pull after its attempts.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pullFiles, type RemoteFile } from '../../../src/cli/pull.js';

const BYTES = Buffer.from('weights '.repeat(1000));
const SHA = createHash('sha256').update(BYTES).digest('hex');

describe('pull asks for fresh URLs when one has expired', () => {
  let server: http.Server;
  let base: string;
  const hits: string[] = [];
  before(async () => {
    server = http.createServer((req, res) => {
      hits.push(req.url!);
      if (req.url === '/expired') {
        res.writeHead(400, { 'content-type': 'application/json' }).end('{"requestId":"r","code":"RequestExpired","message":"the download URL expired"}');
      } else if (req.url === '/refused') {
        res.writeHead(403).end('<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>');
      } else if (req.url === '/fresh') {
        res.writeHead(200, { 'content-length': BYTES.length }).end(BYTES);
      } else res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  const file = (url: string): RemoteFile => ({ path: 'model.safetensors', size: BYTES.length, sha256: SHA, downloadUrl: `${base}${url}` });
  const opts = (fresh: RemoteFile[], calls: { n: number }) => ({ parallel: 1, maxRate: 0, onBytes: () => {}, refresh: async () => (calls.n++, fresh) });

  for (const stale of ['/expired', '/refused']) {
    test(`${stale}: refreshed once, then the file arrives whole`, async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'modelreg-pull-refresh-'));
      hits.length = 0;
      const calls = { n: 0 };
      const stats = await pullFiles(dir, [file(stale)], opts([file('/fresh')], calls));
      assert.equal(calls.n, 1);
      assert.deepEqual(hits, [stale, '/fresh']);
      assert.equal(stats.downloadedBytes, BYTES.length);
      assert.ok(fs.readFileSync(path.join(dir, 'model.safetensors')).equals(BYTES));
      fs.rmSync(dir, { recursive: true, force: true });
    });
  }

  test('a URL that stays expired ends the pull after its attempts', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'modelreg-pull-refresh-'));
    const calls = { n: 0 };
    await assert.rejects(pullFiles(dir, [file('/expired')], opts([file('/expired')], calls)), /refused \(400\)/);
    assert.equal(calls.n, 3);
    assert.equal(fs.existsSync(path.join(dir, 'model.safetensors')), false);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe('pull when asking for fresh URLs fails', () => {
  let server: http.Server;
  let base: string;
  before(async () => {
    server = http.createServer((req, res) => {
      if (req.url === '/fresh') res.writeHead(200, { 'content-length': BYTES.length }).end(BYTES);
      else res.writeHead(400, { 'content-type': 'application/json' }).end('{"requestId":"r","code":"RequestExpired","message":"expired"}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  test('a refresh that fails once is asked again, and the pull completes', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'modelreg-pull-refresh-'));
    let calls = 0;
    const files = (url: string): RemoteFile[] => [{ path: 'a.bin', size: BYTES.length, sha256: SHA, downloadUrl: `${base}${url}` }];
    const refresh = async () => {
      calls++;
      if (calls === 1) throw new Error('connect ECONNREFUSED (the API restarting)');
      return files('/fresh');
    };
    await pullFiles(dir, files('/expired'), { parallel: 1, maxRate: 0, onBytes: () => {}, refresh });
    assert.equal(calls, 2);
    assert.ok(fs.readFileSync(path.join(dir, 'a.bin')).equals(BYTES));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('a refresh that keeps failing is what the pull reports', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'modelreg-pull-refresh-'));
    const files: RemoteFile[] = [{ path: 'a.bin', size: BYTES.length, sha256: SHA, downloadUrl: `${base}/expired` }];
    await assert.rejects(
      pullFiles(dir, files, { parallel: 1, maxRate: 0, onBytes: () => {}, refresh: async () => Promise.reject(new Error('the API is down')) }),
      /the API is down/,
    );
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
