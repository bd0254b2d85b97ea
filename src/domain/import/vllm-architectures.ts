// Which config.json `architectures` each supported vLLM version can load, as data.
// Source: /work/shared/reference/vllm-architectures.md (vLLM's model registry at those versions:
// `_MODELS` in vllm/model_executor/models/__init__.py for 0.3–0.4, the per-task dicts of
// vllm/model_executor/models/registry.py for 0.6). vLLM accepts a config when ANY of its
// architectures is registered, and fails with
//   "Model architectures ['X'] are not supported for now. Supported architectures: [...]"
// which checkVllmArchitecture mirrors, naming the version instead of "for now".
// The versions are the catalogue's (domain/catalogue/engines.ts): the Record below must name each.
import { isVllmVersion, VLLM_VERSIONS, type VllmVersion } from '../catalogue/engines.js';
import { ModelValidationError } from './model-validation-error.js';
import { reason } from './failure-codes.js';

export type VllmTask = 'generate' | 'embedding' | 'multimodal' | 'speculative';

// vLLM 0.4.0 (confirmed: 0.4.0.post1 `__init__.py`, minus the fork-only
// AutoModelForCausalLMWithValueHead; Cohere, DBRX, DeciLM also match the 0.4.0.post1 docs).
// Not yet in 0.4.0: MiniCPMForCausalLM, Phi3ForCausalLM, ArcticForCausalLM (0.4.1+ [from memory]).
const V0_4_0_GENERATE = [
  'AquilaModel', 'AquilaForCausalLM', 'BaiChuanForCausalLM', 'BaichuanForCausalLM', 'BloomForCausalLM',
  'ChatGLMModel', 'ChatGLMForConditionalGeneration', 'CohereForCausalLM', 'DbrxForCausalLM', 'DeciLMForCausalLM',
  'DeepseekForCausalLM', 'FalconForCausalLM', 'GemmaForCausalLM', 'GPT2LMHeadModel', 'GPTBigCodeForCausalLM',
  'GPTJForCausalLM', 'GPTNeoXForCausalLM', 'InternLMForCausalLM', 'InternLM2ForCausalLM', 'JAISLMHeadModel',
  'LlamaForCausalLM', 'LlavaForConditionalGeneration', 'LLaMAForCausalLM', 'MistralForCausalLM',
  'MixtralForCausalLM', 'QuantMixtralForCausalLM', 'MptForCausalLM', 'MPTForCausalLM', 'OLMoForCausalLM',
  'OPTForCausalLM', 'OrionForCausalLM', 'PhiForCausalLM', 'QWenLMHeadModel', 'Qwen2ForCausalLM',
  'Qwen2MoeForCausalLM', 'RWForCausalLM', 'StableLMEpochForCausalLM', 'StableLmForCausalLM',
  'Starcoder2ForCausalLM', 'XverseForCausalLM',
];

// vLLM 0.3.2 (approximate), written as 0.4.0's table without what came later, so a name both load
// is written once. The confirmed base is vllm-project/vllm commit 0109fd26 (just before 0.3.2, 29
// names), plus GemmaForCausalLM and OLMoForCausalLM, added in 0.3.2 per its release notes ("Gemma and
// OLMo support") [from memory], listed last. OrionForCausalLM and StableLmForCausalLM count as later:
// seen only in a mid-March-2024 snapshot that also has 0.3.3/0.4.0 additions (≥ 0.3.3 unless verified).
const ADDED_AFTER_0_3_2: ReadonlySet<string> = new Set([
  'CohereForCausalLM', 'DbrxForCausalLM', 'JAISLMHeadModel', 'LlavaForConditionalGeneration', 'OrionForCausalLM',
  'Qwen2MoeForCausalLM', 'StableLmForCausalLM', 'Starcoder2ForCausalLM', 'XverseForCausalLM',
]);
const ADDED_IN_0_3_2 = ['GemmaForCausalLM', 'OLMoForCausalLM'];
const V0_3_2_GENERATE = [...V0_4_0_GENERATE.filter((a) => !ADDED_AFTER_0_3_2.has(a) && !ADDED_IN_0_3_2.includes(a)), ...ADDED_IN_0_3_2];

