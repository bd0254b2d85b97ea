// CreateCustomModel with sourceType Train, end to end through the real Node SDK: a trainer reports
// genuine tiny checkpoints, steps are published as versions that go through the same import job
// (validated, recorded, Ready or Fail), and every refusal has a clear error.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { call, startServer, type Key, type TestServer } from '../../helpers/harness.js';
import { createSet, expectPublishFail, ft, newTask, reportCheckpoint, waitSettled, writeCheckpoint } from './helpers.js';

let s: TestServer;
let bob: Key;
before(async () => {
  s = await startServer({ jobPollMs: 50 });
  bob = await s.newKey(`bob-${process.pid}`);
  for (const step of [10, 20, 30]) await writeCheckpoint(s, 'train', `run1/checkpoint-${step}`);
  await writeCheckpoint(s, 'train', 'broken/checkpoint-5', { corrupt: { kind: 'header-invalid-json' } });
});
after(() => s.close());

const publish = (key: Key, modelSetId: string, trainMeta: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  call(s, key, 'CreateCustomModel', { modelSetId, sourceType: 'Train', trainMeta, ...extra });

/** A task of alice's with checkpoints 10 and 20 reported (still Running). */
async function runningTask(): Promise<{ jobId: string; taskId: string }> {
  const t = await newTask(s, s.key);
  await reportCheckpoint(s, s.key, t.taskId, 10, 'train', 'run1/checkpoint-10');
  await reportCheckpoint(s, s.key, t.taskId, 20, 'train', 'run1/checkpoint-20');
  return t;
}

describe('publishing checkpoints as versions', () => {
  test('steps of a Running task, then the final checkpoint of the Done task, become Ready versions V1..V3', async () => {
    const { taskId } = await runningTask();
    const setId = await createSet(s, s.key);

    // The seed's examples write trainMeta.step; its parameter table writes checkpointStep: both work.
    const v1 = await publish(s.key, setId, { taskId, step: 10 }, { description: 'step 10' });
    assert.deepEqual(Object.keys(v1).sort(), ['modelId', 'modelSetId']);
    const created = await call(s, s.key, 'DescribeModel', { modelId: v1.modelId });
    assert.equal(created.modelName, 'V1');
    assert.equal(created.description, 'step 10');
    assert.deepEqual(created.sourceInfo, { sourceType: 'Train', trainTaskId: taskId, checkpointStep: 10 });
    assert.equal(created.modelApplicationType, 'chat');
    assert.ok(['Creating', 'Ready'].includes(created.status), created.status);

    const v2 = await publish(s.key, setId, { taskId, checkpointStep: 20 });

    await writeCheckpoint(s, 'train', 'run1/checkpoint-30');
    await reportCheckpoint(s, s.key, taskId, 30, 'train', 'run1/checkpoint-30');
    await ft(s, s.key, 'UpdateFineTuningTaskStatus', { taskId, runStatus: 'Done' });
    const v3 = await publish(s.key, setId, { taskId });

    const expected = [[v1.modelId, 'V1', 10], [v2.modelId, 'V2', 20], [v3.modelId, 'V3', 30]] as const;
    for (const [modelId, name, step] of expected) {
      const d = await waitSettled(s, s.key, modelId);
      assert.equal(d.status, 'Ready', `${name}: ${d.failureReason ?? ''}`);
      assert.equal(d.modelName, name);
      assert.deepEqual(d.sourceInfo, { sourceType: 'Train', trainTaskId: taskId, checkpointStep: step });
      // Recorded like an import: the checkpoint's files were read, validated and listed.
      assert.equal(d.architecture, 'LlamaForCausalLM');
      assert.equal(d.modelFormat, 'HuggingFace.Transformers');
      assert.ok(d.files.some((f: any) => f.path === 'config.json' && /^[0-9a-f]{64}$/.test(f.sha256)), JSON.stringify(d.files));
      assert.ok(d.files.some((f: any) => f.path === 'model.safetensors'));
    }
    const set = await call(s, s.key, 'DescribeModelSet', { modelSetId: setId });
    assert.deepEqual(set.modelVersionList.map((v: any) => [v.modelName, v.sourceType, v.status]), [
      ['V1', 'Train', 'Ready'],
      ['V2', 'Train', 'Ready'],
      ['V3', 'Train', 'Ready'],
    ]);
  });

  test('a Done task publishes the final checkpoint its trainer named, when it named one', async () => {
    const { taskId } = await runningTask();
    await ft(s, s.key, 'UpdateFineTuningTaskStatus', { taskId, runStatus: 'Done', finalCheckpointStep: 10 });
    const setId = await createSet(s, s.key);
    const v = await publish(s.key, setId, { taskId });
    assert.equal((await call(s, s.key, 'DescribeModel', { modelId: v.modelId })).sourceInfo.checkpointStep, 10);
  });

  test('a checkpoint that fails validation gives a Fail version with the reason, like an import', async () => {
    const t = await newTask(s, s.key);
    await reportCheckpoint(s, s.key, t.taskId, 5, 'train', 'broken/checkpoint-5');
    const setId = await createSet(s, s.key);
    const v = await publish(s.key, setId, { taskId: t.taskId, step: 5 });
    const d = await waitSettled(s, s.key, v.modelId);
    assert.equal(d.status, 'Fail');
    assert.match(d.failureReason, /model\.safetensors has an invalid header/, d.failureReason);
    // A failed version does not block publishing the same step again (it fails again here).
    const again = await publish(s.key, setId, { taskId: t.taskId, step: 5 });
    assert.notEqual(again.modelId, v.modelId);
    assert.equal((await waitSettled(s, s.key, again.modelId)).status, 'Fail');
  });

  test('a published version outlives its task: deleting the task keeps the version and its source', async () => {
    const { taskId } = await runningTask();
    const setId = await createSet(s, s.key);
    const v = await publish(s.key, setId, { taskId, step: 10 });
    assert.equal((await waitSettled(s, s.key, v.modelId)).status, 'Ready');
    await ft(s, s.key, 'StopFineTuningTask', { taskId });
    await ft(s, s.key, 'DeleteFineTuningTask', { taskId });
    const d = await call(s, s.key, 'DescribeModel', { modelId: v.modelId });
    assert.equal(d.status, 'Ready');
    assert.deepEqual(d.sourceInfo, { sourceType: 'Train', trainTaskId: taskId, checkpointStep: 10 });
  });
});

describe('publishing the same task and step twice into one set', () => {
  test('is refused with the existing version named; another set, or after DeleteModel, is fine', async () => {
    const { taskId } = await runningTask();
    const setId = await createSet(s, s.key);
    const v1 = await publish(s.key, setId, { taskId, step: 10 });
    const dup = new RegExp(`model set ${setId} already has version V1 \\(${v1.modelId}, (Creating|Ready)\\) published from training task ${taskId} step 10; use it, or delete it with DeleteModel`);
    await expectPublishFail(s, s.key, { modelSetId: setId, sourceType: 'Train', trainMeta: { taskId, step: 10 } }, 409, 'ModelVersionAlreadyExists', dup);
    await expectPublishFail(s, s.key, { modelSetId: setId, sourceType: 'Train', trainMeta: { taskId, checkpointStep: 10 } }, 409, 'ModelVersionAlreadyExists', dup);
    // Another step of the same task, and the same step into another set, are new versions.
    await publish(s.key, setId, { taskId, step: 20 });
    const otherSet = await createSet(s, s.key);
    await publish(s.key, otherSet, { taskId, step: 10 });
    // The final checkpoint published without a step is the same checkpoint as its step.
    await ft(s, s.key, 'UpdateFineTuningTaskStatus', { taskId, runStatus: 'Done' });
    await expectPublishFail(s, s.key, { modelSetId: setId, sourceType: 'Train', trainMeta: { taskId } }, 409, 'ModelVersionAlreadyExists', /published from training task .* step 20/);

    await waitSettled(s, s.key, v1.modelId);
    await call(s, s.key, 'DeleteModel', { modelId: v1.modelId });
    const v3 = await publish(s.key, setId, { taskId, step: 10 });
    const d = await call(s, s.key, 'DescribeModel', { modelId: v3.modelId });
    assert.equal(d.modelName, 'V3');
    assert.equal(d.sourceInfo.checkpointStep, 10);
    const set = await call(s, s.key, 'DescribeModelSet', { modelSetId: setId });
    assert.deepEqual(set.modelNames, ['V2', 'V3']);
  });
});

describe('refusals', () => {
  const fails = (key: Key, setId: string, trainMeta: Record<string, unknown>, status: number, code: string, message: RegExp) =>
    expectPublishFail(s, key, { modelSetId: setId, sourceType: 'Train', trainMeta }, status, code, message);

  test('unknown task, unknown step, Running without a step or before the step, failed and stopped tasks', async () => {
    const setId = await createSet(s, s.key);
    await fails(s.key, setId, { taskId: 'task-nosuchtask00' }, 404, 'FineTuningTaskNotFound', /^training task not found: no trainMeta.taskId task-nosuchtask00 in this account$/);

    const { taskId } = await runningTask();
    await fails(s.key, setId, { taskId }, 409, 'TaskStateConflict', new RegExp(`training task ${taskId} is still Running; name trainMeta.checkpointStep .*\\(reported steps: 10, 20\\), or wait until it is Done`));
    await fails(s.key, setId, { taskId, step: 15 }, 404, 'CheckpointNotFound', new RegExp(`training task ${taskId} \\(still Running\\) has no checkpoint at step 15 yet; reported steps: 10, 20`));
    await fails(s.key, setId, { taskId, step: 10, checkpointStep: 20 }, 400, 'InvalidParameter', /trainMeta.checkpointStep \(20\) and trainMeta.step \(10\) disagree/);
    await fails(s.key, setId, { step: 10 }, 400, 'MissingParameter', /^trainMeta.taskId is required$/);
    await fails(s.key, setId, { taskId, step: -1 }, 400, 'InvalidParameter', /trainMeta.step must be >= 0/);

    await ft(s, s.key, 'UpdateFineTuningTaskStatus', { taskId, runStatus: 'Done' });
    await fails(s.key, setId, { taskId, checkpointStep: 15 }, 404, 'CheckpointNotFound', new RegExp(`training task ${taskId} has no checkpoint at step 15; reported steps: 10, 20`));

    const failed = await runningTask();
    await ft(s, s.key, 'UpdateFineTuningTaskStatus', { taskId: failed.taskId, runStatus: 'Fail', failureReason: 'loss diverged' });
    await fails(s.key, setId, { taskId: failed.taskId, step: 10 }, 409, 'TaskStateConflict', /ended Failed \(loss diverged\); only checkpoints of a Running or Done task can be published/);
    await fails(s.key, setId, { taskId: failed.taskId }, 409, 'TaskStateConflict', /ended Failed/);

    const stopped = await runningTask();
    await ft(s, s.key, 'StopFineTuningTask', { taskId: stopped.taskId });
    await fails(s.key, setId, { taskId: stopped.taskId, step: 20 }, 409, 'TaskStateConflict', /ended Stopped; only checkpoints of a Running or Done task can be published/);

    const set = await call(s, s.key, 'DescribeModelSet', { modelSetId: setId });
    assert.equal(set.modelCount, 0, 'no refused publish created a version');
  });

  test("another account's task cannot be published, even into the caller's own set", async () => {
    const { taskId } = await runningTask();
    const bobSet = await createSet(s, bob);
    await fails(bob, bobSet, { taskId, step: 10 }, 404, 'FineTuningTaskNotFound', /in this account/);
    // …and alice cannot publish into bob's set either.
    await expectPublishFail(s, s.key, { modelSetId: bobSet, sourceType: 'Train', trainMeta: { taskId, step: 10 } }, 404, 'ModelSetNotFound', /in this account/);
    // bob's own task with the same files is fine.
    const mine = await newTask(s, bob);
    await reportCheckpoint(s, bob, mine.taskId, 10, 'train', 'run1/checkpoint-10');
    const v = await publish(bob, bobSet, { taskId: mine.taskId, step: 10 });
    assert.equal((await call(s, bob, 'DescribeModel', { modelId: v.modelId })).sourceInfo.trainTaskId, mine.taskId);
  });

  test('a checkpoint whose files are gone is refused at publish time, not left to fail later', async () => {
    await writeCheckpoint(s, 'train', 'gone/checkpoint-1');
    const t = await newTask(s, s.key);
    await reportCheckpoint(s, s.key, t.taskId, 1, 'train', 'gone/checkpoint-1');
    fs.rmSync(path.join(s.app.config.bucketsDir, 'train', 'gone'), { recursive: true, force: true });
    const setId = await createSet(s, s.key);
    await fails(s.key, setId, { taskId: t.taskId, step: 1 }, 400, 'InvalidParameter', /no files under bos:\/\/train\/gone\/checkpoint-1; the checkpoint of task .* step 1 is no longer there/);
  });
});
