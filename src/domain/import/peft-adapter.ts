// PEFT adapter directories (LoRA): adapter_config.json + adapter_model.safetensors, as written by
// PEFT's save_pretrained (huggingface/peft `src/peft/utils/save_and_load.py`, `config.py`). The
// adapter is validated on its own here (config fields, safetensors headers, LoRA tensor pairs and
// ranks); whether it fits a base model is adapter-fit.ts's job, once the base is known.
//
// adapter_model.bin (PyTorch pickle) is refused, not accepted with a warning: the fit check needs
// every tensor's shape, which a pickle only gives up by being executed, and an adapter that was
// never checked against its base is the thing this registry exists to prevent. Recent PEFT versions
// write safetensors by default (save_pretrained's safe_serialization=True), and converting is one command.
import { JSON_DOC_LIMIT, MAX_TOKENIZER_CONFIG_BYTES } from './json-file.js';
import { ModelValidationError } from './model-validation-error.js';
import type { FileSession, ListedFile } from './object-reader.js';
import type { SafetensorsTensor } from './safetensors.js';

export const ADAPTER_CONFIG = 'adapter_config.json';
export const ADAPTER_WEIGHTS = 'adapter_model.safetensors';
export const ADAPTER_PICKLE = 'adapter_model.bin';

/** Names that make a directory a full model (hf-directory.ts planWeights), which wins over adapter files. */
const FULL_MODEL_WEIGHTS = /^(model\.safetensors(\.index\.json)?|pytorch_model.*\.bin(\.index\.json)?|model-\d+-of-\d+\.safetensors)$/;

/** What adapter_config.json says, in DescribeModel's spelling. */
export interface AdapterConfig {
  peftType: string;
  r: number;
  loraAlpha: number | null;
  /** A list of module names, or PEFT's string form (a regex, or 'all-linear'); null: PEFT's per-model default. */
  targetModules: string[] | string | null;
  baseModelNameOrPath: string | null;
  taskType: string | null;
  fanInFanOut: boolean;
  useDora: boolean;
  useRslora: boolean;
  modulesToSave: string[];
  layersToTransform: number[] | null;
  /** Per-module rank overrides (module-name suffix → rank). */
  rankPattern: Record<string, number>;
}

/** One LoRA tensor of the adapter, with the base module it modifies. */
export interface LoraTensor {
  /** Name as stored (base_model.model.…). */
  name: string;
  /** The base model's module path (…self_attn.q_proj), prefix stripped. */
  module: string;
  role: 'lora_A' | 'lora_B' | 'lora_embedding_A' | 'lora_embedding_B' | 'magnitude' | 'bias' | 'saved';
  shape: number[];
  dtype: string;
}

export interface AdapterInspection {
  config: AdapterConfig;
  tensors: LoraTensor[];
  parameterCount: number;
  dtypes: Record<string, number>;
  warnings: string[];
  /** tokenizer_config.json, when the trainer saved the tokenizer next to the adapter. */
  tokenizerConfig?: Record<string, unknown>;
}

/** PEFT's saved keys start with this; the rest is the base model's state-dict name. */
const PEFT_PREFIX = 'base_model.model.';

/** True when the files are a PEFT adapter rather than a full model; throws on half an adapter. */
export function isPeftDirectory(paths: ReadonlySet<string>, location: string): boolean {
  const hasConfig = paths.has(ADAPTER_CONFIG);
  const hasWeights = paths.has(ADAPTER_WEIGHTS) || paths.has(ADAPTER_PICKLE);
  if (!hasConfig && !hasWeights) return false;
  if ([...paths].some((p) => FULL_MODEL_WEIGHTS.test(p))) return false;
  if (!hasConfig) {
    throw new ModelValidationError(`${paths.has(ADAPTER_WEIGHTS) ? ADAPTER_WEIGHTS : ADAPTER_PICKLE} is there but ${ADAPTER_CONFIG} is missing under ${location}: a PEFT adapter needs both (save it with PEFT's save_pretrained)`).as('InvalidAdapter');
  }
  if (!hasWeights) {
    throw new ModelValidationError(`${ADAPTER_CONFIG} is there but no adapter weights under ${location}: expected ${ADAPTER_WEIGHTS} next to it`, ADAPTER_CONFIG).as('InvalidAdapter');
  }
  return true;
}

