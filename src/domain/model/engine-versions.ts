// Inference engine versions a HuggingFace import may name. The seed's parameter table lists
// transformers 4.34.0/4.36.2/4.39.3/4.40.2 and vLLM 0.3.2/0.4.0; its own examples use vLLM 0.6.3,
// so that is accepted too.
export const TRANSFORMER_VERSIONS = ['4.34.0', '4.36.2', '4.39.3', '4.40.2'] as const;
export const VLLM_VERSIONS = ['0.3.2', '0.4.0', '0.6.3'] as const;

export const MODEL_FORMATS = ['HuggingFace.Transformers', 'HuggingFace.vLLM', 'Safetensors'] as const;
export const APPLICATION_TYPES = ['chat', 'completion', 'Text-to-Image'] as const;
export const SAMPLING_STRATEGIES = ['multinomialSampling', 'beamSearch', 'greedySearch'] as const;

export type ModelFormat = (typeof MODEL_FORMATS)[number];
export const isHuggingFace = (f: string): boolean => f === 'HuggingFace.Transformers' || f === 'HuggingFace.vLLM';
