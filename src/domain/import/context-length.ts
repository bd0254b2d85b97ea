// Context length of a Hugging Face LLM and its split into Qianfan tokenLimitations.
//
// Context length follows vLLM's `_get_and_verify_max_len` (vllm/config.py, 0.4–0.6), so the registry
// agrees with what the engine will enforce:
//  * on the text config (`text_config` when present, as vLLM's get_hf_text_config does), take the
//    MINIMUM over the keys present among MAX_LEN_KEYS;
//  * none present → 2048, with a warning;
//  * rope_scaling whose type (rope_type, or legacy type) is not su/longrope/llama3 multiplies by
//    `factor`; for yarn the base is `original_max_position_embeddings`; mrope (mrope_section) and
//    'default' without a factor count as factor 1.
import { ModelValidationError } from './model-validation-error.js';
import { reason as coded } from './failure-codes.js';
import type { TokenLimitations } from './types.js';

export const DEFAULT_MAX_LEN = 2048;

export const MAX_LEN_KEYS = [
  'max_position_embeddings', // OPT, Llama, most
  'n_positions', // GPT-2
  'max_seq_len', // MPT
  'seq_length', // ChatGLM2
  'model_max_length', // Command-R
  'max_sequence_length',
  'max_seq_length',
  'seq_len',
] as const;

/** rope types whose long context is already reflected in max_position_embeddings. */
const ROPE_TYPES_WITHOUT_SCALING = new Set(['su', 'longrope', 'llama3']);

export interface ContextLength {
  contextLength: number;
  /** The key that gave the minimum, or null when the 2048 default was used. */
  sourceKey: string | null;
  ropeScaling?: { type: string; factor: number };
  warnings: string[];
}

export function deriveContextLength(config: Record<string, unknown>, name = 'config.json'): ContextLength {
  const fail = (reason: string): never => {
    throw new ModelValidationError(`${name} ${reason}`, name, coded('InvalidConfig', { file: name, detail: reason }));
  };
  const tc = config.text_config;
  const text = tc && typeof tc === 'object' && !Array.isArray(tc) ? (tc as Record<string, unknown>) : config;
  const where = text === config ? '' : 'text_config.';
  const warnings: string[] = [];

  let len = Infinity;
  let sourceKey: string | null = null;
  for (const key of MAX_LEN_KEYS) {
    const v = text[key];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
      fail(`${where}${key} must be a positive number, got ${JSON.stringify(v)}`);
    }
    if ((v as number) < len) {
      len = v as number;
      sourceKey = key;
    }
  }
  if (sourceKey === null) {
    len = DEFAULT_MAX_LEN;
    warnings.push(
      `${name} has none of ${MAX_LEN_KEYS.join(', ')}; assuming a context length of ${DEFAULT_MAX_LEN} tokens as vLLM does`,
    );
  }

  const out: ContextLength = { contextLength: 0, sourceKey, warnings };
  const rs = text.rope_scaling;
  if (rs !== undefined && rs !== null) {
    if (typeof rs !== 'object' || Array.isArray(rs)) fail(`${where}rope_scaling must be an object, got ${JSON.stringify(rs)}`);
    const r = rs as Record<string, unknown>;
    const type = typeof r.rope_type === 'string' ? r.rope_type : typeof r.type === 'string' ? r.type : null;
    if (type === null) fail(`${where}rope_scaling has neither "rope_type" nor "type"`);
    const t = type as string;
    if (!ROPE_TYPES_WITHOUT_SCALING.has(t)) {
      let factor: number;
      if (typeof r.factor === 'number' && Number.isFinite(r.factor) && r.factor > 0) factor = r.factor;
      else if (r.factor === undefined && ('mrope_section' in r || t === 'default' || t === 'mrope')) factor = 1;
      else return fail(`${where}rope_scaling of type '${t}' needs a positive numeric "factor", got ${JSON.stringify(r.factor)}`);
      if (t === 'yarn') {
        const orig = r.original_max_position_embeddings;
        if (typeof orig !== 'number' || !(orig > 0)) {
          fail(`${where}rope_scaling of type 'yarn' needs "original_max_position_embeddings", got ${JSON.stringify(orig)}`);
        }
        len = orig as number;
      }
      len *= factor;
      out.ropeScaling = { type: t, factor };
    }
  }
  out.contextLength = Math.floor(len);
  return out;
}

/**
 * Qianfan tokenLimitations for a context of `contextLength` tokens (prompt + completion share it):
 *
 *  * outputTokens = min(4096, floor(ctx / 4)): a quarter of the window, capped at 4096. This matches
 *    Qianfan's own presets (8K models allow 2048 output tokens, 128K models 4096) and leaves at least
 *    three quarters for the prompt, which in chat carries the whole history.
 *  * inputTokens = ctx − outputTokens, so input + output never exceeds what the engine accepts.
 *  * characterLimit = inputTokens × 4. It is a cheap pre-tokenization gate, so it must not reject a
 *    prompt that would fit: BPE vocabularies average ~4 characters per token on English and ~1–1.5 on
 *    Chinese, so 4 covers mixed text; Qianfan pairs its ERNIE 8K limits the same way (20000
 *    characters for 5120 input tokens ≈ 3.9). The token count stays the authoritative limit.
 */
export const MAX_OUTPUT_TOKENS = 4096;
export const CHARS_PER_TOKEN = 4;

export function splitTokenLimitations(contextLength: number): TokenLimitations {
  if (!Number.isSafeInteger(contextLength) || contextLength < 2) {
    throw new ModelValidationError(`the model's context length of ${contextLength} tokens is too small to serve (need at least 2)`, undefined, coded('ContextTooSmall', { contextLength }));
  }
  const outputTokens = Math.max(1, Math.min(MAX_OUTPUT_TOKENS, Math.floor(contextLength / 4)));
  const inputTokens = contextLength - outputTokens;
  return { trivial: { inputTokens, outputTokens, characterLimit: inputTokens * CHARS_PER_TOKEN } };
}

/**
 * Text-to-image prompts: CLIP text encoders read `contextLength` tokens (77) and truncate the rest;
 * there is no text output; Qianfan's own SDXL API caps prompts at 1024 characters.
 */
export const TEXT_TO_IMAGE_CHARACTER_LIMIT = 1024;

export function textToImageTokenLimitations(contextLength: number): TokenLimitations {
  return { trivial: { inputTokens: contextLength, outputTokens: 0, characterLimit: TEXT_TO_IMAGE_CHARACTER_LIMIT } };
}
