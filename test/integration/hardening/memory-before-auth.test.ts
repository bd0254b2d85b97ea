// Issue 10, class 4: memory spent before authentication. Many unauthenticated sockets each sending
// a 1 MiB body must not make the server buffer them (it authenticates on the headers first, caps
// connections per address and overall), and a legitimate signed request still succeeds meanwhile.
// The server runs in a child process so that its RSS is its own.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { call, signedFetch, startServer, tempDir, type Key } from '../../helpers/harness.js';
import { createRandomDatabase, dropTestDatabase, testPgUrl } from '../../helpers/pg.js';
import { startCliServer, type CliServer } from '../../helpers/cli.js';
import { signedHead } from './raw-http.js';

const MiB = 1024 * 1024;
const rssOf = (pid: number): number => {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1] ?? 0) * 1024;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Opens `n` sockets from `localAddress`, each sending a POST head for a 1 MiB body and then all of
 * the body but its last byte, and keeps them open for `holdMs`. Returns how many it could write.
 */
async function attack(url: string, head: (i: number) => string, n: number, holdMs: number, localAddress: string): Promise<void> {
  const u = new URL(url);
  const body = Buffer.alloc(MiB - 1, 0x20);
  const sockets: net.Socket[] = [];
  for (let i = 0; i < n; i++) {
    const s = net.connect({ host: u.hostname, port: Number(u.port), localAddress });
    s.on('error', () => {});
    s.on('data', () => {});
    s.once('connect', () => {
      s.write(head(i));
      s.write(body);
    });
    sockets.push(s);
    if (i % 50 === 49) await sleep(20);
  }
  await sleep(holdMs);
  for (const s of sockets) s.destroy();
}

describe('memory before authentication', () => {
  let dataDir: string;
  let server: CliServer;
  let pgDatabase: string | undefined;
  const key: Key = { accessKey: `boot${randomBytes(6).toString('hex')}`, secretKey: randomBytes(24).toString('hex') };

  before(async () => {
    dataDir = tempDir('modelreg-rss-');
    const args = ['--data-dir', dataDir];
    const cluster = testPgUrl();
    if (cluster) {
      pgDatabase = await createRandomDatabase(cluster);
      args.push('--database', pgDatabase);
    }
    server = await startCliServer(args, { MODELREG_BOOTSTRAP_ACCESS_KEY: key.accessKey, MODELREG_BOOTSTRAP_SECRET_KEY: key.secretKey });
  });
  after(async () => {
    await server?.stop();
    const cluster = testPgUrl();
    if (cluster && pgDatabase) await dropTestDatabase(cluster, pgDatabase);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  test('300 unauthenticated 1 MiB bodies do not raise RSS by hundreds of MiB; a signed request succeeds during the attack', async (t) => {
    const pid = server.child.pid!;
    // Warm up: the first requests load code and fill caches.
    for (let i = 0; i < 5; i++) await call(server, key, 'DescribeCustomModelSets', {});
    await sleep(200);
    const baseline = rssOf(pid);
    let peak = baseline;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        peak = Math.max(peak, rssOf(pid));
        await sleep(25);
      }
    })();
    const stranger = { accessKey: 'AKnobody0000000000', secretKey: 'x'.repeat(32) };
    const heads = [
      () => `POST /v2/model?Action=CreateCustomModelSet HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${MiB}\r\n\r\n`,
      () => signedHead(server.url, stranger, { action: 'CreateCustomModelSet', contentLength: MiB }),
      () => signedHead(server.url, { accessKey: key.accessKey, secretKey: 'not-the-secret' }, { action: 'CreateCustomModelSet', contentLength: MiB }),
    ];
    // The attacker comes from another address (127.0.0.2); the legitimate client from 127.0.0.1.
    const attacking = attack(server.url, (i) => heads[i % heads.length]!(), 300, 2_500, '127.0.0.2');
    await sleep(800);
    const during = await call(server, key, 'DescribeCustomModelSets', {});
    assert.ok(Array.isArray(during.customModelSetList), 'the signed request failed during the attack');
    const health = await fetch(`${server.url}/healthz`);
    assert.equal(health.status, 200);
    await attacking;
    sampling = false;
    await sampler;
    const grown = (peak - baseline) / MiB;
    t.diagnostic(`RSS ${(baseline / MiB).toFixed(0)} MiB before, peak +${grown.toFixed(1)} MiB during the attack`);
    // Main buffered every body: +300 MiB here (1.4 GB for the 1,500 sockets).
    assert.ok(grown < 120, `RSS grew by ${grown.toFixed(0)} MiB under the attack (baseline ${(baseline / MiB).toFixed(0)} MiB)`);
    // And the server still serves normally afterwards.
    assert.ok(Array.isArray((await call(server, key, 'DescribeCustomModelSets', {})).customModelSetList));
  });
});

