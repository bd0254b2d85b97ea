// inspectModel end to end on a LocalObjectStore: tiny genuine Hugging Face models, each corruption
// ending in its precise reason, every object read exactly once.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { inspectHfDirectory } from '../../../src/domain/import/hf-directory.js';
import { inspectModel, ModelValidationError, type InspectModelInput, type ModelInspection } from '../../../src/domain/import/inspect-model.js';
import { CHATML_TEMPLATE, LLAMA2_CHAT_TEMPLATE, TINY_PARAMETER_COUNT, writeLargeModel, writeTinyCausalLM, type Corruption, type TinyLmOptions } from '../../fixtures/model-builder.js';
import { BUCKET, tempStore, type TempStore } from '../../fixtures/temp-store.js';

let ts: TempStore;
let seq = 0;
before(async () => {
  ts = await tempStore();
});
after(async () => {
  await ts.cleanup();
});

/** Writes a tiny model under a fresh objectPath and returns that path. */
async function model(opts: TinyLmOptions = {}): Promise<{ objectPath: string; dir: string; built: Awaited<ReturnType<typeof writeTinyCausalLM>> }> {
  const objectPath = `llm/m${++seq}`;
  const dir = path.join(ts.bucketDir, objectPath);
  const built = await writeTinyCausalLM(dir, opts);
  return { objectPath, dir, built };
}

const transformers = (objectPath: string, extra: Partial<InspectModelInput> = {}): InspectModelInput => ({
  bucket: BUCKET,
  objectPath,
  modelFormat: 'HuggingFace.Transformers',
  modelApplicationType: 'chat',
  transformerVersion: '4.36.2',
  enablePromptAutoConcat: true,
  ...extra,
});
const vllm = (objectPath: string, version: string, extra: Partial<InspectModelInput> = {}): InspectModelInput =>
  transformers(objectPath, { modelFormat: 'HuggingFace.vLLM', vLLMVersion: version, transformerVersion: undefined, ...extra });

async function fails(p: Promise<unknown>, pattern: RegExp): Promise<ModelValidationError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof ModelValidationError, `expected ModelValidationError, got ${(err as Error)?.stack ?? String(err)}`);
    assert.match(err.message, pattern);
    return err;
  }
  assert.fail(`expected failure matching ${pattern}`);
}

async function corrupted(c: Corruption, shards = 3) {
  const m = await model({ shards, corrupt: c });
  return inspectModel(ts.store, transformers(m.objectPath));
}

const sha256File = async (file: string) => createHash('sha256').update(await fsp.readFile(file)).digest('hex');