// vLLM 0.6.3 (near-exact: a fork's registry.py from early Oct 2024, with NVLM_D (added just before
// 0.6.3) but not Molmo; matches the v0.6.3 docs on Bart, DeepseekV2 and Exaone).
// Uncertain: MolmoForCausalLM may be in 0.6.3 itself (left out). By 0.6 OLMoForCausalLM was renamed
// OlmoForCausalLM, and QWenLMHeadModel moved to the multimodal table (it still generates text).
const V0_6_3_GENERATE = [
  'AquilaModel', 'AquilaForCausalLM', 'ArcticForCausalLM', 'BaiChuanForCausalLM', 'BaichuanForCausalLM',
  'BloomForCausalLM', 'ChatGLMModel', 'ChatGLMForConditionalGeneration', 'CohereForCausalLM', 'DbrxForCausalLM',
  'DeciLMForCausalLM', 'DeepseekForCausalLM', 'DeepseekV2ForCausalLM', 'ExaoneForCausalLM', 'FalconForCausalLM',
  'GemmaForCausalLM', 'Gemma2ForCausalLM', 'GPT2LMHeadModel', 'GPTBigCodeForCausalLM', 'GPTJForCausalLM',
  'GPTNeoXForCausalLM', 'GraniteForCausalLM', 'GraniteMoeForCausalLM', 'InternLMForCausalLM',
  'InternLM2ForCausalLM', 'JAISLMHeadModel', 'JambaForCausalLM', 'LlamaForCausalLM', 'LLaMAForCausalLM',
  'MistralForCausalLM', 'MixtralForCausalLM', 'QuantMixtralForCausalLM', 'MptForCausalLM', 'MPTForCausalLM',
  'MiniCPMForCausalLM', 'MiniCPM3ForCausalLM', 'NemotronForCausalLM', 'OlmoForCausalLM', 'OlmoeForCausalLM',
  'OPTForCausalLM', 'OrionForCausalLM', 'PersimmonForCausalLM', 'PhiForCausalLM', 'Phi3ForCausalLM',
  'Phi3SmallForCausalLM', 'PhiMoEForCausalLM', 'Qwen2ForCausalLM', 'Qwen2MoeForCausalLM', 'RWForCausalLM',
  'StableLMEpochForCausalLM', 'StableLmForCausalLM', 'Starcoder2ForCausalLM', 'SolarForCausalLM',
  'XverseForCausalLM', 'BartModel', 'BartForConditionalGeneration',
];
const V0_6_3_EMBEDDING = ['MistralModel', 'Qwen2ForRewardModel', 'Gemma2Model'];
const V0_6_3_MULTIMODAL = [
  'Blip2ForConditionalGeneration', 'ChameleonForConditionalGeneration', 'FuyuForCausalLM', 'InternVLChatModel',
  'LlavaForConditionalGeneration', 'LlavaNextForConditionalGeneration', 'LlavaNextVideoForConditionalGeneration',
  'LlavaOnevisionForConditionalGeneration', 'MiniCPMV', 'NVLM_D', 'PaliGemmaForConditionalGeneration',
  'Phi3VForCausalLM', 'PixtralForConditionalGeneration', 'QWenLMHeadModel', 'Qwen2VLForConditionalGeneration',
  'UltravoxModel', 'MllamaForConditionalGeneration',
];
const V0_6_3_SPECULATIVE = ['EAGLEModel', 'MedusaModel', 'MLPSpeculatorPreTrainedModel'];

function table(entries: Array<[VllmTask, string[]]>): ReadonlyMap<string, VllmTask> {
  const m = new Map<string, VllmTask>();
  for (const [task, names] of entries) for (const n of names) if (!m.has(n)) m.set(n, task);
  return m;
}

