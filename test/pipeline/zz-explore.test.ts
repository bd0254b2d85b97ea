import { test } from 'node:test';
import path from 'node:path';
import fs from 'node:fs';
import { startServer, call, sdk, sdkFails } from '../helpers/harness.ts';
import { createSet, transformersImport, vllmImport, safetensorsImport } from '../helpers/api.ts';
import { writeTinyCausalLM, writeDiffusersPipeline, writeSdCheckpoint } from '../fixtures/model-builder.ts';

test('explore', async () => {
  const s = await startServer({ jobPollMs: 100 });
  const b = (p: string) => path.join(s.app.config.bucketsDir, 'test', p);
  const wait = async (id: string) => { for (let i = 0; i < 100; i++) { const d = await call(s, s.key, 'DescribeModel', { modelId: id }); if (d.status !== 'Creating') return d; await new Promise(r => setTimeout(r, 100)); } throw new Error('stuck'); };
  try {
    const set = await createSet(s, s.key);
    const cases: Array<[string, () => Promise<unknown>, Record<string, unknown>]> = [
      ['drop-shard', () => writeTinyCausalLM(b('c1'), { shards: 3, corrupt: { kind: 'drop-shard', shard: 2 } }), transformersImport(set.modelSetId, { objectPath: 'c1' })],
      ['truncate', () => writeTinyCausalLM(b('c2'), { shards: 2, corrupt: { kind: 'truncate', bytes: 100 } }), transformersImport(set.modelSetId, { objectPath: 'c2' })],
      ['header-invalid-json', () => writeTinyCausalLM(b('c3'), { corrupt: { kind: 'header-invalid-json' } }), transformersImport(set.modelSetId, { objectPath: 'c3' })],
      ['header-length-beyond', () => writeTinyCausalLM(b('c4'), { corrupt: { kind: 'header-length-beyond-file' } }), transformersImport(set.modelSetId, { objectPath: 'c4' })],
      ['overlap', () => writeTinyCausalLM(b('c5'), { corrupt: { kind: 'overlapping-offsets' } }), transformersImport(set.modelSetId, { objectPath: 'c5' })],
      ['unsupported arch vllm', () => writeTinyCausalLM(b('c6'), { architecture: 'FooForCausalLM', modelType: 'foo' }), vllmImport(set.modelSetId, { objectPath: 'c6' })],
      ['vllm 0.3.2 qwen2', () => writeTinyCausalLM(b('c7'), { architecture: 'Qwen2ForCausalLM', modelType: 'qwen2' }), vllmImport(set.modelSetId, { objectPath: 'c7', vLLMVersion: '0.3.2' })],
      ['bert chat', () => writeTinyCausalLM(b('c8'), { architecture: 'BertForSequenceClassification', modelType: 'bert' }), transformersImport(set.modelSetId, { objectPath: 'c8' })],
      ['tv newer', () => writeTinyCausalLM(b('c9'), { transformersVersion: '4.45.0' }), transformersImport(set.modelSetId, { objectPath: 'c9', transformerVersion: '4.36.2' })],
      ['llm as t2i', () => writeTinyCausalLM(b('c10')), safetensorsImport(set.modelSetId, { objectPath: 'c10' })],
      ['diffusers as chat', () => writeDiffusersPipeline(b('c11')), transformersImport(set.modelSetId, { objectPath: 'c11' })],
      ['diffusers ok', () => writeDiffusersPipeline(b('c12')), safetensorsImport(set.modelSetId, { objectPath: 'c12' })],
      ['single-file dir', () => writeSdCheckpoint(b('c13/sd.safetensors'), 'xl_base'), safetensorsImport(set.modelSetId, { objectPath: 'c13' })],
      ['single-file object', () => writeSdCheckpoint(b('c14/sd.safetensors'), 'v1'), safetensorsImport(set.modelSetId, { objectPath: 'c14/sd.safetensors' })],
      ['completion', () => writeTinyCausalLM(b('c15'), { chatTemplate: null }), transformersImport(set.modelSetId, { objectPath: 'c15', modelApplicationType: 'completion' })],
      ['chat no template', () => writeTinyCausalLM(b('c16'), { chatTemplate: null }), transformersImport(set.modelSetId, { objectPath: 'c16' })],
      ['missing tokenizer', () => writeTinyCausalLM(b('c17'), { tokenizer: 'none' }), transformersImport(set.modelSetId, { objectPath: 'c17' })],
      ['vllm ok', () => writeTinyCausalLM(b('c18')), vllmImport(set.modelSetId, { objectPath: 'c18' })],
    ];
    for (const [name, mk, body] of cases) {
      await mk();
      try {
        const r = await call(s, s.key, 'CreateCustomModel', body);
        const d = await wait(r.modelId);
        console.log(name, '=>', d.status, d.failureReason ?? '', d.warnings ?? '', d.architecture, d.parameterCount, d.family);
      } catch (e) { console.log(name, 'create failed', (e as Error).message.slice(0, 300)); }
    }
    for (const p of ['../x', '/abs', 'a/../../b', '', '  ', 'nope']) {
      const e = await sdkFails(sdk(s.url, s.key, '/v2/model', 'CreateCustomModel', transformersImport(set.modelSetId, { objectPath: p })));
      console.log(JSON.stringify(p), e.status, JSON.stringify(e.body));
    }
    const e = await sdkFails(sdk(s.url, s.key, '/v2/model', 'CreateCustomModel', transformersImport(set.modelSetId, { bucket: 'nobucket' })));
    console.log('nobucket', e.status, JSON.stringify(e.body));
  } finally { await s.close(); }
});
