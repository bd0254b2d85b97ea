// The serving engines a HuggingFace import or checkpoint may name, and their versions: the one
// list every reader uses (request rules, import file checks, training reports, CLI, console).
// The seed's parameter table lists transformers 4.34.0/4.36.2/4.39.3/4.40.2 and vLLM 0.3.2/0.4.0;
// its own examples use vLLM 0.6.3, so that is accepted too.
//
// Adding a vLLM version: append it to VLLM_VERSIONS; the typechecker then asks for its
// architecture table (domain/import/vllm-architectures.ts) and its LoRA limits
// (domain/import/vllm-lora.ts), both keyed by VllmVersion; test/unit/import/catalogue.test.ts pins the rest.

/** Oldest first: the last is the newest, the default where a version may be left out. */
export const TRANSFORMER_VERSIONS = ['4.34.0', '4.36.2', '4.39.3', '4.40.2'] as const;
export const VLLM_VERSIONS = ['0.3.2', '0.4.0', '0.6.3'] as const;

export type TransformersVersion = (typeof TRANSFORMER_VERSIONS)[number];
export type VllmVersion = (typeof VLLM_VERSIONS)[number];

export const NEWEST_TRANSFORMERS_VERSION: TransformersVersion = TRANSFORMER_VERSIONS[TRANSFORMER_VERSIONS.length - 1]!;
export const NEWEST_VLLM_VERSION: VllmVersion = VLLM_VERSIONS[VLLM_VERSIONS.length - 1]!;

export const isTransformersVersion = (v: string): v is TransformersVersion => (TRANSFORMER_VERSIONS as readonly string[]).includes(v);
export const isVllmVersion = (v: string): v is VllmVersion => (VLLM_VERSIONS as readonly string[]).includes(v);

/** An engine as a request names it: the field that carries its version, and the versions it may take. */
export interface Engine {
  name: string;
  field: 'transformerVersion' | 'vLLMVersion';
  versions: readonly string[];
}

export const ENGINES = {
  transformers: { name: 'transformers', field: 'transformerVersion', versions: TRANSFORMER_VERSIONS },
  vllm: { name: 'vLLM', field: 'vLLMVersion', versions: VLLM_VERSIONS },
} as const satisfies Record<string, Engine>;
export type EngineId = keyof typeof ENGINES;

/** advancedSettings.samplingStrategy: the decoding strategies the engines offer. */
export const SAMPLING_STRATEGIES = ['multinomialSampling', 'beamSearch', 'greedySearch'] as const;

/** A request names a version its engine does not have (`field` is the request's prefix, e.g. "importMeta."). */
export const unsupportedVersion = (field: string, e: Engine, v: string): string =>
  `${field}${e.field} "${v}" is not supported; supported: ${e.versions.join(', ')}`;
