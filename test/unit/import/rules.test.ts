// Pure rules: config parsing, application-type fit, chat templates, capabilities, shard index checks,
// weights/tokenizer detection from names.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkApplicationFits, classifyArchitecture, resolveChatTemplate } from '../../../src/domain/import/application-type.js';
import { deriveCapabilities } from '../../../src/domain/import/capabilities.js';
import { renderChatTemplatePreview, selectChatTemplate, specialTokens } from '../../../src/domain/import/chat-template.js';
import { autoMapModules, parseHfConfig, torchDtypeToSafetensors, validateHfConfig } from '../../../src/domain/import/hf-config.js';
import { detectTokenizer, planWeights } from '../../../src/domain/import/hf-directory.js';
import { dominantDtype, normalizeObjectPath } from '../../../src/domain/import/inspect-model.js';
import { parseJsonObject } from '../../../src/domain/import/json-file.js';
import { checkShardsPresent, parseSafetensorsIndex, SHARD_NAME } from '../../../src/domain/import/safetensors-index.js';
import { CHATML_TEMPLATE } from '../../fixtures/model-builder.js';

const cfg = (raw: Record<string, unknown>) => validateHfConfig({ model_type: 'x', ...raw });
const json = (x: unknown) => Buffer.from(JSON.stringify(x));

describe('config.json', () => {
  it('parses the keys loaders rely on', () => {
    const c = parseHfConfig(json({ architectures: ['LlamaForCausalLM'], model_type: 'llama', torch_dtype: 'bfloat16', transformers_version: '4.36.2', quantization_config: { quant_method: 'awq' } }));
    assert.deepEqual(c.architectures, ['LlamaForCausalLM']);
    assert.equal(c.modelType, 'llama');
    assert.equal(c.torchDtype, 'bfloat16');
    assert.equal(c.transformersVersion, '4.36.2');
    assert.deepEqual(c.quantizationConfig, { quant_method: 'awq' });
    assert.equal(c.isEncoderDecoder, false);
  });

  it('rejects non-object JSON, a BOM, bad architectures', () => {
    assert.throws(() => parseHfConfig(Buffer.from('[1]')), /config\.json must contain a JSON object, got an array/);
    assert.throws(() => parseHfConfig(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), json({})])), /byte-order mark/);
    assert.throws(() => cfg({ architectures: 'LlamaForCausalLM' }), /"architectures" must be a list of class names/);
    assert.throws(() => cfg({ architectures: [1] }), /must contain only non-empty strings/);
    assert.throws(() => parseJsonObject(Buffer.from([0xc3, 0x28]), 'x.json'), /x\.json is not valid UTF-8/);
  });

  it('maps torch dtypes and auto_map modules', () => {
    assert.equal(torchDtypeToSafetensors('torch.bfloat16'), 'BF16');
    assert.equal(torchDtypeToSafetensors('float16'), 'F16');
    assert.equal(torchDtypeToSafetensors(undefined), null);
    assert.deepEqual(autoMapModules({ AutoModel: 'modeling_glm.GLMModel', AutoTokenizer: ['tokenization_glm.GLMTokenizer', null], AutoConfig: 'org/repo--configuration_x.XConfig' }), {
      local: ['modeling_glm.py', 'tokenization_glm.py'],
      remote: ['org/repo--configuration_x.XConfig'],
    });
  });
});

describe('application type', () => {
  it('classifies architectures', () => {
    assert.equal(classifyArchitecture(cfg({ architectures: ['Qwen2ForCausalLM'] })), 'causal-lm');
    assert.equal(classifyArchitecture(cfg({ architectures: ['GPT2LMHeadModel'] })), 'causal-lm');
    assert.equal(classifyArchitecture(cfg({ architectures: ['ChatGLMModel'] })), 'causal-lm');
    assert.equal(classifyArchitecture(cfg({ architectures: ['LlavaForConditionalGeneration'] })), 'causal-lm');
    assert.equal(classifyArchitecture(cfg({ architectures: ['T5ForConditionalGeneration'], is_encoder_decoder: true })), 'seq2seq');
    assert.equal(classifyArchitecture(validateHfConfig({ architectures: ['BartForConditionalGeneration'], model_type: 'bart' })), 'seq2seq');
    assert.equal(classifyArchitecture(cfg({ architectures: ['BertForSequenceClassification'] })), 'other');
    assert.equal(classifyArchitecture(cfg({ architectures: ['MistralModel'] })), 'other');
  });

  it('fails on mismatches naming both sides', () => {
    assert.throws(() => checkApplicationFits('Text-to-Image', 'causal-lm', 'config.json architectures ["LlamaForCausalLM"]'), /modelApplicationType Text-to-Image needs a text-to-image model .*, but config\.json architectures \["LlamaForCausalLM"\] is a causal language model/);
    assert.doesNotThrow(() => checkApplicationFits('completion', 'seq2seq', 'x'));
  });
});

