// Accounts take turns for the sandbox's processes: one account's backlog of expensive templates does
// not hold up another account's task, and an account cannot queue without bound. Real sandbox
// processes, one at a time, so the order tasks finish in is the order they ran in.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { ApiError } from '../../../src/domain/errors.js';
import { inspectModel, type InspectModelInput } from '../../../src/domain/import/inspect-model.js';
import { INLINE_PARSE_BYTES } from '../../../src/sandbox/limits.js';
import { closeSandbox, configureSandbox, runInSandbox, sandboxLoad, sandboxSettings } from '../../../src/sandbox/sandbox.js';
import { CHATML_TEMPLATE, writeTinyCausalLM } from '../../fixtures/model-builder.js';
import { BUCKET, tempStore, type TempStore } from '../../fixtures/temp-store.js';

/** A template that loops a while before printing its tag: real work in the sandbox, not a sleep. */
const SLOW = '{% set ns = namespace(n=0) %}{% for i in range(3000) %}{% set ns.n = ns.n + i %}{% endfor %}{{ tag }}';
/** CPU only, for hours: holds the process until the test aborts it. */
const ENDLESS = '{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}';

const isBacklogFull = (account: string) => (err: unknown) =>
  err instanceof ApiError && err.status === 429 && err.message.startsWith(`account ${account} already has 1 templates or documents waiting`);

describe('sandbox turns across accounts', () => {
  const defaults = { ...sandboxSettings() };
  before(() => configureSandbox({ maxProcesses: 1, maxWaitingPerAccount: 0 }));
  afterEach(() => configureSandbox({ maxProcesses: 1, maxWaitingPerAccount: 0 }));
  after(() => {
    configureSandbox(defaults);
    closeSandbox();
  });

  /** Starts one task of `account` tagged `tag`; its tag is appended to `log` when it finishes. */
  function task(log: string[], account: string | undefined, tag: string, signal?: AbortSignal): Promise<void> {
    return runInSandbox('renderTemplate', { template: SLOW, context: { tag } }, { ...(account ? { account } : {}), ...(signal ? { signal } : {}) }).then((out) => {
      assert.equal(out, tag);
      log.push(tag);
    });
  }

  it("another account's task runs after at most one task of the account with a backlog, not after the backlog", async () => {
    const log: string[] = [];
    const all = ['a1', 'a2', 'a3', 'a4', 'a5', 'a6'].map((t) => task(log, 'acct-a', t));
    all.push(task(log, 'acct-b', 'b1'));
    await Promise.all(all);
    // a1 had the process; of a2…a6 waiting, one runs before b1's turn comes.
    assert.deepEqual(log, ['a1', 'a2', 'b1', 'a3', 'a4', 'a5', 'a6']);
  });

  it('three accounts, work without an account among them, take turns; each one first-in-first-out', async () => {
    const log: string[] = [];
    const all = [
      ...['a1', 'a2', 'a3', 'a4'].map((t) => task(log, 'acct-a', t)),
      ...['b1', 'b2'].map((t) => task(log, 'acct-b', t)),
      task(log, undefined, 'shared1'),
      task(log, 'acct-c', 'c1'),
      task(log, undefined, 'shared2'),
    ];
    await Promise.all(all);
    assert.deepEqual(log, ['a1', 'a2', 'b1', 'shared1', 'c1', 'a3', 'b2', 'shared2', 'a4']);
  });

  it("refuses an account's task over MODELREG_SANDBOX_WAITING_PER_ACCOUNT at once with 429; other accounts still queue", async () => {
    configureSandbox({ maxWaitingPerAccount: 2 });
    const log: string[] = [];
    const running = [task(log, 'acct-a', 'a1'), task(log, 'acct-a', 'a2'), task(log, 'acct-a', 'a3')];
    assert.deepEqual(sandboxLoad('acct-a'), { running: 1, waiting: 2, waitingForAccount: 2 });
    const refused = task(log, 'acct-a', 'a4').catch((err: unknown) => {
      log.push('a4 refused');
      throw err;
    });
    running.push(task(log, 'acct-b', 'b1'));
    await assert.rejects(refused, (err: unknown) => {
      assert.ok(err instanceof ApiError);
      assert.equal(err.status, 429);
      assert.equal(err.code, 'RequestLimitExceeded');
      assert.equal(err.headers['retry-after'], '1');
      assert.equal(
        err.message,
        'account acct-a already has 2 templates or documents waiting to be checked in the sandbox (limit 2, MODELREG_SANDBOX_WAITING_PER_ACCOUNT); retry when earlier ones have finished',
      );
      return true;
    });
    await Promise.all(running);
    // Refused before anything ran, never run; the queued ones all ran, b1 in its turn.
    assert.deepEqual(log, ['a4 refused', 'a1', 'a2', 'b1', 'a3']);
    // Once its line is short again the account is served as before.
    await task(log, 'acct-a', 'a5');
    assert.equal(log.at(-1), 'a5');
  });

  it('a waiting task given up (aborted) leaves the line and frees its place under the cap', async () => {
    configureSandbox({ maxWaitingPerAccount: 1 });
    const log: string[] = [];
    const first = task(log, 'acct-a', 'a1');
    const giveUp = new AbortController();
    const waiting = task(log, 'acct-a', 'a2', giveUp.signal);
    await assert.rejects(task(log, 'acct-a', 'a3'), (err: unknown) => err instanceof ApiError && err.status === 429);
    giveUp.abort(new Error('gave up'));
    await assert.rejects(waiting, /gave up/);
    assert.equal(sandboxLoad('acct-a').waitingForAccount, 0);
    await Promise.all([first, task(log, 'acct-a', 'a4')]);
    assert.deepEqual(log, ['a1', 'a4']);
    assert.deepEqual(sandboxLoad('acct-a'), { running: 0, waiting: 0, waitingForAccount: 0 });
  });

  it('raising maxProcesses hands the new turns to waiting tasks at once', async () => {
    const log: string[] = [];
    const all = ['a1', 'a2', 'a3'].map((t) => task(log, 'acct-a', t));
    assert.deepEqual(sandboxLoad(), { running: 1, waiting: 2, waitingForAccount: 0 });
    configureSandbox({ maxProcesses: 3 });
    assert.deepEqual(sandboxLoad(), { running: 3, waiting: 0, waitingForAccount: 0 });
    await Promise.all(all);
    assert.deepEqual([...log].sort(), ['a1', 'a2', 'a3']);
  });
});

