// The adapter rules on their own: inspecting PEFT directories (inspectModel on a local store), the
// fit check against base shapes, vLLM's LoRA table and the REF syntax. The end-to-end behaviour
// over the API is in adapter-import.test.ts.
import assert from 'node:assert/strict';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { checkAdapterFits } from '../../../src/domain/import/adapter-fit.js';
import { inspectModel, ModelValidationError, type InspectModelInput } from '../../../src/domain/import/inspect-model.js';
import type { AdapterInspection } from '../../../src/domain/import/peft-adapter.js';
import { checkVllmLora, vllmMaxLoraRank } from '../../../src/domain/import/vllm-lora.js';
import { parseBaseRef } from '../../../src/domain/model/base-ref.js';
import { encodeSafetensors, llamaTensors, writeTinyCausalLM, writeTinyLoraAdapter, type LoraAdapterOptions } from '../../fixtures/model-builder.js';
import { BUCKET, tempStore, type TempStore } from '../../fixtures/temp-store.js';

let ts: TempStore;
let seq = 0;
before(async () => {
  ts = await tempStore();
});
after(() => ts.cleanup());

const input = (objectPath: string, extra: Partial<InspectModelInput> = {}): InspectModelInput => ({
  bucket: BUCKET,
  objectPath,
  modelFormat: 'HuggingFace.Transformers',
  modelApplicationType: 'chat',
  transformerVersion: '4.36.2',
  ...extra,
});

async function adapterAt(opts: LoraAdapterOptions = {}): Promise<{ objectPath: string; dir: string }> {
  const objectPath = `lora/a${++seq}`;
  const dir = path.join(ts.bucketDir, objectPath);
  await writeTinyLoraAdapter(dir, opts);
  return { objectPath, dir };
}

async function failsWith(objectPath: string, reason: RegExp): Promise<void> {
  await assert.rejects(inspectModel(ts.store, input(objectPath)), (err: unknown) => {
    assert.ok(err instanceof ModelValidationError, String(err));
    assert.match(err.message, reason);
    return true;
  });
}

/** Tiny Llama base shapes, as the registry records them at import. */
const BASE = { label: 'base llama/V1 (amv-aaaaaaaaaaaa)', shapes: Object.fromEntries(llamaTensors('F16').map((t) => [t.name, t.shape])) };