describe('chat templates', () => {
  it('selects a string or the default of a named list', () => {
    assert.equal(selectChatTemplate({ chat_template: 'x' }), 'x');
    assert.equal(selectChatTemplate({ chat_template: [{ name: 'default', template: 'd' }, { name: 'rag', template: 'r' }] }), 'd');
    assert.equal(selectChatTemplate({}), undefined);
    assert.throws(() => selectChatTemplate({ chat_template: [{ name: 'rag' }] }), /list entries must be \{"name": string, "template": string\}/);
    assert.throws(() => selectChatTemplate({ chat_template: '  ' }), /empty string/);
  });

  it('passes special tokens, including AddedToken objects', async () => {
    assert.deepEqual(specialTokens({ bos_token: '<s>', eos_token: { content: '</s>' }, pad_token: null, model_max_length: 5 }), { bos_token: '<s>', eos_token: '</s>' });
    assert.equal(await renderChatTemplatePreview('{{ bos_token }}{{ messages | length }}{{ eos_token }}', { bos_token: '<s>', eos_token: { content: '</s>' } }), '<s>3</s>');
  });

  it('renders with add_generation_prompt and warns when messages are dropped', async () => {
    const r = await resolveChatTemplate('chat', { chat_template: CHATML_TEMPLATE }, { enablePromptAutoConcat: true });
    assert.ok(r.chatTemplatePreview?.endsWith('<|im_start|>assistant\n'));
    assert.deepEqual(r.warnings, []);
    const lossy = await resolveChatTemplate('chat', { chat_template: '{{ messages[-1].content }}' }, { enablePromptAutoConcat: true });
    assert.match(lossy.warnings[0] ?? '', /chat_template leaves out the user message "Hello! Who are you\?", the assistant message/);
  });

  it('completion does not use chat templates', async () => {
    assert.deepEqual(await resolveChatTemplate('completion', { chat_template: '{% broken' }, { enablePromptAutoConcat: true }), { warnings: [] });
  });
});

describe('capabilities table', () => {
  const q = [
    { strategy: 'Quantization', weight: 'W8A16C16' },
    { strategy: 'Quantization', weight: 'W4A16C16' },
  ];
  it('full-precision causal LMs are compressible', () => {
    for (const dtype of ['BF16', 'F16', 'F32']) {
      assert.deepEqual(deriveCapabilities({ kind: 'causal-lm', architecture: 'LlamaForCausalLM', dtype, quantized: false }), { isSupportDeploy: true, isSupportModelComp: true, isSupportEvaluation: true, modelCompConfigs: q });
    }
  });

  it('quantized, integer/FP8, unknown dtype, multimodal, seq2seq: no compression', () => {
    const noComp = { isSupportDeploy: true, isSupportModelComp: false, isSupportEvaluation: true, modelCompConfigs: [] };
    assert.deepEqual(deriveCapabilities({ kind: 'causal-lm', architecture: 'LlamaForCausalLM', dtype: 'BF16', quantized: true }), noComp);
    assert.deepEqual(deriveCapabilities({ kind: 'causal-lm', architecture: 'LlamaForCausalLM', dtype: 'I32', quantized: false }), noComp);
    assert.deepEqual(deriveCapabilities({ kind: 'causal-lm', architecture: 'LlamaForCausalLM', dtype: 'F8_E4M3', quantized: false }), noComp);
    assert.deepEqual(deriveCapabilities({ kind: 'causal-lm', architecture: 'LlamaForCausalLM', dtype: null, quantized: false }), noComp);
    assert.deepEqual(deriveCapabilities({ kind: 'causal-lm', architecture: 'Qwen2VLForConditionalGeneration', dtype: 'BF16', quantized: false }), noComp);
    assert.deepEqual(deriveCapabilities({ kind: 'causal-lm', architecture: 'LlavaForConditionalGeneration', dtype: 'BF16', quantized: false }), noComp);
    assert.deepEqual(deriveCapabilities({ kind: 'causal-lm', architecture: 'QWenLMHeadModel', dtype: 'BF16', quantized: false, multimodal: true }), noComp);
    assert.equal(deriveCapabilities({ kind: 'causal-lm', architecture: 'QWenLMHeadModel', dtype: 'BF16', quantized: false }).isSupportModelComp, true);
    assert.deepEqual(deriveCapabilities({ kind: 'seq2seq', architecture: 'T5ForConditionalGeneration', dtype: 'F32', quantized: false }), noComp);
  });

  it('text-to-image deploys only', () => {
    assert.deepEqual(deriveCapabilities({ kind: 'text-to-image', architecture: 'StableDiffusionXLPipeline', dtype: 'F16', quantized: false }), { isSupportDeploy: true, isSupportModelComp: false, isSupportEvaluation: false, modelCompConfigs: [] });
  });
});

