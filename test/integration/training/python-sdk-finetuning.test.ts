// Issue 13, items 2-4: the Python SDK's fine-tuning calls and its trainer's polling loop, replayed
// as the SDK builds them (github.com/baidubce/bce-qianfan-sdk at 6cacf60, python/qianfan/…), on the
// real server through the Node SDK's transport. Statuses are Qianfan's (TrainStatus in
// resources/console/consts.py:138-148: Done, Running, Failed, Stopped, Waiting), unknown fields
// are ignored, DPO/KTO and the job-level fields work, and every field the trainer reads is there.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { call, sdk, startServer, type TestServer } from '../../helpers/harness.js';
import { createSet, expectFtFail, FT, ft, reportCheckpoint, uniq, writeCheckpoint } from './helpers.js';

let s: TestServer;
before(async () => {
  s = await startServer({ jobPollMs: 50 });
  for (const step of [10, 20]) await writeCheckpoint(s, 'pytrain', `run/checkpoint-${step}`);
});
after(() => s.close());

/** resources/console/consts.py:138-148 (TrainStatus). */
const TrainStatus = { Finish: 'Done', Running: 'Running', Fail: 'Failed', Stop: 'Stopped', Waiting: 'Waiting' } as const;

/**
 * One turn of trainer/actions.py:740-809 (_wait_model_trained): what the loop does with a
 * DescribeFineTuningTask result. 'unknown' is its InternalError "get unknown status".
 */
function trainerTurn(result: Record<string, any>): { next: 'done' | 'ended' | 'poll' | 'unknown'; output?: Record<string, unknown>; progress?: number } {
  const status = result.runStatus;
  if (status === TrainStatus.Finish) return { next: 'done', output: { metrics: result.metrics ?? {}, checkpoints: result.checkpointList ?? [] } };
  if (status === TrainStatus.Fail || status === TrainStatus.Stop) return { next: 'ended' };
  if (status === TrainStatus.Running) {
    // job_progress = int(job_progress_str[:-1]): "40%" → 40
    const progress = Number.parseInt(String(result.runProgress).slice(0, -1), 10);
    assert.ok(Number.isInteger(progress), `runProgress ${result.runProgress} is not "<int>%"`);
    assert.equal(typeof (result.vdlLink ?? ''), 'string');
    return { next: 'poll', progress };
  }
  if (status === '' || status === TrainStatus.Waiting) return { next: 'poll' };
  return { next: 'unknown' };
}

/** FineTune.V2.create_job (resources/console/finetune.py:173-237): {**kwargs, name, model, trainMode, description?, parameterScale?, hyperParameterConfig?}. */
const createJobBody = (o: { name: string; model: string; trainMode: string; description?: string; parameterScale?: string; hyperParameterConfig?: object; kwargs?: object }) => ({
  ...o.kwargs,
  name: o.name,
  model: o.model,
  trainMode: o.trainMode,
  ...(o.description !== undefined && { description: o.description }),
  ...(o.parameterScale !== undefined && { parameterScale: o.parameterScale }),
  ...(o.hyperParameterConfig !== undefined && { hyperParameterConfig: o.hyperParameterConfig }),
});

/** FineTune.V2.create_task (finetune.py:241-316): {**kwargs, jobId, parameterScale, hyperParameterConfig, datasetConfig, …}. */
const createTaskBody = (jobId: string, parameterScale: string, hyper: object, kwargs: object = {}) => ({
  ...kwargs,
  jobId,
  parameterScale,
  hyperParameterConfig: hyper,
  datasetConfig: { sourceType: 'Platform', versions: [{ versionId: 'ds-1' }], splitRatio: 20 },
});