describe('in-flight body budget per client', () => {
  test('a valid key holding many unfinished bodies gets 429 past its budget; others are unaffected; the budget is released', async () => {
    const s = await startServer({ maxInflightBodyBytesPerClient: 4 * MiB, maxInflightBodyBytes: 64 * MiB, bodyLimitBytes: 2 * MiB });
    try {
      const u = new URL(s.url);
      const open: net.Socket[] = [];
      const answers: string[] = [];
      for (let i = 0; i < 8; i++) {
        const sock = net.connect({ host: u.hostname, port: Number(u.port), localAddress: '127.0.0.3' });
        sock.on('error', () => {});
        let first = true;
        sock.on('data', (d) => {
          if (first) answers.push(d.toString('latin1'));
          first = false;
        });
        sock.write(signedHead(s.url, s.key, { action: 'DescribeModel', contentLength: MiB }));
        sock.write('{"modelId":"');
        open.push(sock);
      }
      // Four fit the 4 MiB budget and wait for their bodies; the other four are answered at once
      // (the wait is only for the signature checks on a loaded machine).
      for (let t = 0; t < 200 && answers.length < 4; t++) await sleep(50);
      await sleep(300);
      const refused = answers.filter((a) => a.startsWith('HTTP/1.1 429'));
      assert.equal(refused.length, 4, `answers: ${answers.map((a) => a.slice(0, 15)).join(' | ')}`);
      assert.match(refused[0]!, /too many request bytes in flight from this address/);
      // Another address has its own budget.
      const other = await signedFetch(s.url, s.key, { query: 'Action=DescribeModel', body: JSON.stringify({ modelId: 'amv-x' }) });
      assert.equal(other.status, 404);
      for (const sock of open) sock.destroy();
      await sleep(300);
      const sock = net.connect({ host: u.hostname, port: Number(u.port), localAddress: '127.0.0.3' });
      const got = await new Promise<string>((resolve) => {
        let text = '';
        sock.on('data', (d) => {
          text += d.toString('latin1');
          if (text.includes('\r\n\r\n')) resolve(text);
        });
        const body = JSON.stringify({ modelId: 'amv-x' });
        sock.write(signedHead(s.url, s.key, { action: 'DescribeModel', contentLength: Buffer.byteLength(body) }) + body);
      });
      sock.destroy();
      assert.match(got, /^HTTP\/1.1 404/, 'the budget was not released when the connections closed');
    } finally {
      await s.close();
    }
  });

  test('connections over the per-address cap are closed at once; other addresses still connect', async () => {
    const s = await startServer({ maxConnectionsPerClient: 5 });
    try {
      const u = new URL(s.url);
      const socks: net.Socket[] = [];
      let closed = 0;
      for (let i = 0; i < 10; i++) {
        const sock = net.connect({ host: u.hostname, port: Number(u.port), localAddress: '127.0.0.4' });
        sock.on('error', () => {});
        sock.on('close', () => closed++);
        socks.push(sock);
      }
      for (let t = 0; t < 100 && closed < 5; t++) await sleep(50);
      await sleep(300);
      assert.equal(closed, 5, `${closed} of 10 connections were closed`);
      assert.equal((await signedFetch(s.url, s.key, { query: 'Action=DescribeModel', body: JSON.stringify({ modelId: 'amv-x' }) })).status, 404);
      for (const sock of socks) sock.destroy();
    } finally {
      await s.close();
    }
  });
});