/** Architecture → task, per vLLM version. 0.3–0.4 had one `_MODELS` dict: everything generates. */
export const VLLM_ARCHITECTURES: Readonly<Record<VllmVersion, ReadonlyMap<string, VllmTask>>> = {
  '0.3.2': table([['generate', V0_3_2_GENERATE]]),
  '0.4.0': table([['generate', V0_4_0_GENERATE]]),
  '0.6.3': table([
    ['generate', V0_6_3_GENERATE],
    ['multimodal', V0_6_3_MULTIMODAL],
    ['embedding', V0_6_3_EMBEDDING],
    ['speculative', V0_6_3_SPECULATIVE],
  ]),
};

/** The table lookup's guard: a version the request rules accepted is always there. */
function assertVllmVersion(v: string): VllmVersion {
  if (!isVllmVersion(v)) {
    throw new ModelValidationError(`vLLMVersion '${v}' is not supported; choose one of ${VLLM_VERSIONS.join(', ')}`, undefined, reason('UnsupportedVllmVersion', { version: v, supported: VLLM_VERSIONS }));
  }
  return v;
}

/** Tasks that serve chat/completion: plain text generation and multimodal LMs (text in, text out). */
const TEXT_TASKS: ReadonlySet<VllmTask> = new Set(['generate', 'multimodal']);

/** True when any vLLM version in the table generates text with this architecture. */
export function isKnownTextGenerationArchitecture(arch: string): boolean {
  return VLLM_VERSIONS.some((v) => TEXT_TASKS.has(VLLM_ARCHITECTURES[v].get(arch) as VllmTask));
}

/**
 * Returns the first of `architectures` that `version` can load for text generation; otherwise fails
 * in vLLM's own words, plus which versions would load it and close spellings.
 */
export function checkVllmArchitecture(version: string, architectures: string | readonly string[]): string {
  const v = assertVllmVersion(version);
  const archs = typeof architectures === 'string' ? [architectures] : [...architectures];
  const reg = VLLM_ARCHITECTURES[v];
  const ok = archs.find((a) => TEXT_TASKS.has(reg.get(a) as VllmTask));
  if (ok) return ok;

  const hints: string[] = [];
  for (const a of archs) {
    const task = reg.get(a);
    if (task) {
      hints.push(`vLLM ${v} registers ${a} only as ${task === 'embedding' ? 'an embedding model' : 'a speculative-decoding draft model'}, which cannot serve chat or completion`);
      continue;
    }
    const others = VLLM_VERSIONS.filter((o) => TEXT_TASKS.has(VLLM_ARCHITECTURES[o].get(a) as VllmTask));
    if (others.length > 0) {
      const later = others.filter((o) => compareVllm(o, v) > 0);
      if (later.length === others.length) hints.push(`${a} is supported from vLLM ${later[0]} on; choose vLLMVersion ${later[0]}`);
      else hints.push(`${a} is supported by vLLM ${others.join(', ')}; choose one of those vLLMVersions`);
    }
    // Renames such as OLMoForCausalLM → OlmoForCausalLM differ only in case.
    const near = [...reg.keys()].find((k) => k !== a && k.toLowerCase() === a.toLowerCase());
    if (near) hints.push(`vLLM ${v} spells it '${near}'; update config.json "architectures"`);
  }
  const supported = [...reg.entries()].filter(([, t]) => TEXT_TASKS.has(t)).map(([k]) => k);
  const hint = hints.length > 0 ? ` (${hints.join('; ')})` : '';
  throw new ModelValidationError(
    `Model architectures ${pyList(archs)} are not supported by vLLM ${v}${hint}. Supported architectures: ${pyList(supported)}`,
    'config.json',
    reason('UnsupportedArchitecture', { architecture: archs, engine: 'vLLM', version: v }),
  );
}

function compareVllm(a: VllmVersion, b: VllmVersion): number {
  return VLLM_VERSIONS.indexOf(a) - VLLM_VERSIONS.indexOf(b);
}

/** Python's repr of a list of strings, as vLLM prints it. */
const pyList = (xs: readonly string[]) => `[${xs.map((x) => `'${x}'`).join(', ')}]`;
