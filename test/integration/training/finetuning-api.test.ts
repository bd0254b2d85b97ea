// /v2/finetuning jobs and tasks as registry records, through the real Node SDK: the fields the
// SDK reference and its mock server show, pagination, stop/delete rules, validation, IAM and
// tenant isolation.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startServer, type Key, type TestServer } from '../../helpers/harness.js';
import { expectFtFail, ft, FT, newJob, newTask, reportCheckpoint, taskBody, uniq, writeCheckpoint } from './helpers.js';

const UTC_Z = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

let s: TestServer;
let bob: Key;
before(async () => {
  s = await startServer();
  bob = await s.newKey(`bob-${process.pid}`);
  await writeCheckpoint(s, 'ckpts', 'api/step-10');
});
after(() => s.close());

describe('CreateFineTuningJob / DescribeFineTuningJobs', () => {
  test('creates a job-… id and lists it with the SDK mock server fields', async () => {
    const name = uniq('sft');
    const created = await ft(s, s.key, 'CreateFineTuningJob', { name, description: '第一个 job', model: 'ERNIE-Speed-8K', trainMode: 'SFT' });
    assert.deepEqual(Object.keys(created), ['jobId']);
    assert.match(created.jobId, /^job-[a-z0-9]{12}$/);
    const list = await ft(s, s.key, 'DescribeFineTuningJobs', { maxKeys: 100 });
    const job = list.jobList.find((j: any) => j.jobId === created.jobId);
    assert.deepEqual(Object.keys(job).sort(), ['createDate', 'description', 'jobId', 'model', 'name', 'trainMode']);
    assert.equal(job.name, name);
    assert.equal(job.description, '第一个 job');
    assert.equal(job.model, 'ERNIE-Speed-8K');
    assert.equal(job.trainMode, 'SFT');
    assert.match(job.createDate, UTC_Z);
    assert.deepEqual(Object.keys(list.pageInfo).sort(), ['isTruncated', 'marker', 'maxKeys', 'nextMarker', 'pageReverse']);
  });

  test('pages by marker (and by "maker", as the Python SDK spells it), forwards and reversed, and filters by trainMode', async () => {
    const key = await s.newKey(uniq('pager'));
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await newJob(s, key, { trainMode: i === 4 ? 'PostPretrain' : 'SFT' }));
    const p1 = await ft(s, key, 'DescribeFineTuningJobs', { maxKeys: 2 });
    assert.deepEqual(p1.jobList.map((j: any) => j.jobId), ids.slice(0, 2));
    assert.deepEqual(p1.pageInfo, { marker: '', maxKeys: 2, isTruncated: true, nextMarker: ids[2], pageReverse: false });
    const p2 = await ft(s, key, 'DescribeFineTuningJobs', { maxKeys: 2, marker: p1.pageInfo.nextMarker });
    assert.deepEqual(p2.jobList.map((j: any) => j.jobId), ids.slice(2, 4));
    const p3 = await ft(s, key, 'DescribeFineTuningJobs', { maxKeys: 2, maker: p2.pageInfo.nextMarker });
    assert.deepEqual(p3.jobList.map((j: any) => j.jobId), ids.slice(4));
    assert.equal(p3.pageInfo.isTruncated, false);
    assert.equal(p3.pageInfo.nextMarker, '');
    const rev = await ft(s, key, 'DescribeFineTuningJobs', { pageReverse: true });
    assert.deepEqual(rev.jobList.map((j: any) => j.jobId), [...ids].reverse());
    const pp = await ft(s, key, 'DescribeFineTuningJobs', { trainMode: 'PostPretrain' });
    assert.deepEqual(pp.jobList.map((j: any) => j.jobId), [ids[4]]);
    const typo = await ft(s, key, 'DescribeFineTuningJobs', { trainModel: 'SFT' });
    assert.equal(typo.jobList.length, 4);
    const big = await ft(s, key, 'DescribeFineTuningJobs', { maxKeys: 5000 });
    assert.equal(big.pageInfo.maxKeys, 100);
  });

  test('bad bodies get clear errors', async () => {
    await expectFtFail(s, s.key, 'CreateFineTuningJob', { model: 'm', trainMode: 'SFT' }, 400, 'MissingParameter', /^name is required$/);
    await expectFtFail(s, s.key, 'CreateFineTuningJob', { name: 'n', model: 'm', trainMode: 'RLHF' }, 400, 'InvalidParameter', /trainMode must be one of: SFT, PostPretrain/);
    await expectFtFail(s, s.key, 'DescribeFineTuningJobs', { marker: 'job-nosuchjob000' }, 400, 'InvalidParameter', /marker job-nosuchjob000 does not name a fine-tuning job/);
    await expectFtFail(s, s.key, 'NoSuchFineTuningAction', {}, 400, 'InvalidAction', /known actions: .*CreateFineTuningJob/);
  });
});

