// SECURITY.md section 6: accounts take turns for the sandbox. Over HTTP with CreateModelCustomConf: one
// account's backlog of templates does not make another account's template wait for all of it, and a
// backlog over MODELREG_SANDBOX_WAITING_PER_ACCOUNT is answered 429 at once. Each request is sent only
// once the one before it is running or waiting (read from the sandbox), so the order is fixed.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sandboxLoad } from '../../../src/sandbox/sandbox.js';
import { startServer, type Key, type RawResponse, type TestServer } from '../../helpers/harness.js';
import { FAST, uploadCustomConf } from '../pipeline/pipeline-helpers.js';
import { HOSTILE_TEMPLATES } from './hostile-models.js';

const GOOD = '{% for m in messages %}{{ m.content }}{% endfor %}';

describe('sandbox turns across accounts over HTTP', () => {
  let server: TestServer;
  let bob: Key;

  before(async () => {
    server = await startServer({ ...FAST, sandboxTimeoutMs: 2_000, sandboxProcesses: 1, sandboxWaitingPerAccount: 2 });
    bob = await server.newKey(`bob-${Math.random().toString(36).slice(2, 8)}`);
  });
  after(() => server.close());

  async function until(what: string, ok: () => boolean): Promise<void> {
    for (let i = 0; i < 3_000 && !ok(); i++) await new Promise((r) => setTimeout(r, 10));
    assert.ok(ok(), `timed out waiting until ${what}`);
  }

  it("bob's template is checked after one of alice's waiting templates, not after her whole backlog; one more over her cap of two waiting is refused with 429", async () => {
    const finished: string[] = [];
    const send = (tag: string, key: Key, template: string): Promise<RawResponse> =>
      uploadCustomConf(server.url, key, template).then((res) => {
        finished.push(tag);
        return res;
      });

    // alice: one template holding the only process until the time limit, then two waiting.
    const a1 = send('a1', server.key, HOSTILE_TEMPLATES.whitespace());
    await until('a1 runs', () => sandboxLoad().running === 1);
    const a2 = send('a2', server.key, GOOD);
    await until('a2 waits', () => sandboxLoad().waiting === 1);
    const a3 = send('a3', server.key, HOSTILE_TEMPLATES.whitespace());
    await until('a3 waits', () => sandboxLoad().waiting === 2);

    // Her line is full: one more is refused at once, while a1 still runs and a2, a3 still wait.
    const refused = await send('a4', server.key, GOOD);
    assert.equal(refused.status, 429, refused.text);
    assert.equal(refused.body.code, 'RequestLimitExceeded');
    assert.equal(refused.headers.get('retry-after'), '1');
    assert.match(refused.body.message, /^account \S+ already has 2 templates or documents waiting to be checked in the sandbox \(limit 2, MODELREG_SANDBOX_WAITING_PER_ACCOUNT\); retry when earlier ones have finished$/);
    assert.deepEqual({ running: sandboxLoad().running, waiting: sandboxLoad().waiting }, { running: 1, waiting: 2 });

    // bob's own line is empty: his template queues and takes the turn after alice's next one.
    const b1 = send('b1', bob, GOOD);
    await until('b1 waits', () => sandboxLoad().waiting === 3);

    const [r1, r2, r3, rb] = await Promise.all([a1, a2, a3, b1]);
    assert.equal(r1.status, 400, r1.text);
    assert.match(r1.body.message, /took longer than the sandbox's 2000 ms time limit/);
    assert.equal(r2.status, 200, r2.text);
    assert.equal(r3.status, 400, r3.text);
    assert.equal(rb.status, 200, rb.text);
    // The answers' order, not the sandbox's: a2's and b1's checks are quick and each answer follows a
    // database write, so either may answer first. What fairness fixes is that b1 does not wait for a3,
    // alice's whole backlog (first come, first served would finish a1, a2, a3, then b1).
    assert.deepEqual(finished.slice(0, 2), ['a4', 'a1']);
    assert.ok(finished.indexOf('b1') < finished.indexOf('a3'), `b1 answered after alice's backlog: ${finished.join(', ')}`);
    assert.ok(finished.indexOf('a2') < finished.indexOf('a3'), `alice's own templates out of order: ${finished.join(', ')}`);
    // Nothing left behind in the line.
    assert.deepEqual({ running: sandboxLoad().running, waiting: sandboxLoad().waiting }, { running: 0, waiting: 0 });
  });
});
