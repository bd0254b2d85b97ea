// What each supported vLLM version can serve with --enable-lora, as data:
//  * the largest rank: LoRAConfig.__post_init__'s `possible_max_ranks` in vllm/config.py —
//    (8, 16, 32, 64) in 0.3.x-0.4.0 ("Keep this in sync with csrc/punica/bgmv/bgmv_config.h"),
//    (8, 16, 32, 64, 128, 256) by 0.6 ("Setting the maximum rank to 256 should be able to satisfy
//    the vast majority of applications"); from stored copies of vllm/config.py at those versions;
//  * which architectures have LoRA layers and which PEFT module names they accept: each model
//    class's `supported_lora_modules` + `packed_modules_mapping` (qkv_proj ← q_proj/k_proj/v_proj,
//    gate_up_proj ← gate_proj/up_proj) in vllm/model_executor/models/<model>.py. Llama, Mistral and
//    Mixtral have LoRA since multi-LoRA serving landed (0.3.0); the other rows are from memory of
//    those files' history [mem] and may lag a release.
// vLLM refuses other modules when loading the adapter ("While loading …, expected target modules
// in … but received …"), and a rank above --max-lora-rank's allowed values cannot be served at all.
import { ModelValidationError } from './model-validation-error.js';
import type { AdapterInspection } from './peft-adapter.js';
import { rankOf } from './peft-adapter.js';
import type { VllmVersion } from '../catalogue/engines.js';

const LLAMA_MODULES = ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj', 'embed_tokens', 'lm_head'];
const MIXTRAL_MODULES = ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'embed_tokens', 'lm_head'];
const GEMMA_MODULES = ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'];
const BAICHUAN_MODULES = ['W_pack', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'];
const CHATGLM_MODULES = ['query_key_value', 'dense', 'dense_h_to_4h', 'dense_4h_to_h'];
const PHI_MODULES = ['q_proj', 'k_proj', 'v_proj', 'fc1', 'fc2', 'dense', 'embed_tokens', 'lm_head'];
const PHI3_MODULES = ['qkv_proj', 'o_proj', 'gate_up_proj', 'down_proj', 'embed_tokens', 'lm_head'];
const GPT_BIGCODE_MODULES = ['c_attn', 'c_proj', 'c_fc', 'wte', 'lm_head'];

const V0_3_2: Record<string, readonly string[]> = {
  LlamaForCausalLM: LLAMA_MODULES,
  LLaMAForCausalLM: LLAMA_MODULES,
  MistralForCausalLM: LLAMA_MODULES,
  MixtralForCausalLM: MIXTRAL_MODULES,
  GemmaForCausalLM: GEMMA_MODULES, // [mem] Gemma arrived in 0.3.2 with its LoRA layers
};

const V0_4_0: Record<string, readonly string[]> = {
  ...V0_3_2,
  Qwen2ForCausalLM: LLAMA_MODULES, // [mem]
  BaichuanForCausalLM: BAICHUAN_MODULES, // [mem]
  BaiChuanForCausalLM: BAICHUAN_MODULES, // [mem]
  ChatGLMModel: CHATGLM_MODULES, // [mem]
  ChatGLMForConditionalGeneration: CHATGLM_MODULES, // [mem]
};

const V0_6_3: Record<string, readonly string[]> = {
  ...V0_4_0,
  PhiForCausalLM: PHI_MODULES, // [mem]
  Phi3ForCausalLM: PHI3_MODULES, // [mem]
  GPTBigCodeForCausalLM: GPT_BIGCODE_MODULES, // [mem]
  Gemma2ForCausalLM: GEMMA_MODULES, // [mem]
  Qwen2MoeForCausalLM: MIXTRAL_MODULES, // [mem]
  InternLM2ForCausalLM: ['wqkv', 'wo', 'w1', 'w2', 'w3'], // [mem]
  MiniCPMForCausalLM: LLAMA_MODULES, // [mem]
  GraniteForCausalLM: LLAMA_MODULES, // [mem]
  ExaoneForCausalLM: ['c_attn', 'c_proj', 'c_fc_0', 'c_fc_1', 'wte', 'lm_head'], // [mem]
  NemotronForCausalLM: ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'up_proj', 'down_proj', 'embed_tokens', 'lm_head'], // [mem]
  SolarForCausalLM: LLAMA_MODULES, // [mem]
};

export interface VllmLoraSupport {
  maxRank: number;
  /** Architecture → PEFT module names vLLM can apply LoRA to. */
  architectures: Readonly<Record<string, readonly string[]>>;
}

export const VLLM_LORA: Readonly<Record<VllmVersion, VllmLoraSupport>> = {
  '0.3.2': { maxRank: 64, architectures: V0_3_2 },
  '0.4.0': { maxRank: 64, architectures: V0_4_0 },
  '0.6.3': { maxRank: 256, architectures: V0_6_3 },
};

/**
 * Fails when vLLM `version` cannot serve the adapter: rank above its maximum, DoRA (not in these
 * versions), an architecture without LoRA layers, a module it cannot adapt. `architecture` is the
 * base's, or null when the base is only named outside the registry (then only the rank is checked
 * and a warning says so).
 */
export function checkVllmLora(version: VllmVersion, architecture: string | null, adapter: AdapterInspection): string[] {
  const support = VLLM_LORA[version];
  const { config } = adapter;
  const ranks = new Set([config.r, ...adapter.tensors.map((t) => rankOf(config, t.module))]);
  const rank = Math.max(...ranks);
  if (rank > support.maxRank) {
    throw new ModelValidationError(
      `LoRA rank ${rank} exceeds vLLM ${version}'s maximum --max-lora-rank of ${support.maxRank}; retrain with r <= ${support.maxRank} or import for a newer vLLMVersion`,
      'adapter_config.json',
    );
  }
  if (config.useDora) throw new ModelValidationError(`adapter_config.json has use_dora: vLLM ${version} serves plain LoRA adapters only, not DoRA`, 'adapter_config.json');
  if (architecture === null) {
    return [`the base is not in the registry, so vLLM ${version}'s LoRA support for its architecture and modules was not checked (only the rank, ${rank} <= ${support.maxRank})`];
  }
  const modules = support.architectures[architecture];
  if (!modules) {
    const known = Object.keys(support.architectures).sort();
    throw new ModelValidationError(`vLLM ${version} has no LoRA support for architecture ${architecture} (the base's); architectures with LoRA in ${version}: ${known.join(', ')}`);
  }
  const used = new Set(adapter.tensors.filter((t) => t.role !== 'saved').map((t) => t.module.slice(t.module.lastIndexOf('.') + 1)));
  const unsupported = [...used].filter((m) => !modules.includes(m)).sort();
  if (unsupported.length > 0) {
    throw new ModelValidationError(
      `vLLM ${version} cannot apply LoRA to module(s) ${unsupported.join(', ')} of ${architecture}; its LoRA modules are ${modules.join(', ')}`,
      'adapter_config.json',
    );
  }
  const warnings: string[] = [];
  if (config.modulesToSave.length > 0) warnings.push(`vLLM ${version} does not load modules_to_save (${config.modulesToSave.join(', ')}): those layers are served as the base has them`);
  return warnings;
}

/** The smallest --max-lora-rank value vLLM accepts that serves rank `r` (its allowed values are powers of two from 8). */
export function vllmMaxLoraRank(r: number): number {
  let v = 8;
  while (v < r) v *= 2;
  return v;
}