export async function inspectPeftSession(s: FileSession): Promise<AdapterInspection> {
  const config = parseAdapterConfig(await s.readJson(s.get(ADAPTER_CONFIG) as ListedFile, JSON_DOC_LIMIT));
  if (!s.has(ADAPTER_WEIGHTS)) {
    throw new ModelValidationError(
      `${ADAPTER_PICKLE} is a PyTorch pickle: its tensor shapes cannot be checked against the base without executing it, and loading it runs arbitrary code. ` +
        `Save the adapter as safetensors (PEFT save_pretrained(..., safe_serialization=True), or: python -c "import torch; from safetensors.torch import save_file; save_file(torch.load('${ADAPTER_PICKLE}'), '${ADAPTER_WEIGHTS}')") and import again`,
      ADAPTER_PICKLE,
    ).as('AdapterPickle');
  }
  const warnings: string[] = [];
  if (s.has(ADAPTER_PICKLE)) warnings.push(`${ADAPTER_PICKLE} is ignored: ${ADAPTER_WEIGHTS} is what PEFT and vLLM load when both are present`);
  let tokenizerConfig: Record<string, unknown> | undefined;
  const tc = s.get('tokenizer_config.json');
  if (tc) tokenizerConfig = await s.readJson(tc, MAX_TOKENIZER_CONFIG_BYTES);

  const info = await s.readSafetensors(s.get(ADAPTER_WEIGHTS) as ListedFile);
  const tensors = info.tensors.map((t) => classifyTensor(t));
  checkPairs(tensors, config);
  warnings.push(...checkTargets(tensors, config));
  await s.readRest();
  const out: AdapterInspection = { config, tensors, parameterCount: info.parameterCount, dtypes: info.dtypes, warnings };
  if (tokenizerConfig) out.tokenizerConfig = tokenizerConfig;
  return out;
}

/** Checks a parsed adapter_config.json (parsed by the file session: large documents off the event loop). */
export function parseAdapterConfig(raw: Record<string, unknown>): AdapterConfig {
  const bad = (msg: string): never => {
    throw new ModelValidationError(`${ADAPTER_CONFIG}: ${msg}`, ADAPTER_CONFIG).as('InvalidAdapter');
  };
  const peftType = raw.peft_type;
  if (typeof peftType !== 'string') bad('"peft_type" is missing; PEFT writes it (e.g. "LORA")');
  if (peftType !== 'LORA') {
    bad(`peft_type "${String(peftType)}" is not supported: modelreg checks and serves LoRA adapters (peft_type "LORA"), the kind vLLM's --enable-lora loads`);
  }
  const r = raw.r;
  if (typeof r !== 'number' || !Number.isInteger(r) || r < 1) bad(`"r" (the LoRA rank) must be a positive integer, got ${JSON.stringify(r)}`);
  const alpha = raw.lora_alpha;
  if (alpha !== undefined && alpha !== null && typeof alpha !== 'number') bad(`"lora_alpha" must be a number, got ${JSON.stringify(alpha)}`);
  const tm = raw.target_modules;
  let targetModules: string[] | string | null = null;
  if (typeof tm === 'string') targetModules = tm;
  else if (Array.isArray(tm)) {
    if (tm.length === 0 || !tm.every((x) => typeof x === 'string' && x !== '')) bad('"target_modules" must be a non-empty list of module names');
    targetModules = [...new Set(tm as string[])].sort();
  } else if (tm !== undefined && tm !== null) bad(`"target_modules" must be a list of module names or a string, got ${JSON.stringify(tm)}`);
  const base = raw.base_model_name_or_path;
  if (base !== undefined && base !== null && typeof base !== 'string') bad('"base_model_name_or_path" must be a string');
  const mts = raw.modules_to_save;
  if (mts !== undefined && mts !== null && !(Array.isArray(mts) && mts.every((x) => typeof x === 'string'))) bad('"modules_to_save" must be a list of module names');
  let layers: number[] | null = null;
  const ltt = raw.layers_to_transform;
  if (typeof ltt === 'number') layers = [ltt];
  else if (Array.isArray(ltt) && ltt.every((x) => Number.isInteger(x) && (x as number) >= 0)) layers = ltt as number[];
  else if (ltt !== undefined && ltt !== null) bad('"layers_to_transform" must be a layer index or a list of them');
  const rankPattern: Record<string, number> = {};
  const rp = raw.rank_pattern;
  if (rp && typeof rp === 'object' && !Array.isArray(rp)) {
    for (const [k, v] of Object.entries(rp)) {
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) bad(`"rank_pattern" entry "${k}" must be a positive integer rank`);
      rankPattern[k] = v as number;
    }
  }
  return {
    peftType: peftType as string,
    r: r as number,
    loraAlpha: typeof alpha === 'number' ? alpha : null,
    targetModules,
    baseModelNameOrPath: typeof base === 'string' && base !== '' ? base : null,
    taskType: typeof raw.task_type === 'string' ? raw.task_type : null,
    fanInFanOut: raw.fan_in_fan_out === true,
    useDora: raw.use_dora === true,
    useRslora: raw.use_rslora === true,
    modulesToSave: (mts as string[] | undefined | null) ?? [],
    layersToTransform: layers,
    rankPattern,
  };
}

const ROLE_SUFFIXES: Array<[string, LoraTensor['role']]> = [
  ['.lora_A.weight', 'lora_A'],
  ['.lora_B.weight', 'lora_B'],
  ['.lora_embedding_A', 'lora_embedding_A'],
  ['.lora_embedding_B', 'lora_embedding_B'],
  ['.lora_magnitude_vector', 'magnitude'],
  ['.lora_magnitude_vector.weight', 'magnitude'],
];

