// Engine support: vLLM architecture tables per version, Transformers version comparison.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkTransformersVersion, compareVersions, parseVersion } from '../../../src/domain/import/transformers-versions.js';
import { checkVllmArchitecture, isKnownTextGenerationArchitecture, VLLM_ARCHITECTURES } from '../../../src/domain/import/vllm-architectures.js';

describe('vLLM architecture tables', () => {
  it('hold the reference lists: 31 names in 0.3.2, 40 in 0.4.0, 0.6.3 split by task', () => {
    assert.equal(VLLM_ARCHITECTURES['0.3.2'].size, 31);
    assert.equal(VLLM_ARCHITECTURES['0.4.0'].size, 40);
    const tasks = [...VLLM_ARCHITECTURES['0.6.3'].values()];
    assert.equal(tasks.filter((t) => t === 'generate').length, 56);
    assert.equal(tasks.filter((t) => t === 'embedding').length, 3);
    assert.equal(tasks.filter((t) => t === 'multimodal').length, 17);
    assert.equal(tasks.filter((t) => t === 'speculative').length, 3);
    for (const uncertain of ['OrionForCausalLM', 'StableLmForCausalLM', 'Starcoder2ForCausalLM']) assert.ok(!VLLM_ARCHITECTURES['0.3.2'].has(uncertain));
    assert.ok(!VLLM_ARCHITECTURES['0.6.3'].has('MolmoForCausalLM'));
  });

  it('accepts Gemma2ForCausalLM in 0.6.3 and rejects it in 0.3.2 in vLLM words, pointing at 0.6.3', () => {
    assert.equal(checkVllmArchitecture('0.6.3', ['Gemma2ForCausalLM']), 'Gemma2ForCausalLM');
    assert.throws(
      () => checkVllmArchitecture('0.3.2', ['Gemma2ForCausalLM']),
      (e: Error) => {
        assert.match(e.message, /^Model architectures \['Gemma2ForCausalLM'\] are not supported by vLLM 0\.3\.2 \(Gemma2ForCausalLM is supported from vLLM 0\.6\.3 on; choose vLLMVersion 0\.6\.3\)\. Supported architectures: \['AquilaModel', /);
        assert.match(e.message, /'OLMoForCausalLM'\]$/);
        return true;
      },
    );
  });

  it('accepts when any listed architecture is supported, and returns it', () => {
    assert.equal(checkVllmArchitecture('0.4.0', ['MyCustomThing', 'LlamaForCausalLM']), 'LlamaForCausalLM');
  });

  it('explains renames (OLMo → Olmo) and versions that dropped a name', () => {
    assert.throws(() => checkVllmArchitecture('0.6.3', 'OLMoForCausalLM'), /OLMoForCausalLM is supported by vLLM 0\.3\.2, 0\.4\.0; .*vLLM 0\.6\.3 spells it 'OlmoForCausalLM'/);
  });

  it('refuses embedding-only architectures for text generation', () => {
    assert.throws(() => checkVllmArchitecture('0.6.3', 'Qwen2ForRewardModel'), /registers Qwen2ForRewardModel only as an embedding model, which cannot serve chat or completion/);
  });

  it('rejects unknown vLLM versions', () => {
    assert.throws(() => checkVllmArchitecture('0.5.0', 'LlamaForCausalLM'), /vLLMVersion '0\.5\.0' is not supported; choose one of 0\.3\.2, 0\.4\.0, 0\.6\.3/);
  });

  it('knows text-generation architectures across versions', () => {
    assert.ok(isKnownTextGenerationArchitecture('ChatGLMModel'));
    assert.ok(isKnownTextGenerationArchitecture('LlavaForConditionalGeneration'));
    assert.ok(!isKnownTextGenerationArchitecture('MistralModel'));
  });
});

describe('transformers versions', () => {
  it('parses and orders PEP 440-ish versions', () => {
    const v = (s: string) => parseVersion(s) ?? assert.fail(s);
    assert.equal(compareVersions(v('4.36.2'), v('4.36.2')), 0);
    assert.equal(compareVersions(v('4.37.0'), v('4.36.2')), 1);
    assert.equal(compareVersions(v('4.36.0.dev0'), v('4.36.0')), -1);
    assert.equal(compareVersions(v('4.40.0rc1'), v('4.39.3')), 1);
    assert.equal(compareVersions(v('4.38.2.post1'), v('4.38.2')), 1);
    assert.equal(compareVersions(v('4.36'), v('4.36.0')), 0);
    assert.equal(parseVersion('banana'), null);
  });

  it('accepts a checkpoint saved by the chosen or an older version', () => {
    assert.deepEqual(checkTransformersVersion('4.36.2', '4.36.2'), []);
    assert.deepEqual(checkTransformersVersion('4.40.2', '4.31.0'), []);
    assert.deepEqual(checkTransformersVersion('4.40.2', '4.40.2.dev0'), []);
  });

  it('fails when config.json is newer than the chosen version, naming both and a version that works', () => {
    assert.throws(() => checkTransformersVersion('4.36.2', '4.38.2'), /config\.json was saved by transformers 4\.38\.2, newer than the chosen transformerVersion 4\.36\.2; choose transformerVersion 4\.39\.3 or later$/);
    assert.throws(() => checkTransformersVersion('4.40.2', '4.45.0.dev0'), /newer than the chosen transformerVersion 4\.40\.2; none of the supported versions \(4\.34\.0, 4\.36\.2, 4\.39\.3, 4\.40\.2\) is that new/);
  });

  it('warns when transformers_version is missing or unparsable', () => {
    assert.match(checkTransformersVersion('4.36.2', undefined)[0] ?? '', /config\.json has no transformers_version; cannot check it against transformerVersion 4\.36\.2/);
    assert.match(checkTransformersVersion('4.36.2', 'main')[0] ?? '', /is not a version number/);
  });
});