describe('CreateFineTuningTask / DescribeFineTuningTask(s)', () => {
  test('creates a Waiting task-… and describes it with the SDK fields plus the stored training parameters', async () => {
    const jobId = await newJob(s, s.key, { description: 'd' });
    const body = taskBody(jobId, { corpusConfig: { corpusProportion: '1:5' } });
    const created = await ft(s, s.key, 'CreateFineTuningTask', body);
    assert.deepEqual(Object.keys(created).sort(), ['jobId', 'taskId']);
    assert.equal(created.jobId, jobId);
    assert.match(created.taskId, /^task-[a-z0-9]{12}$/);

    const d = await ft(s, s.key, 'DescribeFineTuningTask', { taskId: created.taskId });
    assert.equal(d.taskId, created.taskId);
    assert.equal(d.jobId, jobId);
    assert.match(d.jobName, /^job_/);
    assert.equal(d.jobDescription, 'd');
    assert.equal(d.model, 'Llama-tiny');
    assert.equal(d.trainMode, 'SFT');
    assert.equal(d.parameterScale, 'LoRA');
    // Created, not yet reported by its trainer: Waiting (the Python SDK's TrainStatus.Waiting).
    assert.equal(d.runStatus, 'Waiting');
    assert.equal(d.runProgress, '0%');
    assert.match(d.createDate, UTC_Z);
    assert.equal(d.finishDate, '0000-00-00T00:00:00Z');
    assert.deepEqual(d.hyperParameterConfig, body.hyperParameterConfig);
    assert.deepEqual(d.datasetConfig, body.datasetConfig);
    assert.deepEqual(d.corpusConfig, { corpusProportion: '1:5' });
    assert.deepEqual(d.checkpoints, []);

    const list = await ft(s, s.key, 'DescribeFineTuningTasks', { jobId });
    assert.equal(list.taskList.length, 1);
    assert.deepEqual(
      Object.keys(list.taskList[0]).sort(),
      ['createDate', 'finishDate', 'jobDescription', 'jobId', 'jobName', 'model', 'parameterScale', 'runProgress', 'runStatus', 'taskId', 'trainMode'],
    );
  });

  test('lists tasks of one job by marker; without jobId, every task of the account', async () => {
    const key = await s.newKey(uniq('tasks'));
    const j1 = await newJob(s, key);
    const j2 = await newJob(s, key);
    const t1 = [await newTask(s, key, j1), await newTask(s, key, j1), await newTask(s, key, j1)].map((t) => t.taskId);
    const t2 = (await newTask(s, key, j2)).taskId;
    const p1 = await ft(s, key, 'DescribeFineTuningTasks', { jobId: j1, maxKeys: 2 });
    assert.deepEqual(p1.taskList.map((t: any) => t.taskId), t1.slice(0, 2));
    assert.equal(p1.pageInfo.nextMarker, t1[2]);
    const p2 = await ft(s, key, 'DescribeFineTuningTasks', { jobId: j1, maker: p1.pageInfo.nextMarker });
    assert.deepEqual(p2.taskList.map((t: any) => t.taskId), [t1[2]]);
    const all = await ft(s, key, 'DescribeFineTuningTasks', {});
    assert.deepEqual(all.taskList.map((t: any) => t.taskId), [...t1, t2]);
    await expectFtFail(s, key, 'DescribeFineTuningTasks', { jobId: j2, marker: t1[0] }, 400, 'InvalidParameter', /does not name a fine-tuning task of this job/);
  });

  test('bad task bodies get clear errors', async () => {
    const jobId = await newJob(s, s.key);
    await expectFtFail(s, s.key, 'CreateFineTuningTask', { jobId, hyperParameterConfig: {} }, 400, 'MissingParameter', /^datasetConfig is required$/);
    await expectFtFail(s, s.key, 'CreateFineTuningTask', taskBody(jobId, { datasetConfig: { splitRatio: 120 } }), 400, 'InvalidParameter', /datasetConfig\.splitRatio must be <= 100/);
    await expectFtFail(s, s.key, 'CreateFineTuningTask', taskBody(jobId, { parameterScale: 'QLoRA' }), 400, 'InvalidParameter', /parameterScale must be one of: FullFineTuning, PromptTuning, LoRA/);
    await expectFtFail(s, s.key, 'CreateFineTuningTask', taskBody('job-nosuchjob000'), 404, 'FineTuningJobNotFound', /no jobId job-nosuchjob000 in this account/);
    await expectFtFail(s, s.key, 'CreateFineTuningTask', taskBody(jobId, { incrementTaskId: 'task-nosuchtask00' }), 404, 'FineTuningTaskNotFound', /no incrementTaskId task-nosuchtask00/);
    await expectFtFail(s, s.key, 'CreateFineTuningTask', taskBody(jobId, { incrementCheckpointStep: 5 }), 400, 'InvalidParameter', /incrementCheckpointStep needs incrementTaskId/);
    await expectFtFail(s, s.key, 'DescribeFineTuningTask', { taskId: 'task-nosuchtask00' }, 404, 'FineTuningTaskNotFound');
  });

  test('incremental training names a base task and one of its checkpoints', async () => {
    const base = await newTask(s, s.key);
    await reportCheckpoint(s, s.key, base.taskId, 10, 'ckpts', 'api/step-10');
    await expectFtFail(s, s.key, 'CreateFineTuningTask', taskBody(base.jobId, { incrementTaskId: base.taskId, incrementCheckpointStep: 20 }), 404, 'CheckpointNotFound', /no checkpoint at step 20/);
    const inc = await ft(s, s.key, 'CreateFineTuningTask', taskBody(base.jobId, { incrementTaskId: base.taskId, incrementCheckpointStep: 10 }));
    const d = await ft(s, s.key, 'DescribeFineTuningTask', { taskId: inc.taskId });
    assert.equal(d.incrementTaskId, base.taskId);
    assert.equal(d.incrementCheckpointStep, 10);
  });
});

