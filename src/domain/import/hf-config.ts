// config.json of a Hugging Face model: the keys every loader relies on. Transformers resolves the
// config class from `model_type`; vLLM and Transformers pick the model class from `architectures`.
import { parseJsonObject } from './json-file.js';
import { ModelValidationError } from './model-validation-error.js';
import { reason as coded } from './failure-codes.js';

export interface HfConfig {
  raw: Record<string, unknown>;
  architectures: string[];
  modelType: string;
  /** e.g. 'bfloat16', as written by save_pretrained. */
  torchDtype?: string;
  transformersVersion?: string;
  /** Present when the checkpoint is already quantized (GPTQ, AWQ, bitsandbytes, fp8, ...). */
  quantizationConfig?: Record<string, unknown>;
  isEncoderDecoder: boolean;
  /** Custom-code classes (`trust_remote_code`): auto class → 'module.Class' (or [slow, fast]). */
  autoMap?: Record<string, unknown>;
}

export function parseHfConfig(doc: Buffer | Record<string, unknown>, name = 'config.json'): HfConfig {
  return validateHfConfig(Buffer.isBuffer(doc) ? parseJsonObject(doc, name) : doc, name);
}

export function validateHfConfig(raw: Record<string, unknown>, name = 'config.json'): HfConfig {
  const fail = (reason: string): never => {
    throw new ModelValidationError(`${name} ${reason}`, name, coded('InvalidConfig', { file: name, detail: reason }));
  };
  const archs = raw.architectures;
  if (archs === undefined || archs === null) {
    fail(`has no "architectures" list; Transformers and vLLM choose the model class from it (e.g. "architectures": ["LlamaForCausalLM"])`);
  }
  if (!Array.isArray(archs)) fail(`"architectures" must be a list of class names, got ${JSON.stringify(archs)}`);
  const list = archs as unknown[];
  if (list.length === 0) fail(`"architectures" is empty; it must name the model class (e.g. ["LlamaForCausalLM"])`);
  if (!list.every((a) => typeof a === 'string' && a.length > 0)) {
    fail(`"architectures" must contain only non-empty strings, got ${JSON.stringify(archs)}`);
  }
  const modelType = raw.model_type;
  if (typeof modelType !== 'string' || modelType === '') {
    fail(`has no "model_type" string; Transformers needs it to pick the config class (e.g. "model_type": "llama")`);
  }
  const cfg: HfConfig = {
    raw,
    architectures: list as string[],
    modelType: modelType as string,
    isEncoderDecoder: raw.is_encoder_decoder === true,
  };
  if (typeof raw.torch_dtype === 'string') cfg.torchDtype = raw.torch_dtype;
  else if (typeof raw.dtype === 'string') cfg.torchDtype = raw.dtype; // transformers ≥ 4.56 spelling
  if (typeof raw.transformers_version === 'string') cfg.transformersVersion = raw.transformers_version;
  const q = raw.quantization_config;
  if (q !== undefined && q !== null) {
    if (typeof q !== 'object' || Array.isArray(q)) fail(`"quantization_config" must be an object, got ${JSON.stringify(q)}`);
    cfg.quantizationConfig = q as Record<string, unknown>;
  }
  const autoMap = raw.auto_map;
  if (autoMap !== undefined && autoMap !== null && typeof autoMap === 'object' && !Array.isArray(autoMap)) {
    cfg.autoMap = autoMap as Record<string, unknown>;
  }
  return cfg;
}

/** torch dtype name → safetensors dtype name. */
export function torchDtypeToSafetensors(torchDtype: string | undefined): string | null {
  switch (torchDtype?.replace(/^torch\./, '')) {
    case 'float16':
    case 'half':
      return 'F16';
    case 'bfloat16':
      return 'BF16';
    case 'float32':
    case 'float':
      return 'F32';
    case 'float64':
      return 'F64';
    case 'int8':
      return 'I8';
    case 'uint8':
      return 'U8';
    default:
      return null;
  }
}

/**
 * Python module files a custom-code config needs (auto_map 'modeling_x.Class' → 'modeling_x.py').
 * References to other repos ('org/repo--module.Class') are returned separately: they cannot be checked here.
 */
export function autoMapModules(autoMap: Record<string, unknown>): { local: string[]; remote: string[] } {
  const local = new Set<string>();
  const remote = new Set<string>();
  const visit = (v: unknown) => {
    if (typeof v === 'string') {
      if (v.includes('--')) remote.add(v);
      else {
        const dot = v.lastIndexOf('.');
        if (dot > 0) local.add(`${v.slice(0, dot).replace(/\./g, '/')}.py`);
      }
    } else if (Array.isArray(v)) v.forEach(visit);
  };
  Object.values(autoMap).forEach(visit);
  return { local: [...local].sort(), remote: [...remote].sort() };
}