describe('inspectModel: tiny Llama, single file', () => {
  let m: Awaited<ReturnType<typeof model>>;
  let r: ModelInspection;
  const progress: Array<[number, number]> = [];
  before(async () => {
    m = await model({ dtype: 'BF16' });
    ts.store.resetCounts();
    r = await inspectModel(ts.store, transformers(m.objectPath), { onProgress: (d, t) => progress.push([d, t]) });
  });

  it('records every file with size and the sha256 node computes over it', async () => {
    assert.deepEqual(r.files.map((f) => f.path).sort(), m.built.files);
    for (const f of r.files) {
      const full = path.join(m.dir, f.path);
      assert.equal(f.sha256, await sha256File(full), f.path);
      assert.equal(f.size, (await fsp.stat(full)).size);
      assert.ok(f.etag, 'local store etag carried over');
    }
    assert.equal(r.totalBytes, r.files.reduce((n, f) => n + f.size, 0));
  });

  it('reads every object exactly once', () => {
    assert.equal(ts.store.reads.size, m.built.files.length);
    for (const [key, n] of ts.store.reads) assert.equal(n, 1, key);
  });

  it('describes the model: architecture, type, parameters, dtype, context and token limits', () => {
    assert.equal(r.architecture, 'LlamaForCausalLM');
    assert.equal(r.modelType, 'llama');
    assert.equal(r.kind, 'causal-lm');
    assert.equal(r.weightFormat, 'safetensors');
    assert.equal(r.parameterCount, TINY_PARAMETER_COUNT);
    assert.equal(r.dtype, 'BF16');
    assert.deepEqual(r.dtypes, { BF16: 7248 });
    assert.equal(r.contextLength, 4096);
    assert.deepEqual(r.tokenLimitations, { trivial: { inputTokens: 3072, outputTokens: 1024, characterLimit: 12288 } });
    assert.equal(r.transformersVersion, '4.36.2');
    assert.deepEqual(r.warnings, []);
  });

  it('renders the tokenizer chat template on a two-turn conversation', () => {
    assert.equal(r.chatTemplate, LLAMA2_CHAT_TEMPLATE);
    assert.equal(r.chatTemplatePreview, '<s>[INST] Hello! Who are you? [/INST] I am an assistant. How can I help? </s>[INST] What is the capital of France? [/INST]');
  });

  it('derives capabilities: deployable, evaluable, W8A16C16 / W4A16C16 quantization', () => {
    assert.deepEqual(r.capabilities, {
      isSupportDeploy: true,
      isSupportModelComp: true,
      isSupportEvaluation: true,
      modelCompConfigs: [
        { strategy: 'Quantization', weight: 'W8A16C16' },
        { strategy: 'Quantization', weight: 'W4A16C16' },
      ],
    });
  });

  it('reports progress up to the total', () => {
    assert.ok(progress.length >= 1);
    const last = progress[progress.length - 1] as [number, number];
    assert.deepEqual(last, [r.totalBytes, r.totalBytes]);
    for (let i = 1; i < progress.length; i++) assert.ok((progress[i] as [number, number])[0] >= (progress[i - 1] as [number, number])[0]);
  });
});

describe('inspectModel: sharded', () => {
  it('inspects 3 F16 shards with an index under vLLM 0.6.3', async () => {
    const m = await model({ dtype: 'F16', shards: 3, chatTemplate: CHATML_TEMPLATE });
    ts.store.resetCounts();
    const r = await inspectModel(ts.store, vllm(`${m.objectPath}/`, '0.6.3'));
    assert.equal(r.weightFormat, 'safetensors-sharded');
    assert.equal(r.parameterCount, TINY_PARAMETER_COUNT);
    assert.equal(r.dtype, 'F16');
    assert.equal(r.files.length, m.built.files.length);
    for (const n of ts.store.reads.values()) assert.equal(n, 1);
    assert.equal(
      r.chatTemplatePreview,
      '<|im_start|>user\nHello! Who are you?<|im_end|>\n<|im_start|>assistant\nI am an assistant. How can I help?<|im_end|>\n<|im_start|>user\nWhat is the capital of France?<|im_end|>\n<|im_start|>assistant\n',
    );
  });

  it('F32 weights are compressible too; mixed dtypes report the dominant one', async () => {
    const r = await inspectModel(ts.store, transformers((await model({ dtype: 'F32' })).objectPath));
    assert.equal(r.dtype, 'F32');
    assert.equal(r.capabilities.isSupportModelComp, true);
  });

  it('inspects a multi-shard model written by writeLargeModel', async () => {
    const objectPath = `llm/large${++seq}`;
    const built = await writeLargeModel(path.join(ts.bucketDir, objectPath), 48 * 1024 * 1024 + 8192 * 3, { shardBytes: 16 * 1024 * 1024 });
    assert.equal(built.weightFiles.length, 4);
    const r = await inspectModel(ts.store, vllm(objectPath, '0.4.0'));
    assert.equal(r.parameterCount, built.parameterCount);
    assert.equal(r.parameterCount, (48 * 1024 * 1024 + 8192 * 3) / 2);
    for (const f of built.weightFiles) assert.equal(r.files.find((x) => x.path === f)?.sha256, await sha256File(path.join(built.dir, f)));
  });
});

