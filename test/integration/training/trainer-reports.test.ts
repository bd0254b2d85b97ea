// How a trainer reports to modelreg: ReportFineTuningTaskCheckpoint and UpdateFineTuningTaskStatus
// through the real SDK, the Running → Done|Fail|Stopped rules, checkpoint immutability, bucket
// checks and grants, and the same reports from the `modelreg tasks` CLI.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { startServer, type TestServer } from '../../helpers/harness.js';
import { expectFtFail, ft, newTask, reportCheckpoint, writeCheckpoint } from './helpers.js';

const run = promisify(execFile);
const UTC_Z = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

let s: TestServer;
before(async () => {
  s = await startServer();
  for (const step of [10, 20, 30]) await writeCheckpoint(s, 'ckpts', `run/step-${step}`);
  fs.mkdirSync(path.join(s.app.config.bucketsDir, 'ckpts', 'empty'), { recursive: true });
});
after(() => s.close());

describe('ReportFineTuningTaskCheckpoint', () => {
  test('records step → model directory, with HuggingFace chat defaults, and carries progress', async () => {
    const { taskId } = await newTask(s, s.key);
    const r = await reportCheckpoint(s, s.key, taskId, 20, 'ckpts', 'run/step-20/', { runProgress: '35%' });
    assert.deepEqual(r, {
      taskId,
      step: 20,
      bucket: 'ckpts',
      objectPath: 'run/step-20',
      modelFormat: 'HuggingFace.Transformers',
      modelApplicationType: 'chat',
      transformerVersion: '4.40.2',
      createDate: r.createDate,
    });
    assert.match(r.createDate, UTC_Z);
    await reportCheckpoint(s, s.key, taskId, 10, 'ckpts', 'run/step-10', { transformerVersion: '4.36.2', modelApplicationType: 'completion', runProgress: 50 });
    const d = await ft(s, s.key, 'DescribeFineTuningTask', { taskId });
    assert.equal(d.runProgress, '50%');
    assert.deepEqual(d.checkpoints.map((c: any) => [c.step, c.objectPath, c.modelApplicationType, c.transformerVersion]), [
      [10, 'run/step-10', 'completion', '4.36.2'],
      [20, 'run/step-20', 'chat', '4.40.2'],
    ]);
    assert.equal(d.finalCheckpointStep, undefined, 'no final checkpoint while Running');
  });

  test('a step is immutable: the same report again succeeds, another location for it is refused', async () => {
    const { taskId } = await newTask(s, s.key);
    const first = await reportCheckpoint(s, s.key, taskId, 10, 'ckpts', 'run/step-10');
    const again = await reportCheckpoint(s, s.key, taskId, 10, 'ckpts', 'run/step-10');
    assert.deepEqual(again, first);
    await expectFtFail(
      s, s.key, 'ReportFineTuningTaskCheckpoint', { taskId, step: 10, bucket: 'ckpts', objectPath: 'run/step-20' },
      409, 'Conflict', /already has a checkpoint at step 10 \(bos:\/\/ckpts\/run\/step-10, HuggingFace.Transformers\); a reported checkpoint cannot be replaced/,
    );
    assert.equal((await ft(s, s.key, 'DescribeFineTuningTask', { taskId })).checkpoints.length, 1);
  });

  test('bad locations, formats and progress get clear errors, and record nothing', async () => {
    const { taskId } = await newTask(s, s.key);
    const base = { taskId, step: 1, bucket: 'ckpts', objectPath: 'run/step-10' };
    const cases: Array<[Record<string, unknown>, number, string, RegExp]> = [
      [{ step: -1 }, 400, 'InvalidParameter', /^step must be >= 0$/],
      [{ step: 2 ** 31 }, 400, 'InvalidParameter', /^step must be <= 2147483647$/],
      [{ bucket: 'Bad_Bucket' }, 400, 'InvalidParameter', /^bucket is not a valid bucket name/],
      [{ objectPath: 'run/../../etc' }, 400, 'InvalidParameter', /^objectPath must not contain "\.\." path segments/],
      [{ bucket: 'nosuchbucket' }, 404, 'BucketNotFound', /bucket "nosuchbucket" does not exist/],
      [{ objectPath: 'empty' }, 400, 'InvalidParameter', /no files under bos:\/\/ckpts\/empty; upload the checkpoint before reporting it/],
      [{ modelFormat: 'HuggingFace.vLLM' }, 400, 'InvalidParameter', /modelFormat must be one of: HuggingFace.Transformers, Safetensors/],
      [{ modelFormat: 'Safetensors', modelApplicationType: 'chat' }, 400, 'InvalidParameter', /Safetensors is for Text-to-Image checkpoints/],
      [{ modelApplicationType: 'Text-to-Image' }, 400, 'InvalidParameter', /Text-to-Image needs modelFormat Safetensors/],
      [{ transformerVersion: '4.99.0' }, 400, 'InvalidParameter', /transformerVersion "4.99.0" is not supported; supported: 4.34.0/],
      [{ runProgress: 150 }, 400, 'InvalidParameter', /runProgress must be a percentage from 0 to 100/],
      [{ runProgress: 'half' }, 400, 'InvalidParameter', /runProgress must be a percentage/],
      [{ taskId: 'task-nosuchtask00' }, 404, 'FineTuningTaskNotFound', /no taskId task-nosuchtask00 in this account/],
    ];
    for (const [patch, status, code, message] of cases) {
      await expectFtFail(s, s.key, 'ReportFineTuningTaskCheckpoint', { ...base, ...patch }, status, code, message);
    }
    const d = await ft(s, s.key, 'DescribeFineTuningTask', { taskId });
    assert.deepEqual(d.checkpoints, []);
    assert.equal(d.runProgress, '0%');
  });

  test('buckets not granted to the account cannot hold its checkpoints', async () => {
    const g = await startServer({ bucketGrants: { ckpts: ['dora'], open: ['*'] } });
    try {
      const dora = await g.newKey('dora');
      const eve = await g.newKey('eve');
      await writeCheckpoint(g, 'ckpts', 'm');
      await writeCheckpoint(g, 'open', 'm');
      const t = await newTask(g, eve);
      await expectFtFail(g, eve, 'ReportFineTuningTaskCheckpoint', { taskId: t.taskId, step: 1, bucket: 'ckpts', objectPath: 'm' }, 403, 'AccessDenied', /bucket "ckpts" is not granted to this account/);
      await reportCheckpoint(g, eve, t.taskId, 1, 'open', 'm');
      const td = await newTask(g, dora);
      await reportCheckpoint(g, dora, td.taskId, 1, 'ckpts', 'm');
    } finally {
      await g.close();
    }
  });
});

