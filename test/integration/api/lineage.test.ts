// Lineage (issue 15, item 5) through the real SDK: DescribeFineTuningTask lists the model versions
// published from the task (publishedModels), and a version's sourceInfo names its task.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { call, startServer, type TestServer } from '../../helpers/harness.js';
import { createSet, ft, newTask, reportCheckpoint, writeCheckpoint } from '../training/helpers.js';

let s: TestServer;
before(async () => {
  s = await startServer({ importConcurrency: 0 });
  for (const step of [10, 20]) await writeCheckpoint(s, 'train', `lin/checkpoint-${step}`);
});
after(() => s.close());

test('a task lists the versions published from it, in every set; other tasks and accounts see none', async () => {
  const { taskId } = await newTask(s, s.key);
  const other = await newTask(s, s.key);
  await reportCheckpoint(s, s.key, taskId, 10, 'train', 'lin/checkpoint-10');
  await reportCheckpoint(s, s.key, taskId, 20, 'train', 'lin/checkpoint-20');
  const before = await ft(s, s.key, 'DescribeFineTuningTask', { taskId });
  assert.deepEqual(before.publishedModels, []);
  const setA = await createSet(s, s.key);
  const setB = await createSet(s, s.key);
  const v1 = (await call(s, s.key, 'CreateCustomModel', { modelSetId: setA, sourceType: 'Train', trainMeta: { taskId, step: 10 } })).modelId;
  const v2 = (await call(s, s.key, 'CreateCustomModel', { modelSetId: setB, sourceType: 'Train', trainMeta: { taskId, step: 20 } })).modelId;
  const d = await ft(s, s.key, 'DescribeFineTuningTask', { taskId });
  assert.deepEqual(
    d.publishedModels.map((m: any) => [m.modelId, m.modelName, m.modelSetId, m.checkpointStep, m.status]).sort(),
    [[v1, 'V1', setA, 10, 'Creating'], [v2, 'V1', setB, 20, 'Creating']].sort(),
  );
  assert.ok(d.publishedModels.every((m: any) => typeof m.modelSetName === 'string'));
  assert.deepEqual((await ft(s, s.key, 'DescribeFineTuningTask', { taskId: other.taskId })).publishedModels, []);
  // The version names its task (the way back).
  assert.equal((await call(s, s.key, 'DescribeModel', { modelId: v1 })).sourceInfo.trainTaskId, taskId);
  await call(s, s.key, 'DeleteModel', { modelId: v2 });
  assert.deepEqual((await ft(s, s.key, 'DescribeFineTuningTask', { taskId })).publishedModels.map((m: any) => m.modelId), [v1]);
});
