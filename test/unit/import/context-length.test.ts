// vLLM's max-length rule and the tokenLimitations split.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deriveContextLength, splitTokenLimitations, textToImageTokenLimitations } from '../../../src/domain/import/context-length.js';
import { ModelValidationError } from '../../../src/domain/import/model-validation-error.js';

const len = (c: Record<string, unknown>) => deriveContextLength(c).contextLength;

describe('deriveContextLength (vLLM _get_and_verify_max_len)', () => {
  it('takes max_position_embeddings, and the minimum over all keys present', () => {
    assert.equal(len({ max_position_embeddings: 4096 }), 4096);
    assert.equal(len({ n_positions: 1024 }), 1024);
    assert.equal(len({ seq_length: 32768 }), 32768);
    const r = deriveContextLength({ max_position_embeddings: 8192, seq_length: 4096, model_max_length: 16384 });
    assert.equal(r.contextLength, 4096);
    assert.equal(r.sourceKey, 'seq_length');
    assert.deepEqual(r.warnings, []);
  });

  it('skips null keys, rejects non-numeric ones', () => {
    assert.equal(len({ max_position_embeddings: 2048, max_seq_len: null }), 2048);
    assert.throws(() => len({ max_position_embeddings: '4096' }), /config\.json max_position_embeddings must be a positive number, got "4096"/);
  });

  it('defaults to 2048 with a warning when no key is present', () => {
    const r = deriveContextLength({ hidden_size: 16 });
    assert.equal(r.contextLength, 2048);
    assert.equal(r.sourceKey, null);
    assert.match(r.warnings[0] ?? '', /none of max_position_embeddings, n_positions, .* assuming a context length of 2048 tokens as vLLM does/);
  });

  it('multiplies by rope_scaling.factor (linear, dynamic; legacy "type" or "rope_type")', () => {
    assert.equal(len({ max_position_embeddings: 4096, rope_scaling: { type: 'linear', factor: 2.0 } }), 8192);
    assert.equal(len({ max_position_embeddings: 4096, rope_scaling: { rope_type: 'dynamic', factor: 1.5 } }), 6144);
  });

  it('does not scale su, longrope or llama3 (their max_position_embeddings is already the long one)', () => {
    assert.equal(len({ max_position_embeddings: 131072, rope_scaling: { rope_type: 'llama3', factor: 8.0, original_max_position_embeddings: 8192 } }), 131072);
    assert.equal(len({ max_position_embeddings: 131072, rope_scaling: { type: 'longrope', short_factor: [1], long_factor: [1] } }), 131072);
    assert.equal(len({ max_position_embeddings: 131072, rope_scaling: { type: 'su', short_factor: [1], long_factor: [1] } }), 131072);
  });

  it('starts yarn from original_max_position_embeddings', () => {
    assert.equal(len({ max_position_embeddings: 32768, rope_scaling: { type: 'yarn', factor: 4.0, original_max_position_embeddings: 32768 } }), 131072);
    assert.equal(len({ max_position_embeddings: 163840, rope_scaling: { type: 'yarn', factor: 40, original_max_position_embeddings: 4096 } }), 163840);
    assert.throws(() => len({ max_position_embeddings: 4096, rope_scaling: { type: 'yarn', factor: 4 } }), /rope_scaling of type 'yarn' needs "original_max_position_embeddings"/);
  });

  it('treats mrope without factor as 1 and rejects other scalings without a factor', () => {
    assert.equal(len({ max_position_embeddings: 32768, rope_scaling: { type: 'mrope', mrope_section: [16, 24, 24] } }), 32768);
    assert.throws(() => len({ max_position_embeddings: 4096, rope_scaling: { type: 'linear' } }), (e: Error) => e instanceof ModelValidationError && /rope_scaling of type 'linear' needs a positive numeric "factor"/.test(e.message));
    assert.throws(() => len({ max_position_embeddings: 4096, rope_scaling: { factor: 2 } }), /rope_scaling has neither "rope_type" nor "type"/);
  });

  it('reads text_config for multimodal configs', () => {
    assert.equal(len({ max_position_embeddings: 999999, text_config: { max_position_embeddings: 4096 } }), 4096);
  });

  it('floors fractional results', () => {
    assert.equal(len({ max_position_embeddings: 1000, rope_scaling: { type: 'linear', factor: 1.5555 } }), 1555);
  });
});

describe('splitTokenLimitations', () => {
  it('gives a quarter of the window to output, capped at 4096; the rest to input; 4 characters per input token', () => {
    assert.deepEqual(splitTokenLimitations(4096), { trivial: { inputTokens: 3072, outputTokens: 1024, characterLimit: 12288 } });
    assert.deepEqual(splitTokenLimitations(8192), { trivial: { inputTokens: 6144, outputTokens: 2048, characterLimit: 24576 } });
    assert.deepEqual(splitTokenLimitations(131072), { trivial: { inputTokens: 126976, outputTokens: 4096, characterLimit: 507904 } });
    assert.deepEqual(splitTokenLimitations(2048), { trivial: { inputTokens: 1536, outputTokens: 512, characterLimit: 6144 } });
  });

  it('never exceeds the window and keeps at least one output token', () => {
    for (const ctx of [2, 3, 7, 100, 16383, 16384, 16385, 1 << 20]) {
      const t = splitTokenLimitations(ctx).trivial;
      assert.equal(t.inputTokens + t.outputTokens, ctx);
      assert.ok(t.outputTokens >= 1 && t.outputTokens <= 4096);
    }
    assert.throws(() => splitTokenLimitations(1), /too small/);
  });

  it('text-to-image: CLIP window in, nothing out, 1024 characters', () => {
    assert.deepEqual(textToImageTokenLimitations(77), { trivial: { inputTokens: 77, outputTokens: 0, characterLimit: 1024 } });
  });
});