describe('inspectHfDirectory on its own', () => {
  it('inspects (store, bucket, prefix) and runs beforeWeights before any weight byte', async () => {
    const m = await model({ shards: 2 });
    ts.store.resetCounts();
    let readsBefore = -1;
    const r = await inspectHfDirectory(ts.store, BUCKET, m.objectPath, {
      beforeWeights: (meta) => {
        readsBefore = [...ts.store.reads.keys()].filter((k) => k.endsWith('.safetensors')).length;
        assert.equal(meta.config.modelType, 'llama');
        assert.equal(meta.tokenizer?.kind, 'tokenizers-json');
        assert.equal(meta.weightsPlan.format, 'safetensors-sharded');
        return ['checked'];
      },
    });
    assert.equal(readsBefore, 0);
    assert.deepEqual(r.weights.files, m.built.weightFiles);
    assert.equal(r.weights.parameterCount, TINY_PARAMETER_COUNT);
    assert.equal(r.weights.tensorCount, 21);
    assert.deepEqual(r.warnings, ['checked']);
    assert.equal(typeof r.generationConfig?.temperature, 'number');
  });
});

describe('inspectModel: corrupt weights', () => {
  it('a dropped shard fails before any weight byte is read', async () => {
    const m = await model({ shards: 3, corrupt: { kind: 'drop-shard', shard: 2 } });
    ts.store.resetCounts();
    const err = await fails(
      inspectModel(ts.store, transformers(m.objectPath)),
      new RegExp(`^model-00002-of-00003\\.safetensors is missing under models/${m.objectPath}: model\\.safetensors\\.index\\.json maps 7 tensors to it$`),
    );
    assert.equal(err.file, 'model-00002-of-00003.safetensors');
    assert.ok(![...ts.store.reads.keys()].some((k) => k.endsWith('.safetensors')), 'no shard was read');
  });

  it('a shard present on disk but not in the index', async () => {
    const m = await model({ shards: 3 });
    const idxPath = path.join(m.dir, 'model.safetensors.index.json');
    const idx = JSON.parse(await fsp.readFile(idxPath, 'utf8'));
    for (const [k, v] of Object.entries(idx.weight_map)) if (v === 'model-00002-of-00003.safetensors') delete idx.weight_map[k];
    await fsp.writeFile(idxPath, JSON.stringify(idx));
    await fails(inspectModel(ts.store, transformers(m.objectPath)), /model-00002-of-00003\.safetensors \(shard 2 of 3\) exists but model\.safetensors\.index\.json maps no tensor to it/);
  });

  it('a truncated shard', async () => {
    await fails(corrupted({ kind: 'truncate', bytes: 100 }), /^model-00003-of-00003\.safetensors is truncated: header says tensor 'lm_head\.weight' ends at byte \d+ of the data section but the file has only \d+ data bytes/);
  });

  it('a truncated single file', async () => {
    await fails(corrupted({ kind: 'truncate', bytes: 1 }, 1), /^model\.safetensors is truncated: header says tensor 'lm_head\.weight' ends at byte 14496 of the data section but the file has only 14495 data bytes/);
  });

  it('header: invalid JSON', async () => {
    await fails(corrupted({ kind: 'header-invalid-json' }), /^model-00003-of-00003\.safetensors has an invalid header: the \d+-byte header is not valid JSON/);
  });

  it('header: length beyond the file', async () => {
    await fails(corrupted({ kind: 'header-length-beyond-file' }), /^model-00003-of-00003\.safetensors has an invalid header: the header length prefix says \d+ bytes but the file has only \d+ bytes after the prefix \(InvalidHeaderLength\)/);
  });

  it('header: length above 100,000,000', async () => {
    await fails(corrupted({ kind: 'header-too-large' }), /HeaderTooLarge/);
  });

  it('header: overlapping offsets', async () => {
    await fails(corrupted({ kind: 'overlapping-offsets' }), /^model-00003-of-00003\.safetensors has an invalid header: tensor '[\w.]+' data_offsets \[\d+, \d+\] overlap tensor '[\w.]+' \[\d+, \d+\] \(InvalidOffset\)/);
  });

  it('header: a gap between tensors', async () => {
    await fails(corrupted({ kind: 'gap-offsets' }), /2 bytes of gap between tensor '[\w.]+' \(ends at data byte \d+\) and tensor '[\w.]+'/);
  });

  it('header: wrong dtype size', async () => {
    await fails(corrupted({ kind: 'wrong-dtype-size' }), /tensor '[\w.]+' \(F32, shape \[\d+(, \d+)*\]\) needs \d+ bytes but its data_offsets \[\d+, \d+\] span \d+ bytes \(TensorInvalidInfo\)/);
  });

  it('header: unknown dtype', async () => {
    await fails(corrupted({ kind: 'unknown-dtype' }), /has unknown dtype 'F12'/);
  });

  it('header: duplicate tensor name', async () => {
    await fails(corrupted({ kind: 'duplicate-key' }), /key '[\w.]+' appears more than once at the top level/);
  });

  it('header: __metadata__ with a non-string value', async () => {
    await fails(corrupted({ kind: 'bad-metadata' }), /__metadata__ value for 'step' must be a string/);
  });

  it('trailing bytes after the data', async () => {
    await fails(corrupted({ kind: 'trailing-bytes', bytes: 24 }), /^model-00003-of-00003\.safetensors has 24 trailing bytes after tensor 'lm_head\.weight'/);
  });

  it('index maps a tensor the shard lacks', async () => {
    await fails(corrupted({ kind: 'index-extra-entry' }), /^model-00001-of-00003\.safetensors lacks tensor 'model\.layers\.9\.mlp\.up_proj\.weight', which model\.safetensors\.index\.json maps to it$/);
  });

  it('shard holds a tensor the index does not map to it', async () => {
    await fails(corrupted({ kind: 'shard-extra-tensor', shard: 2 }), /^model-00002-of-00003\.safetensors contains tensor 'model\.extra\.weight' that model\.safetensors\.index\.json does not map to it/);
  });

  it('index total_size differs from the tensor bytes', async () => {
    await fails(corrupted({ kind: 'index-wrong-total-size' }), /^model\.safetensors\.index\.json says metadata\.total_size is 14498 bytes but its shards hold 14496 bytes of tensor data$/);
  });

  it('no weights at all', async () => {
    const m = await model({ weights: 'none' });
    await fails(inspectModel(ts.store, transformers(m.objectPath)), new RegExp(`^no weights found: expected model\\.safetensors, model\\.safetensors\\.index\\.json with shards, or pytorch_model\\*\\.bin under models/${m.objectPath}$`));
  });

  it('shards without an index', async () => {
    const m = await model({ shards: 2 });
    await fsp.rm(path.join(m.dir, 'model.safetensors.index.json'));
    await fails(inspectModel(ts.store, transformers(m.objectPath)), /no weights found: .*; found shards such as model-00001-of-00002\.safetensors but no model\.safetensors\.index\.json/);
  });

  it('pickle weights are accepted with a warning and no parameter count', async () => {
    const m = await model({ weights: 'bin', dtype: 'F16' });
    const r = await inspectModel(ts.store, transformers(m.objectPath));
    assert.equal(r.weightFormat, 'pytorch-pickle');
    assert.equal(r.parameterCount, null);
    assert.equal(r.dtype, 'F16');
    assert.match(r.warnings.join('\n'), /weights are PyTorch pickle files \(pytorch_model\.bin\): they cannot be inspected without executing pickle/);
  });
});