describe('StopFineTuningTask / DeleteFineTuningTask / DeleteFineTuningJob', () => {
  test('stop moves Running to Stopped (again: still true); a Done task cannot be stopped', async () => {
    const { taskId } = await newTask(s, s.key);
    assert.equal(await ft(s, s.key, 'StopFineTuningTask', { taskId }), true);
    const d = await ft(s, s.key, 'DescribeFineTuningTask', { taskId });
    assert.equal(d.runStatus, 'Stopped');
    assert.match(d.finishDate, UTC_Z);
    assert.equal(await ft(s, s.key, 'StopFineTuningTask', { taskId }), true);

    const done = await newTask(s, s.key);
    await reportCheckpoint(s, s.key, done.taskId, 10, 'ckpts', 'api/step-10');
    await ft(s, s.key, 'UpdateFineTuningTaskStatus', { taskId: done.taskId, runStatus: 'Done' });
    await expectFtFail(s, s.key, 'StopFineTuningTask', { taskId: done.taskId }, 409, 'TaskStateConflict', /already ended Done; only a Waiting or Running task can be stopped/);
  });

  test('a Running task must be stopped before it is deleted; a job with a Running task cannot be deleted', async () => {
    const { jobId, taskId } = await newTask(s, s.key);
    await reportCheckpoint(s, s.key, taskId, 10, 'ckpts', 'api/step-10');
    await expectFtFail(s, s.key, 'DeleteFineTuningTask', { taskId }, 409, 'TaskStateConflict', /is Running; stop it with StopFineTuningTask/);
    await expectFtFail(s, s.key, 'DeleteFineTuningJob', { jobId }, 409, 'TaskStateConflict', new RegExp(`still has Waiting or Running task\\(s\\) ${taskId}`));
    await ft(s, s.key, 'StopFineTuningTask', { taskId });
    assert.equal(await ft(s, s.key, 'DeleteFineTuningTask', { taskId }), true);
    await expectFtFail(s, s.key, 'DescribeFineTuningTask', { taskId }, 404, 'FineTuningTaskNotFound');
    await expectFtFail(s, s.key, 'DeleteFineTuningTask', { taskId }, 404, 'FineTuningTaskNotFound');

    const other = await newTask(s, s.key, jobId);
    await ft(s, s.key, 'StopFineTuningTask', { taskId: other.taskId });
    assert.equal(await ft(s, s.key, 'DeleteFineTuningJob', { jobId }), true);
    await expectFtFail(s, s.key, 'DescribeFineTuningTask', { taskId: other.taskId }, 404, 'FineTuningTaskNotFound');
    await expectFtFail(s, s.key, 'DescribeFineTuningTasks', { jobId }, 404, 'FineTuningJobNotFound');
    await expectFtFail(s, s.key, 'DeleteFineTuningJob', { jobId }, 404, 'FineTuningJobNotFound');
  });
});

