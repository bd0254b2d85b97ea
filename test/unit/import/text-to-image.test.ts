// Text-to-image imports (modelFormat Safetensors): diffusers pipelines, single-file checkpoints
// identified by sentinel keys, and language models refused with the format they need.
import assert from 'node:assert/strict';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { inspectModel, ModelValidationError, type InspectModelInput } from '../../../src/domain/import/inspect-model.js';
import { inferSdFamily } from '../../../src/domain/import/sd-families.js';
import { encodeSafetensors, llamaTensors, sdCheckpointTensors, writeDiffusersPipeline, writeSdCheckpoint, writeTinyCausalLM, type SdFamily } from '../../fixtures/model-builder.js';
import { BUCKET, tempStore, type TempStore } from '../../fixtures/temp-store.js';

let ts: TempStore;
let seq = 0;
before(async () => {
  ts = await tempStore();
});
after(async () => {
  await ts.cleanup();
});

const t2i = (objectPath: string): InspectModelInput => ({ bucket: BUCKET, objectPath, modelFormat: 'Safetensors', modelApplicationType: 'Text-to-Image' });
const fresh = () => `t2i/m${++seq}`;

async function fails(p: Promise<unknown>, pattern: RegExp): Promise<void> {
  await assert.rejects(p, (e: Error) => {
    assert.ok(e instanceof ModelValidationError, e.stack);
    assert.match(e.message, pattern);
    return true;
  });
}

describe('text-to-image: diffusers layout', () => {
  it('inspects a Stable Diffusion v1 pipeline', async () => {
    const objectPath = fresh();
    const built = await writeDiffusersPipeline(path.join(ts.bucketDir, objectPath));
    ts.store.resetCounts();
    const r = await inspectModel(ts.store, t2i(objectPath));
    assert.equal(r.architecture, 'StableDiffusionPipeline');
    assert.equal(r.modelType, 'diffusers');
    assert.equal(r.kind, 'text-to-image');
    assert.equal(r.weightFormat, 'diffusers');
    assert.equal(r.family, 'v1');
    assert.equal(r.parameterCount, built.parameterCount);
    assert.equal(r.dtype, 'F32');
    assert.equal(r.contextLength, 77);
    assert.deepEqual(r.tokenLimitations, { trivial: { inputTokens: 77, outputTokens: 0, characterLimit: 1024 } });
    assert.deepEqual(r.capabilities, { isSupportDeploy: true, isSupportModelComp: false, isSupportEvaluation: false, modelCompConfigs: [] });
    assert.deepEqual(r.files.map((f) => f.path).sort(), built.files);
    for (const n of ts.store.reads.values()) assert.equal(n, 1);
    assert.equal(ts.store.reads.size, built.files.length);
  });

  it('tells v2 from v1 by the UNet cross-attention width', async () => {
    const objectPath = fresh();
    await writeDiffusersPipeline(path.join(ts.bucketDir, objectPath), { crossAttentionDim: 1024 });
    assert.equal((await inspectModel(ts.store, t2i(objectPath))).family, 'v2');
  });

  it('inspects an SDXL pipeline with fp16 variants, counting one variant per component', async () => {
    const objectPath = fresh();
    const built = await writeDiffusersPipeline(path.join(ts.bucketDir, objectPath), { pipeline: 'StableDiffusionXLPipeline', fp16Variant: true });
    const r = await inspectModel(ts.store, t2i(objectPath));
    assert.equal(r.family, 'xl_base');
    assert.equal(r.architecture, 'StableDiffusionXLPipeline');
    assert.equal(r.parameterCount, built.parameterCount);
    assert.deepEqual(Object.keys(r.dtypes), ['F32']);
    assert.ok(r.files.some((f) => f.path === 'unet/diffusion_pytorch_model.fp16.safetensors'));
  });

  it('fails when a component has no weights', async () => {
    const objectPath = fresh();
    await writeDiffusersPipeline(path.join(ts.bucketDir, objectPath), { dropWeightsOf: 'unet' });
    await fails(inspectModel(ts.store, t2i(objectPath)), /^unet\/ has no weights under models\/t2i\/m\d+: model_index\.json lists unet \(UNet2DConditionModel\), which needs unet\/diffusion_pytorch_model\.safetensors/);
  });

  it('fails when a component config is missing', async () => {
    const objectPath = fresh();
    await writeDiffusersPipeline(path.join(ts.bucketDir, objectPath));
    await fsp.rm(path.join(ts.bucketDir, objectPath, 'vae/config.json'));
    await fails(inspectModel(ts.store, t2i(objectPath)), /^vae\/config\.json is missing under models\/t2i\/m\d+: model_index\.json lists vae \(AutoencoderKL\), which needs its config\.json$/);
  });

  it('fails on a corrupt component weight file', async () => {
    const objectPath = fresh();
    await writeDiffusersPipeline(path.join(ts.bucketDir, objectPath));
    await fsp.appendFile(path.join(ts.bucketDir, objectPath, 'vae/diffusion_pytorch_model.safetensors'), Buffer.alloc(4));
    await fails(inspectModel(ts.store, t2i(objectPath)), /^vae\/diffusion_pytorch_model\.safetensors has 4 trailing bytes/);
  });
});

