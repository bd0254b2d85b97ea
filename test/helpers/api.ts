// Small helpers shared by the API conformance tests (test/integration/api): error-envelope assertions,
// model-set and import-body builders, and a local bucket to import from.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { call, sdk, sdkFails, type Key, type RawResponse, type SdkError, type TestServer } from './harness.js';

/** ISO 8601 with a numeric offset and no fraction, as Qianfan shows times. */
export const API_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/;
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Asserts an error envelope: status, code, and (optionally) a message pattern. */
export function assertError(got: SdkError | RawResponse, status: number, code: string, message?: RegExp): void {
  const body = got.body as { requestId?: string; code?: string; message?: string } | undefined;
  const shown = JSON.stringify(body ?? (got as RawResponse).text);
  assert.equal(got.status, status, `status: ${shown}`);
  assert.ok(body, `no JSON envelope: ${shown}`);
  assert.match(body.requestId ?? '', UUID, `requestId: ${shown}`);
  assert.equal(body.code, code, `code: ${shown}`);
  assert.equal(typeof body.message, 'string', `message: ${shown}`);
  assert.deepEqual(Object.keys(body).sort(), ['code', 'message', 'requestId'], `envelope keys: ${shown}`);
  if (message) assert.match(body.message!, message, `message: ${shown}`);
  // Every error also carries BCE's error headers (what BCE clients read besides the body).
  const headers = (got as RawResponse).headers;
  if (headers) {
    assert.equal(headers.get('x-bce-error-code'), code, `X-Bce-Error-Code: ${shown}`);
    assert.ok(headers.get('x-bce-error-message'), `X-Bce-Error-Message: ${shown}`);
  }
}

/** Calls an action through the SDK, expecting it to fail with this status/code/message. */
export async function expectFail(
  server: { url: string },
  key: Key,
  action: string,
  data: Record<string, unknown> | undefined,
  status: number,
  code: string,
  message?: RegExp,
): Promise<SdkError> {
  const err = await sdkFails(sdk(server.url, key, '/v2/model', action, data));
  assertError(err, status, code, message);
  return err;
}

let seq = 0;
/** A model-set name unique within the test process. */
export const uniqueName = (prefix = 'set'): string => `${prefix}_${process.pid}_${++seq}_${Math.random().toString(36).slice(2, 6)}`;

export async function createSet(server: { url: string }, key: Key, name = uniqueName(), modelType = 'Text2Text'): Promise<{ modelSetId: string; modelSetName: string }> {
  return call(server, key, 'CreateCustomModelSet', { modelSetName: name, modelType });
}

/** Makes a bucket (a directory of the local object store) holding a few files under objectPath. */
export function makeBucket(server: TestServer, bucket: string, objectPath = 'model'): string {
  const dir = path.join(server.app.config.bucketsDir, bucket, objectPath);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ architectures: ['LlamaForCausalLM'], model_type: 'llama' }));
  return dir;
}

/** A valid HuggingFace.Transformers chat import, with importMeta fields overridden or removed (undefined). */
export function transformersImport(modelSetId: string, meta: Record<string, unknown> = {}, top: Record<string, unknown> = {}): Record<string, unknown> {
  const importMeta: Record<string, unknown> = {
    bucket: 'test',
    objectPath: 'model',
    modelFormat: 'HuggingFace.Transformers',
    modelApplicationType: 'chat',
    transformerVersion: '4.36.2',
    ...meta,
  };
  for (const k of Object.keys(importMeta)) if (importMeta[k] === undefined) delete importMeta[k];
  return { modelSetId, sourceType: 'Import', importMeta, ...top };
}

/** A valid HuggingFace.vLLM chat import. */
export function vllmImport(modelSetId: string, meta: Record<string, unknown> = {}, top: Record<string, unknown> = {}): Record<string, unknown> {
  return transformersImport(modelSetId, { modelFormat: 'HuggingFace.vLLM', transformerVersion: undefined, vLLMVersion: '0.6.3', ...meta }, top);
}

/** A valid Safetensors Text-to-Image import. */
export function safetensorsImport(modelSetId: string, meta: Record<string, unknown> = {}, top: Record<string, unknown> = {}): Record<string, unknown> {
  return transformersImport(modelSetId, { modelFormat: 'Safetensors', modelApplicationType: 'Text-to-Image', transformerVersion: undefined, ...meta }, top);
}

/** A string of n characters (CJK, so length limits are checked in characters, not bytes). */
export const chars = (n: number, c = '字'): string => c.repeat(n);