describe('IAM and tenants', () => {
  test("another account's jobs and tasks are invisible: not found, never listed, never changed", async () => {
    const { jobId, taskId } = await newTask(s, s.key);
    await expectFtFail(s, bob, 'DescribeFineTuningTask', { taskId }, 404, 'FineTuningTaskNotFound', /in this account/);
    await expectFtFail(s, bob, 'DescribeFineTuningTasks', { jobId }, 404, 'FineTuningJobNotFound');
    await expectFtFail(s, bob, 'CreateFineTuningTask', taskBody(jobId), 404, 'FineTuningJobNotFound');
    await expectFtFail(s, bob, 'StopFineTuningTask', { taskId }, 404, 'FineTuningTaskNotFound');
    await expectFtFail(s, bob, 'DeleteFineTuningTask', { taskId }, 404, 'FineTuningTaskNotFound');
    await expectFtFail(s, bob, 'DeleteFineTuningJob', { jobId }, 404, 'FineTuningJobNotFound');
    await expectFtFail(s, bob, 'ReportFineTuningTaskCheckpoint', { taskId, step: 1, bucket: 'ckpts', objectPath: 'api/step-10' }, 404, 'FineTuningTaskNotFound');
    await expectFtFail(s, bob, 'UpdateFineTuningTaskStatus', { taskId, runStatus: 'Fail' }, 404, 'FineTuningTaskNotFound');
    await expectFtFail(s, bob, 'DescribeFineTuningJobs', { marker: jobId }, 400, 'InvalidParameter');
    const jobs = await ft(s, bob, 'DescribeFineTuningJobs', { maxKeys: 100 });
    assert.ok(!jobs.jobList.some((j: any) => j.jobId === jobId));
    const tasks = await ft(s, bob, 'DescribeFineTuningTasks', { maxKeys: 100 });
    assert.ok(!tasks.taskList.some((t: any) => t.taskId === taskId));
    assert.equal((await ft(s, s.key, 'DescribeFineTuningTask', { taskId })).runStatus, 'Waiting');
  });

  test('a read-only key describes but cannot create, stop or report', async () => {
    const account = uniq('carol');
    const full = await s.newKey(account);
    const ro = await s.newKey(account, ['QianfanModelTuningReadAccessPolicy']);
    const { taskId } = await newTask(s, full);
    assert.equal((await ft(s, ro, 'DescribeFineTuningTask', { taskId })).taskId, taskId);
    for (const [action, body] of [
      ['CreateFineTuningJob', { name: 'n', model: 'm', trainMode: 'SFT' }],
      ['StopFineTuningTask', { taskId }],
      ['ReportFineTuningTaskCheckpoint', { taskId, step: 1, bucket: 'ckpts', objectPath: 'api/step-10' }],
      ['UpdateFineTuningTaskStatus', { taskId, runStatus: 'Done' }],
    ] as const) {
      await expectFtFail(s, ro, action, body, 403, 'AccessDenied', new RegExp(action));
    }
  });

  test('the route answers only POST with a signed request', async () => {
    const res = await fetch(`${s.url}${FT}?Action=DescribeFineTuningJobs`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    assert.equal(res.status, 400);
    assert.equal((await res.json()).code, 'InvalidHTTPAuthHeader');
    await expectFtFail(s, s.key, 'DescribeFineTuningJobs', { maxKeys: 'ten' }, 400, 'InvalidParameter', /maxKeys must be an integer/);
  });
});