describe('UpdateFineTuningTaskStatus', () => {
  test('Running reports progress; Done needs a checkpoint, records the end and the final step; the end is final', async () => {
    const { taskId } = await newTask(s, s.key);
    let d = await ft(s, s.key, 'UpdateFineTuningTaskStatus', { taskId, runStatus: 'Running', runProgress: 12 });
    assert.equal(d.runStatus, 'Running');
    assert.equal(d.runProgress, '12%');
    await expectFtFail(s, s.key, 'UpdateFineTuningTaskStatus', { taskId, runStatus: 'Done' }, 409, 'TaskStateConflict', /has no checkpoints; report one with ReportFineTuningTaskCheckpoint before marking it Done/);
    await reportCheckpoint(s, s.key, taskId, 10, 'ckpts', 'run/step-10');
    await reportCheckpoint(s, s.key, taskId, 20, 'ckpts', 'run/step-20');
    await expectFtFail(s, s.key, 'UpdateFineTuningTaskStatus', { taskId, runStatus: 'Done', finalCheckpointStep: 15 }, 404, 'CheckpointNotFound', /finalCheckpointStep 15 is not a reported checkpoint .*reported steps: 10, 20/);
    assert.equal((await ft(s, s.key, 'DescribeFineTuningTask', { taskId })).runStatus, 'Running', 'a refused end changes nothing');
    await expectFtFail(s, s.key, 'UpdateFineTuningTaskStatus', { taskId, runStatus: 'Fail', finalCheckpointStep: 10 }, 400, 'InvalidParameter', /finalCheckpointStep is only allowed with runStatus Done/);
    await expectFtFail(s, s.key, 'UpdateFineTuningTaskStatus', { taskId, runStatus: 'Done', failureReason: 'x' }, 400, 'InvalidParameter', /failureReason is only allowed with runStatus Failed or Stopped/);
    await expectFtFail(s, s.key, 'UpdateFineTuningTaskStatus', { taskId, runStatus: 'Finished' }, 400, 'InvalidParameter', /runStatus must be one of: Waiting, Running, Done, Failed, Stopped, Fail/);

    d = await ft(s, s.key, 'UpdateFineTuningTaskStatus', { taskId, runStatus: 'Done', finalCheckpointStep: 10, metrics: { loss: 0.12, 'BLEU-4': '16.56%' } });
    assert.equal(d.runStatus, 'Done');
    assert.equal(d.runProgress, '100%');
    assert.match(d.finishDate, UTC_Z);
    assert.equal(d.finalCheckpointStep, 10);
    assert.deepEqual(d.metrics, { loss: 0.12, 'BLEU-4': '16.56%' });

    const again = await ft(s, s.key, 'UpdateFineTuningTaskStatus', { taskId, runStatus: 'Done' });
    assert.equal(again.finishDate, d.finishDate, 'a repeated end is a no-op');
    await expectFtFail(s, s.key, 'UpdateFineTuningTaskStatus', { taskId, runStatus: 'Fail' }, 409, 'TaskStateConflict', /already ended Done; a finished task's runStatus cannot change to Failed/);
    await expectFtFail(s, s.key, 'UpdateFineTuningTaskStatus', { taskId, runStatus: 'Running', runProgress: 5 }, 409, 'TaskStateConflict');
    await expectFtFail(s, s.key, 'ReportFineTuningTaskCheckpoint', { taskId, step: 30, bucket: 'ckpts', objectPath: 'run/step-30' }, 409, 'TaskStateConflict', /already ended Done; checkpoints can only be reported while it is Waiting or Running/);
  });

  test('Failed keeps the reason ("Fail", the old spelling, is read as Failed); a stopped task refuses further reports', async () => {
    const failed = await newTask(s, s.key);
    const d = await ft(s, s.key, 'UpdateFineTuningTaskStatus', { taskId: failed.taskId, runStatus: 'Fail', failureReason: 'CUDA out of memory' });
    assert.equal(d.runStatus, 'Failed');
    // Repeating the end in either spelling is the retried report it is.
    assert.equal((await ft(s, s.key, 'UpdateFineTuningTaskStatus', { taskId: failed.taskId, runStatus: 'Failed', failureReason: 'CUDA out of memory' })).runStatus, 'Failed');
    assert.equal(d.failureReason, 'CUDA out of memory');

    const stopped = await newTask(s, s.key);
    await ft(s, s.key, 'StopFineTuningTask', { taskId: stopped.taskId });
    await expectFtFail(s, s.key, 'ReportFineTuningTaskCheckpoint', { taskId: stopped.taskId, step: 1, bucket: 'ckpts', objectPath: 'run/step-10' }, 409, 'TaskStateConflict', /already ended Stopped/);
    assert.equal((await ft(s, s.key, 'UpdateFineTuningTaskStatus', { taskId: stopped.taskId, runStatus: 'Stopped' })).runStatus, 'Stopped');
  });

  test('concurrent checkpoint reports and an end: every accepted checkpoint is recorded, none after the end', async () => {
    const { taskId } = await newTask(s, s.key);
    await reportCheckpoint(s, s.key, taskId, 0, 'ckpts', 'run/step-10');
    const reports = [1, 2, 3, 4, 5, 6].map((step) =>
      ft(s, s.key, 'ReportFineTuningTaskCheckpoint', { taskId, step, bucket: 'ckpts', objectPath: 'run/step-20' }).then(() => step, () => null),
    );
    const done = ft(s, s.key, 'UpdateFineTuningTaskStatus', { taskId, runStatus: 'Done' });
    const accepted = (await Promise.all(reports)).filter((x) => x !== null);
    const d = await done;
    const final = await ft(s, s.key, 'DescribeFineTuningTask', { taskId });
    assert.equal(final.runStatus, 'Done');
    assert.deepEqual(final.checkpoints.map((c: any) => c.step), [0, ...accepted].sort((a, b) => a - b));
    assert.ok(d.checkpoints.length <= final.checkpoints.length);
  });
});

describe('modelreg tasks (CLI)', () => {
  const cli = (args: string[], env: Record<string, string> = {}) =>
    run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'tasks', ...args], {
      cwd: path.resolve(import.meta.dirname, '../../..'),
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
      timeout: 60_000,
    });

  test('a trainer reports a checkpoint and the end, then lists and describes, printing JSON', async () => {
    const { jobId, taskId } = await newTask(s, s.key);
    const env = { QIANFAN_CONSOLE_API_BASE_URL: s.url, QIANFAN_ACCESS_KEY: s.key.accessKey, QIANFAN_SECRET_KEY: s.key.secretKey };
    const rep = await cli(['report-checkpoint', taskId, '--step', '30', '--bucket', 'ckpts', '--object-path', 'run/step-30', '--progress', '90'], env);
    assert.equal(JSON.parse(rep.stdout).step, 30);
    const flags = ['--endpoint', s.url, '--access-key', s.key.accessKey, '--secret-key', s.key.secretKey];
    const st = await cli(['set-status', taskId, 'Done', '--metrics', '{"loss":0.5}', ...flags]);
    const done = JSON.parse(st.stdout);
    assert.equal(done.runStatus, 'Done');
    assert.deepEqual(done.metrics, { loss: 0.5 });
    const list = JSON.parse((await cli(['list', '--job-id', jobId], env)).stdout);
    assert.deepEqual(list.taskList.map((t: any) => [t.taskId, t.runStatus]), [[taskId, 'Done']]);
    const desc = JSON.parse((await cli(['describe', taskId], env)).stdout);
    assert.deepEqual(desc.checkpoints.map((c: any) => c.step), [30]);
  });

  test('a profile works as the other user commands take it (modelreg profile set)', async () => {
    const file = path.join(os.tmpdir(), `modelreg-profiles-${process.pid}.ini`);
    try {
      await run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'profile', 'set', 'trainer', '--access-key', s.key.accessKey, '--secret-key', s.key.secretKey, '--endpoint', s.url], {
        cwd: path.resolve(import.meta.dirname, '../../..'),
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', MODELREG_PROFILE_FILE: file },
      });
      const { jobId } = await newTask(s, s.key);
      const list = JSON.parse((await cli(['list', '--job-id', jobId, '--profile', 'trainer'], { MODELREG_PROFILE_FILE: file })).stdout);
      assert.equal(list.taskList.length, 1);
    } finally {
      fs.rmSync(file, { force: true });
    }
  });

  test('errors name the API code and exit non-zero; missing credentials are named', async () => {
    const env = { QIANFAN_CONSOLE_API_BASE_URL: s.url, QIANFAN_ACCESS_KEY: s.key.accessKey, QIANFAN_SECRET_KEY: s.key.secretKey };
    const unknown = await cli(['describe', 'task-nosuchtask00'], env).then(() => assert.fail('expected exit 1'), (e) => e);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /^modelreg: FineTuningTaskNotFound: fine-tuning task not found: no taskId task-nosuchtask00 in this account \(requestId [0-9a-f-]+\)\n$/);
    const noProfiles = path.join(os.tmpdir(), `modelreg-no-profiles-${process.pid}.ini`);
    const nocreds = await cli(['list'], { QIANFAN_CONSOLE_API_BASE_URL: s.url, MODELREG_PROFILE_FILE: noProfiles }).then(() => assert.fail('expected exit 2'), (e) => e);
    assert.equal(nocreds.code, 2, 'missing credentials are a usage error');
    assert.match(nocreds.stderr, /no access key: pass --access-key\/--secret-key, set QIANFAN_ACCESS_KEY\/QIANFAN_SECRET_KEY, or add a profile/);
    const badStep = await cli(['report-checkpoint', 'task-x', '--step', 'ten', '--bucket', 'b', '--object-path', 'p'], env).then(() => assert.fail('expected exit 2'), (e) => e);
    assert.equal(badStep.code, 2);
    assert.match(badStep.stderr, /--step <n>.*expected a whole number >= 0/);
  });
});

