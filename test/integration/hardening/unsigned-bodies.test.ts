// Memory before authentication, beyond the signed API: a request body is read only once its sender
// is authenticated, on every route. The Hub's paths-info (the one other route that takes a body)
// checks the read token first and counts the body against the in-flight budget; every other route
// (Hub writes, unknown paths, methods a route does not take) answers from the headers and closes
// the connection, without ever buffering the body. Before, each of these held the connection and
// buffered up to the body limit (1 MiB) for an unauthenticated client, outside every budget.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { startServer, type TestServer } from '../../helpers/harness.js';
import { accountOf, readToken } from '../hub/hub-helpers.js';
import { exchange } from './raw-http.js';

const MiB = 1024 * 1024;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A request head announcing a 1 MiB body, as a raw HTTP/1.1 string. */
function head(url: string, method: string, path: string, headers: Record<string, string> = {}): string {
  const all: Record<string, string> = { host: new URL(url).host, 'content-type': 'application/json', 'content-length': String(MiB), ...headers };
  return `${method} ${path} HTTP/1.1\r\n${Object.entries(all).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`;
}

describe('bodies of requests that are not signed API calls', () => {
  let server: TestServer;
  let repo: string;
  let token: string;

  before(async () => {
    server = await startServer({ maxInflightBodyBytesPerClient: 2 * MiB, maxInflightBodyBytes: 64 * MiB });
    const account = await accountOf(server, server.key);
    repo = `${account}/some-set`;
    token = (await readToken(server, account)).token;
  });
  after(() => server?.close());

  test('are answered from the headers, before any body byte, and the connection is closed', async () => {
    const cases: Array<{ what: string; method: string; path: string; headers?: Record<string, string>; status: number; error?: RegExp }> = [
      { what: 'paths-info without a token', method: 'POST', path: `/api/models/${repo}/paths-info/main`, status: 401 },
      { what: 'paths-info with an unknown token', method: 'POST', path: `/api/models/${repo}/paths-info/main`, headers: { authorization: `Bearer hf_${'x'.repeat(40)}` }, status: 401 },
      { what: 'a Hub upload', method: 'PUT', path: `/api/models/${repo}`, status: 405 },
      { what: 'a Hub commit', method: 'POST', path: `/api/models/${repo}/commit/main`, status: 405 },
      { what: 'an unknown path', method: 'POST', path: '/anything/at/all', status: 404 },
      { what: 'a POST to the console', method: 'POST', path: '/console/index.html', status: 404 },
      { what: 'a PUT to the download route', method: 'PUT', path: '/v1/download?key=a&name=b&expires=1&signature=00', status: 404 },
      { what: 'a DELETE on an API route', method: 'DELETE', path: '/v2/model?Action=DescribeModel', status: 405 },
    ];
    for (const c of cases) {
      // The head and a few body bytes; the rest never comes. Waiting for it would take the request
      // timeout (30 s); an answer from the headers comes at once.
      const x = await exchange(server.url, [head(server.url, c.method, c.path, c.headers), '{"paths": ['], 5_000);
      assert.equal(x.answers.length, 1, `${c.what}: no answer within 5 s (the server waited for the body)`);
      assert.equal(x.answers[0]!.status, c.status, `${c.what}: ${x.answers[0]!.body}`);
      assert.equal(x.answers[0]!.headers.connection, 'close', `${c.what}: connection not closed`);
      assert.ok(x.closedByServer, `${c.what}: the server kept the connection open`);
    }
  });

  test('paths-info with a valid token counts its body against the in-flight budget', async () => {
    const u = new URL(server.url);
    const open: net.Socket[] = [];
    const answers: string[] = [];
    // The per-address budget is 2 MiB: two 1 MiB bodies fit and wait, the other two are refused.
    for (let i = 0; i < 4; i++) {
      const sock = net.connect({ host: u.hostname, port: Number(u.port), localAddress: '127.0.0.7' });
      sock.on('error', () => {});
      sock.once('data', (d) => answers.push(d.toString('latin1')));
      sock.write(head(server.url, 'POST', `/api/models/${repo}/paths-info/main`, { authorization: `Bearer ${token}` }));
      sock.write('{"paths": [');
      open.push(sock);
    }
    for (let t = 0; t < 100 && answers.length < 2; t++) await sleep(50);
    await sleep(300);
    assert.equal(answers.filter((a) => a.startsWith('HTTP/1.1 429')).length, 2, `answers: ${answers.map((a) => a.slice(0, 15)).join(' | ')}`);
    for (const sock of open) sock.destroy();
    await sleep(300);
    // Released with the connections: a complete request is answered normally (no such set here).
    const body = JSON.stringify({ paths: ['config.json'] });
    const x = await exchange(server.url, [head(server.url, 'POST', `/api/models/${repo}/paths-info/main`, { authorization: `Bearer ${token}`, 'content-length': String(body.length), connection: 'close' }) + body], 5_000);
    assert.equal(x.answers[0]?.status, 404, x.answers[0]?.body);
    assert.equal(x.answers[0]?.headers['x-error-code'], 'RepoNotFound');
  });
});
