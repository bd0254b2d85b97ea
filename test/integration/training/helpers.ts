// Shared by the /v2/finetuning tests: SDK calls on that route, a job with a task,
// genuine tiny checkpoints in the server's local buckets, and waiting for a version's import.
import assert from 'node:assert/strict';
import path from 'node:path';
import { writeTinyCausalLM, type TinyLmOptions } from '../../fixtures/model-builder.js';
import { call, sdk, sdkFails, type Key, type SdkError, type TestServer } from '../../helpers/harness.js';
import { assertError } from '../../helpers/api.js';

export const FT = '/v2/finetuning';

export const ft = (s: { url: string }, key: Key, action: string, data: Record<string, unknown> = {}): Promise<any> => call(s, key, action, data, FT);

export const ftFails = (s: { url: string }, key: Key, action: string, data: Record<string, unknown> = {}): Promise<SdkError> =>
  sdkFails(sdk(s.url, key, FT, action, data));

/** Calls a /v2/finetuning action that must fail with this status, code and message. */
export async function expectFtFail(s: { url: string }, key: Key, action: string, data: Record<string, unknown>, status: number, code: string, message?: RegExp): Promise<void> {
  assertError(await ftFails(s, key, action, data), status, code, message);
}

/** Calls CreateCustomModel, which must fail with this status, code and message. */
export async function expectPublishFail(s: { url: string }, key: Key, data: Record<string, unknown>, status: number, code: string, message?: RegExp): Promise<void> {
  assertError(await sdkFails(sdk(s.url, key, '/v2/model', 'CreateCustomModel', data)), status, code, message);
}

let seq = 0;
export const uniq = (p: string): string => `${p}_${process.pid}_${++seq}`;

export const taskBody = (jobId: string, extra: Record<string, unknown> = {}) => ({
  jobId,
  parameterScale: 'LoRA',
  hyperParameterConfig: { epoch: 1, learningRate: 0.00003, maxSeqLen: 4096 },
  datasetConfig: { sourceType: 'Bos', versions: [{ versionBosUri: 'bos://data/train.jsonl' }], splitRatio: 20 },
  ...extra,
});

export async function newJob(s: { url: string }, key: Key, extra: Record<string, unknown> = {}): Promise<string> {
  const r = await ft(s, key, 'CreateFineTuningJob', { name: uniq('job'), model: 'Llama-tiny', trainMode: 'SFT', ...extra });
  return r.jobId;
}

export async function newTask(s: { url: string }, key: Key, jobId?: string): Promise<{ jobId: string; taskId: string }> {
  const job = jobId ?? (await newJob(s, key));
  return ft(s, key, 'CreateFineTuningTask', taskBody(job));
}

/** Writes a genuine tiny HF causal LM at <bucketsDir>/<bucket>/<objectPath>. */
export async function writeCheckpoint(s: TestServer, bucket: string, objectPath: string, opts: TinyLmOptions = {}): Promise<void> {
  await writeTinyCausalLM(path.join(s.app.config.bucketsDir, bucket, objectPath), opts);
}

export async function reportCheckpoint(s: { url: string }, key: Key, taskId: string, step: number, bucket: string, objectPath: string, extra: Record<string, unknown> = {}): Promise<any> {
  return ft(s, key, 'ReportFineTuningTaskCheckpoint', { taskId, step, bucket, objectPath, ...extra });
}

export async function createSet(s: { url: string }, key: Key): Promise<string> {
  const r = await call(s, key, 'CreateCustomModelSet', { modelSetName: uniq('ftset'), modelType: 'Text2Text' });
  return r.modelSetId;
}

/** Polls DescribeModel until the version leaves Creating. */
export async function waitSettled(s: { url: string }, key: Key, modelId: string, timeoutMs = 30_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const d = await call(s, key, 'DescribeModel', { modelId });
    if (d.status !== 'Creating') return d;
    assert.ok(Date.now() < deadline, `version ${modelId} still Creating after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