describe('inspectModel: config, engine and versions', () => {
  it('vLLM: Gemma2ForCausalLM is accepted by 0.6.3 and rejected by 0.3.2 before the weights are read', async () => {
    const m = await model({ architecture: 'Gemma2ForCausalLM', modelType: 'gemma2', transformersVersion: '4.42.4' });
    const ok = await inspectModel(ts.store, vllm(m.objectPath, '0.6.3'));
    assert.equal(ok.architecture, 'Gemma2ForCausalLM');
    ts.store.resetCounts();
    await fails(inspectModel(ts.store, vllm(m.objectPath, '0.3.2')), /^Model architectures \['Gemma2ForCausalLM'\] are not supported by vLLM 0\.3\.2 \(Gemma2ForCausalLM is supported from vLLM 0\.6\.3 on; choose vLLMVersion 0\.6\.3\)\. Supported architectures: \[/);
    assert.ok(!ts.store.reads.has(`${m.objectPath}/model.safetensors`), 'weights not read');
  });

  it('transformers_version newer than the chosen transformerVersion fails', async () => {
    const m = await model({ transformersVersion: '4.38.2' });
    await fails(inspectModel(ts.store, transformers(m.objectPath)), /^config\.json was saved by transformers 4\.38\.2, newer than the chosen transformerVersion 4\.36\.2; choose transformerVersion 4\.39\.3 or later$/);
    const r = await inspectModel(ts.store, transformers(m.objectPath, { transformerVersion: '4.40.2' }));
    assert.equal(r.transformersVersion, '4.38.2');
  });

  it('missing transformers_version only warns', async () => {
    const r = await inspectModel(ts.store, transformers((await model({ transformersVersion: null })).objectPath));
    assert.match(r.warnings.join('\n'), /config\.json has no transformers_version/);
  });

  it('missing architectures / model_type', async () => {
    await fails(inspectModel(ts.store, transformers((await model({ config: { architectures: null } })).objectPath)), /^config\.json has no "architectures" list/);
    await fails(inspectModel(ts.store, transformers((await model({ config: { architectures: [] } })).objectPath)), /^config\.json "architectures" is empty/);
    await fails(inspectModel(ts.store, transformers((await model({ config: { model_type: null } })).objectPath)), /^config\.json has no "model_type" string/);
  });

  it('invalid config.json', async () => {
    const m = await model();
    await fsp.writeFile(path.join(m.dir, 'config.json'), '{"architectures": ["LlamaForCausalLM"],');
    await fails(inspectModel(ts.store, transformers(m.objectPath)), /^config\.json is not valid JSON: /);
  });

  it('no config.json', async () => {
    const m = await model();
    await fsp.rm(path.join(m.dir, 'config.json'));
    await fails(inspectModel(ts.store, transformers(m.objectPath)), /^no config\.json under models\/llm\/m\d+; Hugging Face formats need the model's config\.json/);
  });

  it('context length follows rope scaling and the 2048 default', async () => {
    const scaled = await inspectModel(ts.store, transformers((await model({ config: { rope_scaling: { type: 'linear', factor: 4 } } })).objectPath));
    assert.equal(scaled.contextLength, 16384);
    assert.deepEqual(scaled.tokenLimitations.trivial, { inputTokens: 12288, outputTokens: 4096, characterLimit: 49152 });
    const none = await inspectModel(ts.store, transformers((await model({ config: { max_position_embeddings: null } })).objectPath));
    assert.equal(none.contextLength, 2048);
    assert.match(none.warnings.join('\n'), /assuming a context length of 2048 tokens/);
  });

  it('already-quantized checkpoints are not offered compression', async () => {
    const r = await inspectModel(ts.store, transformers((await model({ config: { quantization_config: { quant_method: 'gptq', bits: 4 } } })).objectPath));
    assert.equal(r.quantization, 'gptq');
    assert.equal(r.capabilities.isSupportModelComp, false);
    assert.deepEqual(r.capabilities.modelCompConfigs, []);
    assert.equal(r.capabilities.isSupportDeploy, true);
  });

  it('custom code: auto_map modules must be present', async () => {
    const m = await model({ config: { auto_map: { AutoConfig: 'configuration_tiny.TinyConfig', AutoModelForCausalLM: 'modeling_tiny.TinyForCausalLM' } } });
    await fails(inspectModel(ts.store, transformers(m.objectPath)), /config\.json auto_map refers to custom code in configuration_tiny\.py, which is missing under/);
    await fsp.writeFile(path.join(m.dir, 'configuration_tiny.py'), '# config\n');
    await fsp.writeFile(path.join(m.dir, 'modeling_tiny.py'), '# model\n');
    const r = await inspectModel(ts.store, transformers(m.objectPath));
    assert.match(r.warnings.join('\n'), /uses custom code \(auto_map: configuration_tiny\.py, modeling_tiny\.py\); the model only loads with trust_remote_code/);
  });

  // Request checks (versions, formats, chatConf + customSpec) are the request rules' alone:
  // test/import/catalogue.test.ts. The vLLM table still refuses a version it has no table for.
  it('a vLLM version without an architecture table fails as a reason, not a crash', async () => {
    const m = await model();
    await fails(inspectModel(ts.store, vllm(m.objectPath, '0.5.0')), /vLLMVersion '0\.5\.0' is not supported/);
  });
});

describe('inspectModel: tokenizer, application type, chat template', () => {
  for (const tokenizer of ['sentencepiece', 'bpe', 'wordpiece'] as const) {
    it(`accepts a ${tokenizer} tokenizer`, async () => {
      const r = await inspectModel(ts.store, transformers((await model({ tokenizer })).objectPath));
      assert.equal(r.parameterCount, TINY_PARAMETER_COUNT);
    });
  }

  it('no tokenizer fails for chat and completion', async () => {
    const m = await model({ tokenizer: 'none' });
    await fails(inspectModel(ts.store, transformers(m.objectPath, { modelApplicationType: 'completion' })), /^no tokenizer under models\/llm\/m\d+: chat and completion need tokenizer\.json, tokenizer\.model \(SentencePiece\), vocab\.json \+ merges\.txt, or vocab\.txt$/);
  });

  it('tokenizer.json that is not a tokenizers file', async () => {
    const m = await model();
    await fsp.writeFile(path.join(m.dir, 'tokenizer.json'), '{"hello": 1}');
    await fails(inspectModel(ts.store, transformers(m.objectPath)), /tokenizer\.json has no "model" section/);
  });

  it('a non-generative architecture cannot serve chat', async () => {
    const m = await model({ architecture: 'BertForMaskedLM', modelType: 'bert' });
    await fails(inspectModel(ts.store, transformers(m.objectPath)), /^modelApplicationType chat needs a text-generation model .*, but config\.json architectures \["BertForMaskedLM"\] \(model_type 'bert'\) is not a text-generation model$/);
  });

  it('a diffusers pipeline imported as chat names the format it needs', async () => {
    const objectPath = `llm/m${++seq}`;
    await fsp.mkdir(path.join(ts.bucketDir, objectPath), { recursive: true });
    await fsp.writeFile(path.join(ts.bucketDir, objectPath, 'model_index.json'), '{"_class_name":"StableDiffusionPipeline"}');
    await fails(inspectModel(ts.store, transformers(objectPath)), /holds a diffusers text-to-image pipeline \(model_index\.json\), which cannot serve modelApplicationType chat; import it with modelFormat Safetensors/);
  });

  it('enablePromptAutoConcat without a chat_template fails; chatConf makes it unnecessary', async () => {
    const m = await model({ chatTemplate: null });
    await fails(inspectModel(ts.store, transformers(m.objectPath)), /^enablePromptAutoConcat is on but tokenizer_config\.json has no chat_template; add one, or pass chatConf or customSpec$/);
    const r = await inspectModel(ts.store, transformers(m.objectPath, { hasChatConf: true }));
    assert.equal(r.chatTemplate, undefined);
    assert.deepEqual(r.warnings, []);
    const off = await inspectModel(ts.store, transformers(m.objectPath, { enablePromptAutoConcat: false }));
    assert.match(off.warnings.join('\n'), /prompts reach the model unformatted/);
  });

  it('an unparsable chat_template fails under auto-concat and only warns with chatConf', async () => {
    const m = await model({ chatTemplate: '{% for m in messages %}{{ m.content }' });
    await fails(inspectModel(ts.store, transformers(m.objectPath)), /^tokenizer_config\.json chat_template is not a valid Jinja template: /);
    const r = await inspectModel(ts.store, transformers(m.objectPath, { hasChatConf: true }));
    assert.match(r.warnings.join('\n'), /chat_template is not a valid Jinja template: .* \(not used: chatConf is given\)/);
  });

  it('a chat_template that raises on a user/assistant/user conversation fails', async () => {
    const m = await model({ chatTemplate: "{% if messages[0]['role'] != 'system' %}{{ raise_exception('System message required') }}{% endif %}" });
    await fails(inspectModel(ts.store, transformers(m.objectPath)), /chat_template fails to render a two-turn user\/assistant\/user conversation: .*System message required/);
  });

  it('named templates: default is used; none named default fails', async () => {
    const ok = await inspectModel(ts.store, transformers((await model({ chatTemplate: [{ name: 'tool_use', template: 'x' }, { name: 'default', template: CHATML_TEMPLATE }] })).objectPath));
    assert.equal(ok.chatTemplate, CHATML_TEMPLATE);
    await fails(
      inspectModel(ts.store, transformers((await model({ chatTemplate: [{ name: 'tool_use', template: 'x' }, { name: 'rag', template: 'y' }] })).objectPath)),
      /tokenizer_config\.json has named chat templates \[tool_use, rag\] but none named 'default'/,
    );
  });

  it('completion imports ignore the chat template', async () => {
    const r = await inspectModel(ts.store, transformers((await model({ chatTemplate: '{% broken' })).objectPath, { modelApplicationType: 'completion' }));
    assert.equal(r.chatTemplatePreview, undefined);
  });
});

describe('inspectModel: locations', () => {
  it('empty objectPath listing', async () => {
    await fails(inspectModel(ts.store, transformers('llm/does-not-exist')), /^no files under models\/llm\/does-not-exist$/);
  });

  it('missing bucket', async () => {
    await fails(inspectModel(ts.store, { ...transformers('x'), bucket: 'nope' }), /^bucket 'nope' does not exist$/);
  });

  it('a bucket name the store rejects is a validation failure', async () => {
    await fails(inspectModel(ts.store, { ...transformers('x'), bucket: 'b' }), /bucket name must be 3–63 characters long/);
  });

  it('a file deleted between listing and reading', async () => {
    const m = await model();
    const store = Object.create(ts.store) as typeof ts.store;
    let deleted = false;
    store.read = async (bucket, key, range) => {
      if (!deleted && key.endsWith('model.safetensors')) {
        deleted = true;
        await fsp.rm(path.join(m.dir, 'model.safetensors'));
      }
      return ts.store.read(bucket, key, range);
    };
    await fails(inspectModel(store, transformers(m.objectPath)), /^model\.safetensors disappeared from models\/llm\/m\d+ during the import/);
  });

  it("objectPath with '..'", async () => {
    await fails(inspectModel(ts.store, transformers('llm/../x')), /must not contain '\.\.'/);
  });

  it('extra files are recorded and hashed', async () => {
    const m = await model({ extraFiles: { 'README.md': '# tiny\n', 'original/params.json': '{"dim": 16}' } });
    const r = await inspectModel(ts.store, transformers(m.objectPath));
    assert.equal(r.files.find((f) => f.path === 'original/params.json')?.sha256, await sha256File(path.join(m.dir, 'original/params.json')));
    assert.ok(r.files.some((f) => f.path === 'README.md'));
  });

  it('aborts with an AbortError', async () => {
    const m = await model();
    const ac = new AbortController();
    await assert.rejects(
      inspectModel(ts.store, transformers(m.objectPath), {
        signal: ac.signal,
        onProgress: () => ac.abort(),
      }),
      (e: Error) => e.name === 'AbortError',
    );
    const pre = new AbortController();
    pre.abort();
    await assert.rejects(inspectModel(ts.store, transformers(m.objectPath), { signal: pre.signal }), (e: Error) => e.name === 'AbortError');
  });
});