describe("an import's sandbox work takes its account's turn", () => {
  const defaults = { ...sandboxSettings() };
  let ts: TempStore;
  before(async () => {
    ts = await tempStore();
  });
  after(async () => {
    configureSandbox(defaults);
    closeSandbox();
    await ts.cleanup();
  });

  const chat = (objectPath: string): InspectModelInput => ({
    bucket: BUCKET,
    objectPath,
    modelFormat: 'HuggingFace.Transformers',
    modelApplicationType: 'chat',
    transformerVersion: '4.36.2',
    enablePromptAutoConcat: true,
  });

  it('a large config.json and the chat-template preview count against the importing account, not a shared line', async () => {
    // config.json above the inline limit is parsed in the sandbox; the chat template is rendered there.
    await writeTinyCausalLM(path.join(ts.bucketDir, 'big'), { chatTemplate: CHATML_TEMPLATE, config: { padding: 'x'.repeat(INLINE_PARSE_BYTES + 1024) } });
    await writeTinyCausalLM(path.join(ts.bucketDir, 'small'), { chatTemplate: CHATML_TEMPLATE });
    configureSandbox({ maxProcesses: 1, maxWaitingPerAccount: 1 });
    // Account A holds the only process and has one task waiting: its line is full until the test ends it.
    const hold = new AbortController();
    const running = runInSandbox('renderTemplate', { template: ENDLESS, context: {} }, { account: 'acct-a', signal: hold.signal });
    const waiting = runInSandbox('renderTemplate', { template: SLOW, context: { tag: 'a2' } }, { account: 'acct-a' });
    assert.deepEqual(sandboxLoad('acct-a'), { running: 1, waiting: 1, waitingForAccount: 1 });

    await assert.rejects(inspectModel(ts.store, chat('big'), { account: 'acct-a' }), isBacklogFull('acct-a'));
    await assert.rejects(inspectModel(ts.store, chat('small'), { account: 'acct-a' }), isBacklogFull('acct-a'));
    // Account B's import queues behind A's running task, ahead of nothing of B's, and completes once A's task ends.
    const b = inspectModel(ts.store, chat('big'), { account: 'acct-b' });
    for (let i = 0; i < 200 && sandboxLoad('acct-b').waitingForAccount === 0; i++) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(sandboxLoad('acct-b'), { running: 1, waiting: 2, waitingForAccount: 1 });
    hold.abort(new Error('held long enough'));
    await assert.rejects(running, /held long enough/);
    const r = await b;
    assert.match(r.chatTemplatePreview ?? '', /What is the capital of France\?/);
    assert.equal(await waiting, 'a2');
  });
});