describe('text-to-image: single-file checkpoints', () => {
  const families: SdFamily[] = ['v1', 'v2', 'xl_base', 'xl_refiner', 'inpainting', 'sd3', 'flux'];
  for (const family of families) {
    it(`recognizes ${family} from its sentinel keys`, async () => {
      const objectPath = fresh();
      const params = await writeSdCheckpoint(path.join(ts.bucketDir, objectPath, 'checkpoint.safetensors'), family);
      const r = await inspectModel(ts.store, t2i(objectPath));
      assert.equal(r.family, family);
      assert.equal(r.weightFormat, 'single-file');
      assert.equal(r.modelType, 'single-file');
      assert.equal(r.parameterCount, params);
      assert.equal(r.dtype, 'F16');
      assert.equal(r.contextLength, 77);
    });
  }

  it('architecture names the pipeline the family loads into', async () => {
    const objectPath = fresh();
    await writeSdCheckpoint(path.join(ts.bucketDir, objectPath, 'sdxl.safetensors'), 'xl_base');
    assert.equal((await inspectModel(ts.store, t2i(objectPath))).architecture, 'StableDiffusionXLPipeline');
  });

  it('accepts an objectPath naming the checkpoint file itself', async () => {
    const objectPath = `${fresh()}/dreamshaper.safetensors`;
    await writeSdCheckpoint(path.join(ts.bucketDir, objectPath), 'v1');
    const r = await inspectModel(ts.store, t2i(objectPath));
    assert.deepEqual(r.files.map((f) => f.path), ['dreamshaper.safetensors']);
    assert.equal(r.family, 'v1');
  });

  it('rejects a safetensors file without sentinel keys', async () => {
    const objectPath = fresh();
    await fsp.mkdir(path.join(ts.bucketDir, objectPath), { recursive: true });
    await fsp.writeFile(path.join(ts.bucketDir, objectPath, 'weights.safetensors'), encodeSafetensors([{ name: 'encoder.weight', dtype: 'F16', shape: [4, 4] }]));
    await fails(inspectModel(ts.store, t2i(objectPath)), /^weights\.safetensors is not a recognized text-to-image checkpoint: it has none of diffusers' sentinel tensors/);
  });

  it('rejects pickle checkpoints', async () => {
    const objectPath = fresh();
    await fsp.mkdir(path.join(ts.bucketDir, objectPath), { recursive: true });
    await fsp.writeFile(path.join(ts.bucketDir, objectPath, 'model.ckpt'), Buffer.alloc(64));
    await fails(inspectModel(ts.store, t2i(objectPath)), /no \.safetensors checkpoint under models\/t2i\/m\d+: found model\.ckpt, which are PyTorch pickle files/);
  });
});

describe('text-to-image: language models are refused', () => {
  it('a Hugging Face causal LM directory (config.json names LlamaForCausalLM)', async () => {
    const objectPath = fresh();
    await writeTinyCausalLM(path.join(ts.bucketDir, objectPath));
    ts.store.resetCounts();
    await fails(
      inspectModel(ts.store, t2i(objectPath)),
      /^models\/t2i\/m\d+ holds a causal language model \(config\.json architectures \["LlamaForCausalLM"\]\), which cannot be imported as Text-to-Image; import it with modelFormat HuggingFace\.Transformers or HuggingFace\.vLLM/,
    );
    assert.deepEqual([...ts.store.reads.keys()], [`${objectPath}/config.json`], 'only config.json was read');
  });

  it('LM weights without config.json, recognized by tensor names', async () => {
    const objectPath = fresh();
    await fsp.mkdir(path.join(ts.bucketDir, objectPath), { recursive: true });
    await fsp.writeFile(path.join(ts.bucketDir, objectPath, 'model.safetensors'), encodeSafetensors(llamaTensors('F16')));
    await fails(inspectModel(ts.store, t2i(objectPath)), /^model\.safetensors holds a language model \(tensor 'model\.layers\.0\.input_layernorm\.weight'\), not a text-to-image checkpoint/);
  });
});

describe('inferSdFamily', () => {
  const shapes = (family: SdFamily) => new Map(sdCheckpointTensors(family).map((t) => [t.name, t.shape]));
  it('follows diffusers order: inpainting before v2/v1, v2 needs 1024-wide cross-attention', () => {
    assert.equal(inferSdFamily(shapes('inpainting')), 'inpainting');
    const v2inpaint = shapes('v2');
    v2inpaint.set('model.diffusion_model.input_blocks.0.0.weight', [8, 9, 3, 3]);
    assert.equal(inferSdFamily(v2inpaint), 'inpainting_v2');
    assert.equal(inferSdFamily(new Map([['edm_mean', [1, 4, 1, 1]], ['conditioner.embedders.1.model.transformer.resblocks.9.mlp.c_proj.bias', [8]]])), 'playground-v2-5');
    assert.equal(inferSdFamily(new Map([['unrelated', [1]]])), null);
  });
});