describe("the Python trainer's loop ends (trainer/actions.py:740-809)", () => {
  test('Waiting → Running (progress "N%") → Done with metrics and checkpointList {step, trainingLoss, perplexity}', async () => {
    // trainer/actions.py:661-669 calls create_job(name, description, model, train_mode, **kwargs).
    const job = await ft(s, s.key, 'CreateFineTuningJob', createJobBody({ name: uniq('py'), description: 'd', model: 'Qwen2.5-7B-Instruct', trainMode: 'SFT' }));
    // trainer/actions.py:718-725: create_task(job_id, params_scale, hyper_params, dataset_config, **extras, **kwargs).
    const task = await ft(s, s.key, 'CreateFineTuningTask', createTaskBody(job.jobId, 'LoRA', { epoch: 1, learningRate: 0.0003, Packing: true }));

    let d = await ft(s, s.key, 'DescribeFineTuningTask', { taskId: task.taskId });
    assert.equal(d.runStatus, 'Waiting');
    assert.equal(trainerTurn(d).next, 'poll');

    // The trainer reports a checkpoint (with its loss and perplexity): the task is Running.
    await reportCheckpoint(s, s.key, task.taskId, 10, 'pytrain', 'run/checkpoint-10', { runProgress: '40%', trainingLoss: 1.25, perplexity: 3.49 });
    d = await ft(s, s.key, 'DescribeFineTuningTask', { taskId: task.taskId });
    assert.equal(d.runStatus, 'Running');
    assert.deepEqual(trainerTurn(d), { next: 'poll', progress: 40 });
    assert.equal(d.vdlLink, '');

    await reportCheckpoint(s, s.key, task.taskId, 20, 'pytrain', 'run/checkpoint-20');
    d = await ft(s, s.key, 'UpdateFineTuningTaskStatus', { taskId: task.taskId, runStatus: 'Done', metrics: { 'BLEU-4': '16.56%' } });
    const turn = trainerTurn(d);
    assert.equal(turn.next, 'done');
    assert.deepEqual(turn.output!.metrics, { 'BLEU-4': '16.56%' });
    const checkpoints = turn.output!.checkpoints as Record<string, unknown>[];
    // trainer/finetune.py:382-385 (show): ckpt["step"], ckpt["trainingLoss"], ckpt["perplexity"].
    assert.deepEqual(checkpoints.map((c) => [c.step, c.trainingLoss, c.perplexity]), [[10, 1.25, 3.49], [20, null, null]]);
    // Today's names stay: checkpoints (with loss/perplexity only where reported).
    assert.deepEqual(d.checkpoints.map((c: any) => c.step), [10, 20]);
    assert.equal(d.checkpoints[0].trainingLoss, 1.25);
    assert.equal('trainingLoss' in d.checkpoints[1], false);

    // Incremental training reads model, trainMode and jobId of the previous task (actions.py:508-513).
    assert.equal(d.model, 'Qwen2.5-7B-Instruct');
    assert.equal(d.trainMode, 'SFT');
    assert.equal(d.jobId, job.jobId);
  });

  test('a failed task reads Failed and ends the loop; "Fail" is still accepted from trainers', async () => {
    const job = await ft(s, s.key, 'CreateFineTuningJob', createJobBody({ name: uniq('py'), model: 'Qwen2.5-7B-Instruct', trainMode: 'SFT' }));
    const a = await ft(s, s.key, 'CreateFineTuningTask', createTaskBody(job.jobId, 'LoRA', {}));
    const b = await ft(s, s.key, 'CreateFineTuningTask', createTaskBody(job.jobId, 'LoRA', {}));
    await ft(s, s.key, 'UpdateFineTuningTaskStatus', { taskId: a.taskId, runStatus: 'Running', runProgress: 5 });
    const failedA = await ft(s, s.key, 'UpdateFineTuningTaskStatus', { taskId: a.taskId, runStatus: 'Failed', failureReason: 'NaN loss' });
    const failedB = await ft(s, s.key, 'UpdateFineTuningTaskStatus', { taskId: b.taskId, runStatus: 'Fail' });
    for (const d of [failedA, failedB]) {
      assert.equal(d.runStatus, 'Failed');
      assert.equal(trainerTurn(d).next, 'ended');
    }
    const list = await ft(s, s.key, 'DescribeFineTuningTasks', { jobId: job.jobId });
    assert.deepEqual(list.taskList.map((t: any) => t.runStatus).sort(), ['Failed', 'Failed']);
    // Every status answered is one the Python SDK knows.
    for (const t of list.taskList) assert.ok(Object.values(TrainStatus).includes(t.runStatus));
  });

  test('a Waiting task can be stopped (stop_task answers true) and cannot be deleted before', async () => {
    const job = await ft(s, s.key, 'CreateFineTuningJob', createJobBody({ name: uniq('py'), model: 'm', trainMode: 'SFT' }));
    const t = await ft(s, s.key, 'CreateFineTuningTask', createTaskBody(job.jobId, 'LoRA', {}));
    await expectFtFail(s, s.key, 'DeleteFineTuningTask', { taskId: t.taskId }, 409, 'TaskStateConflict', /is Waiting; stop it/);
    // trainer/actions.py:854-855 checks resp.get("result").
    assert.equal(await ft(s, s.key, 'StopFineTuningTask', { taskId: t.taskId }), true);
    assert.equal((await ft(s, s.key, 'DescribeFineTuningTask', { taskId: t.taskId })).runStatus, 'Stopped');
    await expectFtFail(s, s.key, 'UpdateFineTuningTaskStatus', { taskId: t.taskId, runStatus: 'Waiting' }, 409, 'TaskStateConflict', /already ended Stopped/);
  });
});

