// Issue 10, class 3: a store that stops sending mid-object must not wedge an import. An S3 endpoint
// (s3rver behind a proxy) answers GetObject of the weights with headers and a few bytes, then goes
// silent with the connection open: the read's stall timeout ends the import with a reason, well
// before the S3 client's own idle timeout (120 s).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { S3ObjectStore } from '../../../src/objects/s3-store.js';
import { startServer, tempDir, type TestServer } from '../../helpers/harness.js';
import { createSet, transformersImport } from '../../helpers/api.js';
import { writeTinyCausalLM } from '../../fixtures/model-builder.js';
import { startS3rver, type RunningS3 } from '../../helpers/s3rver.js';
import { FAST, importAndSettle, uploadDir } from '../pipeline/pipeline-helpers.js';

const BUCKET = 'stall-models';

describe('a store that goes silent mid-object', () => {
  let s3: RunningS3;
  let proxy: http.Server;
  let server: TestServer;
  const held: http.ServerResponse[] = [];

  before(async () => {
    s3 = await startS3rver();
    const upstream = new URL(s3.config.endpoint as string);
    // Forwards everything to s3rver, except GetObject of a .safetensors file: headers and 16 bytes, then silence.
    proxy = http.createServer((req, res) => {
      const fwd = http.request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (up) => {
        const stall = req.method === 'GET' && /\.safetensors(\?|$)/.test(req.url ?? '');
        res.writeHead(up.statusCode ?? 502, up.headers);
        if (!stall) return void up.pipe(res);
        up.once('data', (chunk: Buffer) => {
          res.write(chunk.subarray(0, 16));
          up.destroy();
          held.push(res);
        });
      });
      req.pipe(fwd);
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    const config = { ...s3.config, endpoint: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}` };
    const store = new S3ObjectStore(s3.config);
    await store.createBucket(BUCKET);
    const dir = tempDir('modelreg-stall-');
    await writeTinyCausalLM(dir);
    await uploadDir(store, BUCKET, 'm', dir);
    fs.rmSync(dir, { recursive: true, force: true });
    await store.close();
    server = await startServer({ ...FAST, s3: config, readStallTimeoutMs: 1_000 });
  });
  after(async () => {
    for (const r of held) r.destroy();
    await server?.close();
    proxy?.closeAllConnections();
    await new Promise((r) => proxy?.close(r));
    await s3?.destroy();
  });

  it('the import ends in Fail with a stall reason instead of staying Creating', async () => {
    const { modelSetId } = await createSet(server, server.key);
    const t0 = Date.now();
    const d = await importAndSettle(server, server.key, transformersImport(modelSetId, { bucket: BUCKET, objectPath: 'm' }), 30_000);
    assert.equal(d.status, 'Fail', JSON.stringify(d));
    assert.match(d.failureReason, /reading "m\/model\.safetensors" in bucket "stall-models" .*stalled: no data for 1000 ms/);
    assert.ok(Date.now() - t0 < 30_000);
  });
});
