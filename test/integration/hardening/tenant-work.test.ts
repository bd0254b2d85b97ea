// Issue 10, classes 1 and 2: work whose cost a tenant controls (templates, large JSON documents,
// safetensors headers) never runs on the event loop or in the server's heap. Each case runs against
// the real server while /healthz is sampled: the hostile input must end in a clear refusal on the
// first attempt, and /healthz must keep answering quickly throughout.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { writeTinyCausalLM } from '../../fixtures/model-builder.js';
import { call, startServer, type TestServer } from '../../helpers/harness.js';
import { createSet, transformersImport } from '../../helpers/api.js';
import { bucketPath, FAST, importAndSettle, uploadCustomConf } from '../pipeline/pipeline-helpers.js';
import { HOSTILE_TEMPLATES, nestedConfig, watchHealthz, writeHugeHeaderSafetensors, writeManyTensorSafetensors } from './hostile-models.js';

const MiB = 1024 * 1024;
const BUCKET = 'tenant-work';
/** Slowest acceptable /healthz answer while hostile work runs (the attacks measured 9-100 s). */
const HEALTHZ_MAX_MS = 2_000;

describe('tenant-controlled work stays off the event loop and out of the server heap', () => {
  let server: TestServer;
  let setId: string;

  before(async () => {
    server = await startServer({ ...FAST, sandboxTimeoutMs: 3_000 });
    setId = (await createSet(server, server.key)).modelSetId;
  });
  after(() => server.close());

  /** Runs `attack` while sampling /healthz; asserts it stayed quick and returns the attack's result. */
  async function underWatch<T>(attack: () => Promise<T>): Promise<T> {
    const watch = watchHealthz(server.url);
    try {
      return await attack();
    } finally {
      const worst = await watch.stop();
      assert.ok(worst < HEALTHZ_MAX_MS, `/healthz took ${Math.round(worst)} ms while the hostile work ran`);
    }
  }

  async function jobOf(modelId: string) {
    return server.app.store.db.selectFrom('jobs').select(['attempts', 'status', 'last_error']).where('subject_id', '=', modelId).executeTakeFirst();
  }

  it('CreateModelCustomConf: a 256 KiB whitespace template is refused without freezing the server', async () => {
    const res = await underWatch(() => uploadCustomConf(server.url, server.key, HOSTILE_TEMPLATES.whitespace()));
    assert.equal(res.status, 400, res.text);
    assert.equal(res.body.code, 'InvalidParameter');
    assert.match(res.body.message, /customSpecFile is not a valid Jinja chat template: parsing it took longer than the sandbox's 3000 ms time limit/);
    // A normal template still goes through (the sandbox process was replaced).
    const ok = await uploadCustomConf(server.url, server.key, '{% for m in messages %}{{ m.content }}{% endfor %}');
    assert.equal(ok.status, 200, ok.text);
  });

  it('CreateModelCustomConf: a template over 256 KiB is refused by size', async () => {
    const res = await uploadCustomConf(server.url, server.key, HOSTILE_TEMPLATES.whitespace(256 * 1024 + 1));
    assert.equal(res.status, 400, res.text);
    assert.match(res.body.message, /the limit is 262144/);
  });

  it('a tokenizer chat_template with range(200000000) fails the import on the first try; the server lives', async () => {
    await writeTinyCausalLM(bucketPath(server, BUCKET, 'oom-template'), { chatTemplate: HOSTILE_TEMPLATES.hugeRange });
    const d = await underWatch(() => importAndSettle(server, server.key, transformersImport(setId, { bucket: BUCKET, objectPath: 'oom-template', enablePromptAutoConcat: true }), 60_000));
    assert.equal(d.status, 'Fail', JSON.stringify(d));
    assert.match(d.failureReason, /tokenizer_config\.json chat_template used more than the sandbox's \d+ MiB of memory|tokenizer_config\.json chat_template took longer than the sandbox's/);
    const job = await jobOf(d.modelId);
    assert.equal(job?.attempts, 1, 'failed on its first attempt, not retried as an infrastructure error');
    assert.equal(job?.status, 'failed');
  });

  it('a chat_template that only burns CPU is stopped by the time limit', async () => {
    await writeTinyCausalLM(bucketPath(server, BUCKET, 'cpu-template'), { chatTemplate: HOSTILE_TEMPLATES.cpuLoop });
    const d = await underWatch(() => importAndSettle(server, server.key, transformersImport(setId, { bucket: BUCKET, objectPath: 'cpu-template', enablePromptAutoConcat: true }), 60_000));
    assert.equal(d.status, 'Fail', JSON.stringify(d));
    assert.match(d.failureReason, /chat_template took longer than the sandbox's 3000 ms time limit/);
    assert.equal((await jobOf(d.modelId))?.attempts, 1);
  });

  it('a 56 MB nested config.json is refused with a reason, not imported as Ready', async () => {
    const dir = bucketPath(server, BUCKET, 'huge-config');
    await writeTinyCausalLM(dir);
    fs.writeFileSync(path.join(dir, 'config.json'), nestedConfig(56 * MiB, 100_000));
    const d = await underWatch(() => importAndSettle(server, server.key, transformersImport(setId, { bucket: BUCKET, objectPath: 'huge-config' }), 60_000));
    assert.equal(d.status, 'Fail', JSON.stringify(d));
    assert.match(d.failureReason, /config\.json is 5\d{7} bytes, more than the 4194304 bytes modelreg accepts for a config\.json/);
  });

  it('a config.json under the size cap but nested 100,000 deep is parsed in the sandbox and refused', async () => {
    const dir = bucketPath(server, BUCKET, 'deep-config');
    await writeTinyCausalLM(dir);
    fs.writeFileSync(path.join(dir, 'config.json'), nestedConfig(3 * MiB, 100_000));
    const d = await underWatch(() => importAndSettle(server, server.key, transformersImport(setId, { bucket: BUCKET, objectPath: 'deep-config' }), 60_000));
    assert.equal(d.status, 'Fail', JSON.stringify(d));
    assert.match(d.failureReason, /config\.json nests JSON more than 64 levels deep/);
  });

  it('a 95 MB safetensors header is refused by the header cap', async () => {
    const dir = bucketPath(server, BUCKET, 'huge-header');
    await writeTinyCausalLM(dir);
    await writeHugeHeaderSafetensors(path.join(dir, 'model.safetensors'), 95_000_000);
    const d = await underWatch(() => importAndSettle(server, server.key, transformersImport(setId, { bucket: BUCKET, objectPath: 'huge-header' }), 60_000));
    assert.equal(d.status, 'Fail', JSON.stringify(d));
    assert.match(d.failureReason, /model\.safetensors has a 95000000-byte JSON header; modelreg accepts safetensors headers of at most 16777216 bytes/);
  });

  it('a 1.3 MB safetensors header (under the cap, above the inline limit) is parsed in the sandbox, off the event loop', async () => {
    const dir = bucketPath(server, BUCKET, 'big-header');
    await writeTinyCausalLM(dir);
    const tensors = 20_000;
    await writeManyTensorSafetensors(path.join(dir, 'model.safetensors'), tensors);
    assert.ok(fs.statSync(path.join(dir, 'model.safetensors')).size > 1 * MiB);
    const d = await underWatch(() => importAndSettle(server, server.key, transformersImport(setId, { bucket: BUCKET, objectPath: 'big-header' }), 60_000));
    assert.equal(d.status, 'Ready', d.failureReason);
    assert.equal(d.parameterCount, tensors);
  });

  it('the server still imports a normal model afterwards', async () => {
    await writeTinyCausalLM(bucketPath(server, BUCKET, 'fine'));
    const d = await importAndSettle(server, server.key, transformersImport(setId, { bucket: BUCKET, objectPath: 'fine', enablePromptAutoConcat: true }), 60_000);
    assert.equal(d.status, 'Ready', d.failureReason);
    assert.ok(d.chatTemplatePreview);
    assert.ok((await call(server, server.key, 'DescribeModel', { modelId: d.modelId })).modelId);
  });
});