describe('jobs as the Python SDK creates and lists them', () => {
  test('trainMode DPO and KTO; job-level parameterScale and hyperParameterConfig are kept and inherited by tasks', async () => {
    for (const trainMode of ['DPO', 'KTO']) {
      const job = await ft(
        s,
        s.key,
        'CreateFineTuningJob',
        createJobBody({ name: uniq(trainMode), model: 'Meta-Llama-3.1-8B-Instruct', trainMode, parameterScale: 'LoRA', hyperParameterConfig: { epoch: 2, loraRank: 16 } }),
      );
      const listed = (await ft(s, s.key, 'DescribeFineTuningJobs', { trainModel: trainMode, maxKeys: 100 })).jobList.find((j: any) => j.jobId === job.jobId);
      assert.equal(listed.trainMode, trainMode);
      assert.equal(listed.parameterScale, 'LoRA');
      assert.deepEqual(listed.hyperParameterConfig, { epoch: 2, loraRank: 16 });
      // A task without its own scale takes the job's; its hyperparameters override the job's.
      const t = await ft(s, s.key, 'CreateFineTuningTask', { jobId: job.jobId, hyperParameterConfig: { epoch: 3 }, datasetConfig: { splitRatio: 10 } });
      const d = await ft(s, s.key, 'DescribeFineTuningTask', { taskId: t.taskId });
      assert.equal(d.trainMode, trainMode);
      assert.equal(d.parameterScale, 'LoRA');
      assert.deepEqual(d.hyperParameterConfig, { epoch: 3, loraRank: 16 });
    }
    await expectFtFail(s, s.key, 'CreateFineTuningJob', { name: 'x', model: 'm', trainMode: 'RLHF' }, 400, 'InvalidParameter', /trainMode must be one of: SFT, PostPretrain, DPO, KTO/);
    await expectFtFail(s, s.key, 'CreateFineTuningJob', { name: 'x', model: 'm', trainMode: 'SFT', parameterScale: 'QLoRA' }, 400, 'InvalidParameter', /parameterScale must be one of/);
  });

  test('extra keyword arguments are ignored and named in X-Modelreg-Ignored-Fields', async () => {
    // create_job(..., **kwargs): the kwargs land in the body as they are (finetune.py:219).
    const res = await sdk(s.url, s.key, FT, 'CreateFineTuningJob', createJobBody({ name: uniq('kw'), model: 'm', trainMode: 'SFT', kwargs: { isPublic: false, baseModelVersion: 'v1' } }));
    assert.match(res.result.jobId, /^job-/);
    const ignored = res.headers?.['x-modelreg-ignored-fields'] ?? res.headers?.get?.('x-modelreg-ignored-fields');
    assert.equal(ignored, 'isPublic,baseModelVersion');
  });

  test('job_list with model filters by base model (finetune.py:320-372 sends trainModel, marker, maxKeys, pageReverse, model)', async () => {
    const model = uniq('base');
    const a = await ft(s, s.key, 'CreateFineTuningJob', createJobBody({ name: uniq('a'), model, trainMode: 'SFT' }));
    await ft(s, s.key, 'CreateFineTuningJob', createJobBody({ name: uniq('b'), model: 'other-model', trainMode: 'SFT' }));
    const page = await ft(s, s.key, 'DescribeFineTuningJobs', { trainModel: 'SFT', maxKeys: 50, pageReverse: false, model });
    assert.deepEqual(page.jobList.map((j: any) => j.jobId), [a.jobId]);
  });
});

describe('DescribeModel of a Train version', () => {
  test('model is the base model of the task\'s job', async () => {
    const job = await ft(s, s.key, 'CreateFineTuningJob', createJobBody({ name: uniq('pub'), model: 'Qwen2.5-14B-Instruct', trainMode: 'SFT' }));
    const t = await ft(s, s.key, 'CreateFineTuningTask', createTaskBody(job.jobId, 'LoRA', {}));
    await reportCheckpoint(s, s.key, t.taskId, 10, 'pytrain', 'run/checkpoint-10');
    const setId = await createSet(s, s.key);
    const v = await call(s, s.key, 'CreateCustomModel', { modelSetId: setId, sourceType: 'Train', trainMeta: { taskId: t.taskId, step: 10 } });
    const d = await call(s, s.key, 'DescribeModel', { modelId: v.modelId });
    assert.equal(d.model, 'Qwen2.5-14B-Instruct');
    assert.deepEqual(d.sourceInfo, { sourceType: 'Train', trainTaskId: t.taskId, checkpointStep: 10 });
  });
});