function classifyTensor(t: SafetensorsTensor): LoraTensor {
  if (!t.name.startsWith(PEFT_PREFIX)) {
    throw new ModelValidationError(
      `tensor ${t.name} in ${ADAPTER_WEIGHTS} is not a PEFT adapter tensor: PEFT names them ${PEFT_PREFIX}<module>.lora_A.weight / .lora_B.weight`,
      ADAPTER_WEIGHTS,
    ).as('InvalidAdapter');
  }
  const rest = t.name.slice(PEFT_PREFIX.length);
  for (const [suffix, role] of ROLE_SUFFIXES) {
    if (rest.endsWith(suffix)) return { name: t.name, module: rest.slice(0, -suffix.length), role, shape: t.shape, dtype: t.dtype };
  }
  if (rest.endsWith('.bias')) return { name: t.name, module: rest.slice(0, -'.bias'.length), role: 'bias', shape: t.shape, dtype: t.dtype };
  // modules_to_save: a full copy of the base's tensor (lm_head.weight, embed_tokens.weight).
  const module = rest.endsWith('.weight') ? rest.slice(0, -'.weight'.length) : rest;
  return { name: t.name, module, role: 'saved', shape: t.shape, dtype: t.dtype };
}

/** The rank a module was trained with: rank_pattern's longest matching suffix, else r. */
export function rankOf(config: AdapterConfig, module: string): number {
  let best: string | null = null;
  for (const k of Object.keys(config.rankPattern)) {
    if ((module === k || module.endsWith(`.${k}`)) && (best === null || k.length > best.length)) best = k;
  }
  return best === null ? config.r : (config.rankPattern[best] as number);
}

/** Every lora_A has its lora_B and both carry the module's rank. */
function checkPairs(tensors: readonly LoraTensor[], config: AdapterConfig): void {
  const byModule = new Map<string, Partial<Record<LoraTensor['role'], LoraTensor>>>();
  for (const t of tensors) {
    const m = byModule.get(t.module) ?? {};
    m[t.role] = t;
    byModule.set(t.module, m);
  }
  let pairs = 0;
  for (const [module, m] of byModule) {
    for (const [a, b] of [['lora_A', 'lora_B'], ['lora_embedding_A', 'lora_embedding_B']] as const) {
      const ta = m[a];
      const tb = m[b];
      if (!ta && !tb) continue;
      if (!ta || !tb) {
        const have = (ta ?? tb) as LoraTensor;
        throw new ModelValidationError(`tensor ${have.name} has no matching ${ta ? b : a} tensor for module ${module}: a LoRA layer needs both`, ADAPTER_WEIGHTS).as('InvalidAdapter');
      }
      pairs++;
      const r = rankOf(config, module);
      if (ta.shape.length !== 2 || ta.shape[0] !== r) {
        throw new ModelValidationError(`tensor ${ta.name} has shape ${fmt(ta.shape)}, but ${a} must be [r, in_features] with r = ${r} (${ADAPTER_CONFIG})`, ADAPTER_WEIGHTS).as('InvalidAdapter');
      }
      if (tb.shape.length !== 2 || tb.shape[1] !== r) {
        throw new ModelValidationError(`tensor ${tb.name} has shape ${fmt(tb.shape)}, but ${b} must be [out_features, r] with r = ${r} (${ADAPTER_CONFIG})`, ADAPTER_WEIGHTS).as('InvalidAdapter');
      }
    }
  }
  if (pairs === 0) throw new ModelValidationError(`${ADAPTER_WEIGHTS} holds no LoRA tensors (…lora_A.weight / …lora_B.weight)`, ADAPTER_WEIGHTS).as('InvalidAdapter');
}

/** Every listed target module has LoRA tensors; tensors outside the list are worth a warning. */
function checkTargets(tensors: readonly LoraTensor[], config: AdapterConfig): string[] {
  if (!Array.isArray(config.targetModules)) return [];
  const loraModules = [...new Set(tensors.filter((t) => t.role === 'lora_A' || t.role === 'lora_embedding_A').map((t) => t.module))];
  const matches = (module: string, target: string) => module === target || module.endsWith(`.${target}`);
  for (const target of config.targetModules) {
    if (!loraModules.some((m) => matches(m, target))) {
      throw new ModelValidationError(`${ADAPTER_CONFIG} lists target module "${target}" but ${ADAPTER_WEIGHTS} has no LoRA tensors for it`, ADAPTER_CONFIG).as('InvalidAdapter');
    }
  }
  const stray = loraModules.filter((m) => !(config.targetModules as string[]).some((t) => matches(m, t)));
  return stray.length > 0 ? [`${ADAPTER_WEIGHTS} has LoRA tensors for modules not in target_modules: ${stray.slice(0, 5).join(', ')}${stray.length > 5 ? ', …' : ''}`] : [];
}

export const fmt = (shape: readonly number[]): string => `[${shape.join(', ')}]`;
