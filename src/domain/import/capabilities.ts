// What an imported version supports (DescribeModel isSupportDeploy / isSupportModelComp /
// isSupportEvaluation / modelCompConfigs), derived from the inspected files. Only models that passed
// inspection get here, so "deployable" means the chosen engine accepts the architecture.
//
// | model                                                   | deploy | evaluate | compress | modelCompConfigs        |
// |---------------------------------------------------------|--------|----------|----------|-------------------------|
// | text causal LM, weights F16 / BF16 / F32, not quantized | yes    | yes      | yes      | W8A16C16, W4A16C16      |
// | causal LM already quantized (quantization_config, or    | yes    | yes      | no       | —                       |
// |   integer / FP8 / FP4 weights)                          |        |          |          |                         |
// | causal LM with unknown weight dtype (pickle, no         | yes    | yes      | no       | —                       |
// |   torch_dtype)                                          |        |          |          |                         |
// | multimodal LM (vLLM multimodal table: Llava, Qwen2-VL…) | yes    | yes      | no       | —                       |
// | seq2seq LM (T5, Bart)                                   | yes    | yes      | no       | —                       |
// | text-to-image (diffusers pipeline or SD checkpoint)     | yes    | no       | no       | —                       |
// | anything else (never reaches here: import fails)        | no     | no       | no       | —                       |
//
// Why: Qianfan's HF compression is weight-only quantization (W8A16C16 / W4A16C16, its documented HF
// options; W8A8* and Sparsity are ERNIE-only), which needs full-precision decoder-only weights;
// quantizing twice loses accuracy and quantizers do not handle vision towers or encoder-decoders.
// Evaluation runs prompts through the model, so it needs a text-in/text-out model.
import type { ModelCapabilities, ModelCompConfig, ModelKind } from './types.js';
import { VLLM_ARCHITECTURES } from './vllm-architectures.js';

export const FULL_PRECISION_DTYPES: ReadonlySet<string> = new Set(['F16', 'BF16', 'F32']);

export const HF_QUANTIZATION_CONFIGS: readonly ModelCompConfig[] = Object.freeze([
  { strategy: 'Quantization', weight: 'W8A16C16' },
  { strategy: 'Quantization', weight: 'W4A16C16' },
]);

export interface CapabilityInput {
  kind: ModelKind;
  /** The accepted architecture (config.json) or pipeline class. */
  architecture: string;
  /** Dominant weight dtype, safetensors spelling; null when unknown. */
  dtype: string | null;
  /** config.json has a quantization_config. */
  quantized: boolean;
  /** config.json describes a vision part (vision_config / visual). */
  multimodal?: boolean;
}

export function deriveCapabilities(input: CapabilityInput): ModelCapabilities {
  switch (input.kind) {
    case 'text-to-image':
      return caps(true, false, false);
    case 'seq2seq':
      return caps(true, true, false);
    case 'causal-lm': {
      const compressible =
        !input.quantized && input.dtype !== null && FULL_PRECISION_DTYPES.has(input.dtype) && !isMultimodal(input);
      return caps(true, true, compressible);
    }
    default:
      return caps(false, false, false);
  }
}

function caps(deploy: boolean, evaluation: boolean, comp: boolean): ModelCapabilities {
  return {
    isSupportDeploy: deploy,
    isSupportModelComp: comp,
    isSupportEvaluation: evaluation,
    modelCompConfigs: comp ? HF_QUANTIZATION_CONFIGS.map((c) => ({ ...c })) : [],
  };
}

/**
 * Multimodal per vLLM 0.6.3's multimodal table (0.3–0.4 did not separate them), except
 * QWenLMHeadModel, shared by text-only Qwen and Qwen-VL: for it the caller's config evidence decides.
 */
function isMultimodal(input: CapabilityInput): boolean {
  if (input.multimodal) return true;
  return input.architecture !== 'QWenLMHeadModel' && VLLM_ARCHITECTURES['0.6.3'].get(input.architecture) === 'multimodal';
}