describe('shard index and names', () => {
  const index = (wm: Record<string, string>, total?: number) => parseSafetensorsIndex(json({ metadata: total === undefined ? {} : { total_size: total }, weight_map: wm }), 'model.safetensors.index.json');

  it('matches the huggingface.js shard pattern (5–6 digits)', () => {
    assert.ok(SHARD_NAME.test('model-00001-of-00002.safetensors'));
    assert.ok(SHARD_NAME.test('diffusion_pytorch_model-000001-of-000010.safetensors'));
    assert.ok(!SHARD_NAME.test('model-1-of-2.safetensors'));
  });

  it('requires every referenced shard and complete numbering', () => {
    const idx = index({ a: 'model-00001-of-00003.safetensors', b: 'model-00003-of-00003.safetensors' });
    assert.throws(() => checkShardsPresent(idx, new Set(['model-00001-of-00003.safetensors']), 'b/p'), /model-00003-of-00003\.safetensors is missing under b\/p: model\.safetensors\.index\.json maps 1 tensor to it/);
    assert.throws(
      () => checkShardsPresent(idx, new Set(['model-00001-of-00003.safetensors', 'model-00003-of-00003.safetensors']), 'b/p'),
      /model-00002-of-00003\.safetensors \(shard 2 of 3\) is missing under b\/p; model\.safetensors\.index\.json lists 2 of the 3 shards/,
    );
    const odd = index({ a: 'weights-a.safetensors' });
    assert.match(checkShardsPresent(odd, new Set(['weights-a.safetensors']), 'b/p')[0] ?? '', /does not follow the <prefix>-NNNNN-of-NNNNN\.safetensors naming/);
    assert.throws(() => checkShardsPresent(index({ a: 'model-00004-of-00003.safetensors' }), new Set(['model-00004-of-00003.safetensors']), 'b/p'), /impossible shard number 4 of 3/);
  });

  it('rejects malformed indexes', () => {
    assert.throws(() => parseSafetensorsIndex(json({ metadata: {} }), 'i.json'), /i\.json has no "weight_map" object/);
    assert.throws(() => parseSafetensorsIndex(json({ weight_map: {} }), 'i.json'), /empty "weight_map"/);
    assert.throws(() => parseSafetensorsIndex(json({ weight_map: { a: 3 } }), 'i.json'), /maps tensor 'a' to 3, not a file name/);
    assert.throws(() => parseSafetensorsIndex(json({ weight_map: { a: 'x.safetensors' }, metadata: { total_size: '1' } }), 'i.json'), /"metadata\.total_size" must be a non-negative integer/);
  });
});

describe('names → weights and tokenizer', () => {
  it('follows Transformers precedence for weights', () => {
    assert.equal(planWeights(new Set(['model.safetensors', 'model.safetensors.index.json', 'pytorch_model.bin']), 'b').format, 'safetensors');
    assert.equal(planWeights(new Set(['model.safetensors.index.json', 'pytorch_model.bin']), 'b').format, 'safetensors-sharded');
    assert.deepEqual(planWeights(new Set(['pytorch_model-00001-of-00002.bin']), 'b'), { format: 'pytorch-pickle', entry: 'pytorch_model-00001-of-00002.bin' });
    assert.throws(() => planWeights(new Set(['consolidated.safetensors']), 'b/p'), /no weights found: .* under b\/p; found consolidated\.safetensors, but Transformers loads only model\.safetensors or an index/);
  });

  it('detects tokenizers in loader order', () => {
    assert.equal(detectTokenizer(new Set(['tokenizer.json', 'tokenizer.model']))?.kind, 'tokenizers-json');
    assert.equal(detectTokenizer(new Set(['tokenizer.model']))?.kind, 'sentencepiece');
    assert.equal(detectTokenizer(new Set(['vocab.json', 'merges.txt']))?.kind, 'bpe-vocab-merges');
    assert.equal(detectTokenizer(new Set(['vocab.json'])), null);
    assert.equal(detectTokenizer(new Set(['vocab.txt']))?.kind, 'wordpiece-vocab');
    assert.equal(detectTokenizer(new Set(['qwen.tiktoken']))?.kind, 'tiktoken');
  });
});

describe('helpers', () => {
  it('dominant dtype and objectPath normalization', () => {
    assert.equal(dominantDtype({ F32: 10, BF16: 1000 }), 'BF16');
    assert.equal(dominantDtype({ F16: 5, BF16: 5 }), 'BF16');
    assert.equal(dominantDtype({}), null);
    assert.equal(normalizeObjectPath('/a//b/./c/'), 'a/b/c');
    assert.equal(normalizeObjectPath('/'), '');
  });
});