describe('inspecting PEFT adapter directories', () => {
  it('recognises an adapter (not "no weights found") and records its config, tensors and every file once', async () => {
    const { objectPath } = await adapterAt({ r: 8, targetModules: ['q_proj', 'down_proj'], tokenizer: true });
    const got = await inspectModel(ts.store, input(objectPath, { enablePromptAutoConcat: true }));
    assert.equal(got.modelType, 'peft-lora');
    assert.ok(got.adapter);
    assert.equal(got.adapter.config.r, 8);
    assert.deepEqual(got.adapter.config.targetModules, ['down_proj', 'q_proj']);
    assert.equal(got.parameterCount, 2 * (8 * 16 + 16 * 8) + 2 * (8 * 32 + 16 * 8));
    assert.equal(got.tensorShapes, undefined, 'adapters are not bases');
    assert.ok(got.chatTemplate?.includes('<|im_start|>'), 'the tokenizer saved with the adapter gives its chat template');
    assert.deepEqual(got.files.map((f) => f.path).sort(), ['README.md', 'adapter_config.json', 'adapter_model.safetensors', 'tokenizer.json', 'tokenizer_config.json']);
    for (const f of got.files) assert.equal(ts.store.reads.get(`${objectPath}/${f.path}`), 1, f.path);
  });

  it('records tensor shapes of a full safetensors model (what adapters are checked against)', async () => {
    const dir = path.join(ts.bucketDir, 'full/m1');
    await writeTinyCausalLM(dir, { shards: 2 });
    const got = await inspectModel(ts.store, input('full/m1'));
    assert.deepEqual(got.tensorShapes, BASE.shapes);
  });

  it('fails half adapters and adapters that are inconsistent on their own, naming the file', async () => {
    const noWeights = await adapterAt();
    await fsp.rm(path.join(noWeights.dir, 'adapter_model.safetensors'));
    await failsWith(noWeights.objectPath, /adapter_config\.json is there but no adapter weights .*expected adapter_model\.safetensors/);

    const noConfig = await adapterAt();
    await fsp.rm(path.join(noConfig.dir, 'adapter_config.json'));
    await failsWith(noConfig.objectPath, /adapter_model\.safetensors is there but adapter_config\.json is missing/);

    const ia3 = await adapterAt({ config: { peft_type: 'IA3' } });
    await failsWith(ia3.objectPath, /peft_type "IA3" is not supported: modelreg checks and serves LoRA adapters/);

    const noRank = await adapterAt({ config: { r: 0 } });
    await failsWith(noRank.objectPath, /"r" \(the LoRA rank\) must be a positive integer, got 0/);

    const rankMismatch = await adapterAt({ config: { r: 16 } });
    await failsWith(rankMismatch.objectPath, /lora_A\.weight has shape \[4, 16\], but lora_A must be \[r, in_features\] with r = 16/);

    const untrained = await adapterAt({ config: { target_modules: ['q_proj', 'v_proj', 'o_proj'] } });
    await failsWith(untrained.objectPath, /lists target module "o_proj" but adapter_model\.safetensors has no LoRA tensors for it/);

    const lonely = await adapterAt();
    await fsp.writeFile(
      path.join(lonely.dir, 'adapter_model.safetensors'),
      encodeSafetensors([{ name: 'base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight', dtype: 'F32', shape: [4, 16] }]),
    );
    await failsWith(lonely.objectPath, /q_proj\.lora_A\.weight has no matching lora_B tensor/);

    const foreign = await adapterAt();
    await fsp.writeFile(path.join(foreign.dir, 'adapter_model.safetensors'), encodeSafetensors([{ name: 'model.layers.0.self_attn.q_proj.weight', dtype: 'F32', shape: [16, 16] }]));
    await failsWith(foreign.objectPath, /tensor model\.layers\.0\.self_attn\.q_proj\.weight in adapter_model\.safetensors is not a PEFT adapter tensor/);

    const broken = await adapterAt();
    await fsp.truncate(path.join(broken.dir, 'adapter_model.safetensors'), 100);
    await failsWith(broken.objectPath, /adapter_model\.safetensors/);
  });

  it('with both adapter_model.safetensors and adapter_model.bin, the safetensors are checked and the pickle only recorded', async () => {
    const { objectPath } = await adapterAt({ weights: 'both' });
    const got = await inspectModel(ts.store, input(objectPath));
    assert.ok(got.adapter);
    assert.ok(got.files.some((f) => f.path === 'adapter_model.bin'));
    assert.ok(got.warnings.some((w) => /adapter_model\.bin is ignored: adapter_model\.safetensors is what PEFT and vLLM load/.test(w)), JSON.stringify(got.warnings));
  });

  it('a full model with a leftover adapter_config.json is still a full model', async () => {
    const dir = path.join(ts.bucketDir, 'full/m2');
    await writeTinyCausalLM(dir, { extraFiles: { 'adapter_config.json': '{"peft_type":"LORA"}' } });
    const got = await inspectModel(ts.store, input('full/m2'));
    assert.equal(got.adapter, undefined);
    assert.equal(got.architecture, 'LlamaForCausalLM');
  });
});

