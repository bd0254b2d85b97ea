// Result shapes of a model inspection; field names follow Qianfan's DescribeModel where they map onto it.
import type { ModelKind } from '../catalogue/formats.js';
import type { AdapterInspection } from './peft-adapter.js';

export interface InspectedFile {
  /** Path relative to the import's objectPath, '/'-separated. */
  path: string;
  size: number;
  /** Lower-case hex sha256 of the bytes actually read. */
  sha256: string;
  etag?: string;
}

export interface TokenLimitations {
  trivial: { inputTokens: number; outputTokens: number; characterLimit: number };
}

export type CompStrategy = 'Quantization' | 'Sparsity';
export type QuantizationWeight = 'W8A8C4' | 'W8A8C8' | 'W8A8C16' | 'W8A16C16' | 'W4A16C16';

export interface ModelCompConfig {
  strategy: CompStrategy;
  sparsityRatio?: number;
  weight?: QuantizationWeight;
}

export interface ModelCapabilities {
  isSupportDeploy: boolean;
  isSupportModelComp: boolean;
  isSupportEvaluation: boolean;
  modelCompConfigs: ModelCompConfig[];
}

/** How the weights are stored. */
export type WeightFormat =
  | 'safetensors' // one model.safetensors
  | 'safetensors-sharded' // model.safetensors.index.json + shards
  | 'pytorch-pickle' // pytorch_model*.bin: accepted, not inspectable
  | 'diffusers' // text-to-image pipeline directory (model_index.json)
  | 'single-file'; // one text-to-image .safetensors checkpoint

export type { ModelKind };

export interface ModelInspection {
  /** Every object under objectPath, in listing order, each read exactly once. */
  files: InspectedFile[];
  totalBytes: number;
  /**
   * LLMs: the config.json architecture the engine accepted (architectures[0] for Transformers).
   * Text-to-image: the diffusers pipeline class (model_index.json `_class_name`, or the class matching
   * the detected family for a single-file checkpoint).
   */
  architecture: string;
  /** LLMs: config.json model_type. Text-to-image: 'diffusers' or 'single-file'. */
  modelType: string;
  kind: ModelKind;
  weightFormat: WeightFormat;
  /** Sum of prod(shape) over the weight tensors; null when the weights are pickle (.bin). */
  parameterCount: number | null;
  /** Dominant weight dtype in safetensors spelling (BF16, F16, F32, I8, ...); null if unknown. */
  dtype: string | null;
  /** Parameters per safetensors dtype. */
  dtypes: Record<string, number>;
  contextLength: number;
  tokenLimitations: TokenLimitations;
  /** config.json transformers_version, when present. */
  transformersVersion?: string;
  /** config.json quantization_config.quant_method, when the weights are already quantized. */
  quantization?: string;
  chatTemplate?: string;
  chatTemplatePreview?: string;
  /** Text-to-image family, diffusers' names: v1, v2, xl_base, xl_refiner, sd3, flux, ... */
  family?: string;
  capabilities: ModelCapabilities;
  warnings: string[];
  /** Safetensors weights: tensor name → shape (what adapters bound to this model are checked against). */
  tensorShapes?: Record<string, number[]>;
  /** Set when the files are a PEFT adapter (peft-adapter.ts) rather than a full model. */
  adapter?: AdapterInspection;
}