/** An AdapterInspection with the given tensors (names without the PEFT prefix). */
function adapter(tensors: Array<[string, number[]]>, config: Partial<AdapterInspection['config']> = {}): AdapterInspection {
  return {
    config: { peftType: 'LORA', r: 4, loraAlpha: 8, targetModules: null, baseModelNameOrPath: null, taskType: null, fanInFanOut: false, useDora: false, useRslora: false, modulesToSave: [], layersToTransform: null, rankPattern: {}, ...config },
    tensors: tensors.map(([n, shape]) => {
      const role = n.endsWith('.lora_A.weight') ? 'lora_A' : n.endsWith('.lora_B.weight') ? 'lora_B' : n.endsWith('.lora_embedding_A') ? 'lora_embedding_A' : n.endsWith('.lora_embedding_B') ? 'lora_embedding_B' : 'saved';
      const module = n.replace(/\.(lora_[AB]\.weight|lora_embedding_[AB]|weight)$/, '');
      return { name: `base_model.model.${n}`, module, role, shape, dtype: 'F32' };
    }),
    parameterCount: 0,
    dtypes: {},
    warnings: [],
  };
}

describe('fit against the base', () => {
  it('accepts linear and embedding LoRA pairs and modules_to_save copies of the right shapes', () => {
    checkAdapterFits(
      adapter([
        ['model.layers.1.mlp.down_proj.lora_A.weight', [4, 32]],
        ['model.layers.1.mlp.down_proj.lora_B.weight', [16, 4]],
        ['model.embed_tokens.lora_embedding_A', [4, 64]],
        ['model.embed_tokens.lora_embedding_B', [16, 4]],
        ['lm_head.weight', [64, 16]],
      ], { targetModules: ['down_proj', 'embed_tokens'] }),
      BASE,
    );
  });

  it('names the tensor on every mismatch', () => {
    const cases: Array<[Array<[string, number[]]>, RegExp]> = [
      [[['model.layers.0.mlp.down_proj.lora_A.weight', [4, 16]], ['model.layers.0.mlp.down_proj.lora_B.weight', [16, 4]]], /down_proj\.lora_A\.weight has shape \[4, 16\], but the base layer model\.layers\.0\.mlp\.down_proj\.weight is \[16, 32\] \(out_features 16, in_features 32\)/],
      [[['model.layers.0.mlp.up_proj.lora_A.weight', [4, 16]], ['model.layers.0.mlp.up_proj.lora_B.weight', [16, 4]]], /up_proj\.lora_B\.weight has shape \[16, 4\].*lora_B must be \[out_features, r\] = \[32, 4\]/],
      [[['lm_head.weight', [32000, 16]]], /lm_head\.weight has shape \[32000, 16\], but the base layer lm_head\.weight is \[64, 16\]: must have the base tensor's shape/],
      [[['model.layers.7.self_attn.q_proj.lora_A.weight', [4, 16]]], /targets layer 7, but base llama\/V1 \(amv-aaaaaaaaaaaa\) has 2 layers \(0-1\)/],
      [[['transformer.h.0.attn.c_attn.lora_A.weight', [4, 16]]], /adapts transformer\.h\.0\.attn\.c_attn\.weight, which does not exist in base/],
      [[['model.layers.0.input_layernorm.lora_A.weight', [4, 16]]], /adapts model\.layers\.0\.input_layernorm\.weight, which is \[16\] .*LoRA needs a 2-D/],
    ];
    for (const [tensors, reason] of cases) assert.throws(() => checkAdapterFits(adapter(tensors), BASE), reason);
  });

  it('an lm_head adapter fits a base with tied embeddings (no lm_head.weight stored)', () => {
    const tied = { label: 'tied', shapes: Object.fromEntries(Object.entries(BASE.shapes).filter(([n]) => n !== 'lm_head.weight')) };
    checkAdapterFits(adapter([['lm_head.lora_A.weight', [4, 16]], ['lm_head.lora_B.weight', [64, 4]]], { targetModules: ['lm_head'] }), tied);
    assert.throws(() => checkAdapterFits(adapter([['lm_head.lora_A.weight', [4, 16]], ['lm_head.lora_B.weight', [32, 4]]]), tied), /lm_head\.lora_B\.weight has shape \[32, 4\]/);
  });

  it('fan_in_fan_out adapters (GPT-2 Conv1D) read the base weight as [in, out]', () => {
    const conv = { label: 'gpt2', shapes: { 'h.0.attn.c_attn.weight': [16, 48] } };
    checkAdapterFits(adapter([['h.0.attn.c_attn.lora_A.weight', [4, 16]], ['h.0.attn.c_attn.lora_B.weight', [48, 4]]], { fanInFanOut: true }), conv);
    assert.throws(() => checkAdapterFits(adapter([['h.0.attn.c_attn.lora_A.weight', [4, 16]], ['h.0.attn.c_attn.lora_B.weight', [48, 4]]]), conv), /lora_A must be \[r, in_features\] = \[4, 48\]/);
  });
});

describe("vLLM's LoRA support per version", () => {
  const qv = adapter([['model.layers.0.self_attn.q_proj.lora_A.weight', [4, 16]], ['model.layers.0.self_attn.q_proj.lora_B.weight', [16, 4]]]);
  it('accepts a Llama q_proj adapter on every version', () => {
    for (const v of ['0.3.2', '0.4.0', '0.6.3'] as const) assert.deepEqual(checkVllmLora(v, 'LlamaForCausalLM', qv), []);
  });
  it('refuses architectures without LoRA layers, modules vLLM cannot adapt, DoRA, and ranks above the maximum', () => {
    assert.throws(() => checkVllmLora('0.3.2', 'Qwen2ForCausalLM', qv), /vLLM 0\.3\.2 has no LoRA support for architecture Qwen2ForCausalLM.*LlamaForCausalLM/);
    assert.deepEqual(checkVllmLora('0.4.0', 'Qwen2ForCausalLM', qv), []);
    const moe = adapter([['model.layers.0.block_sparse_moe.experts.0.w1.lora_A.weight', [4, 16]]]);
    assert.throws(() => checkVllmLora('0.6.3', 'MixtralForCausalLM', moe), /vLLM 0\.6\.3 cannot apply LoRA to module\(s\) w1 of MixtralForCausalLM/);
    assert.throws(() => checkVllmLora('0.6.3', 'LlamaForCausalLM', { ...qv, config: { ...qv.config, useDora: true } }), /use_dora/);
    assert.throws(() => checkVllmLora('0.3.2', 'LlamaForCausalLM', { ...qv, config: { ...qv.config, r: 128 } }), /LoRA rank 128 exceeds vLLM 0\.3\.2's maximum --max-lora-rank of 64/);
    assert.throws(() => checkVllmLora('0.6.3', 'LlamaForCausalLM', { ...qv, config: { ...qv.config, r: 512 } }), /maximum --max-lora-rank of 256/);
    assert.match(checkVllmLora('0.6.3', null, qv)[0] as string, /base is not in the registry.*only the rank/);
    assert.deepEqual([4, 8, 9, 64, 65].map(vllmMaxLoraRank), [8, 8, 16, 64, 128]);
  });
});

describe('REF syntax', () => {
  it('parses amv- ids, SET/Vn (name or am- id), SET@alias, and a bare SET only where allowed', () => {
    assert.deepEqual(parseBaseRef('amv-abcdefghij12'), { kind: 'id', id: 'amv-abcdefghij12' });
    assert.deepEqual(parseBaseRef('llama_base/V3'), { kind: 'version', set: 'llama_base', versionNo: 3 });
    assert.deepEqual(parseBaseRef('am-abcdefghij12/v1'), { kind: 'version', set: 'am-abcdefghij12', versionNo: 1 });
    assert.deepEqual(parseBaseRef('底座模型/V2'), { kind: 'version', set: '底座模型', versionNo: 2 });
    assert.deepEqual(parseBaseRef('llama@prod'), { kind: 'alias', set: 'llama', alias: 'prod' });
    assert.equal(parseBaseRef('llama'), null);
    assert.deepEqual(parseBaseRef('llama', true), { kind: 'set', set: 'llama' });
    for (const bad of ['', 'meta-llama/Llama-2-7b-hf', 'llama/V0', 'llama/V', '/V1', 'amv-x!', 'a/V1/x', '../x/V1']) assert.equal(parseBaseRef(bad, true), null, bad);
  });
});
