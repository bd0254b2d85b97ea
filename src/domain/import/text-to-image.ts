// Inspecting a text-to-image import (modelFormat Safetensors). Two layouts are accepted:
//  * a diffusers pipeline directory: model_index.json names the components ("unet":
//    ["diffusers", "UNet2DConditionModel"], ...); each model component needs its config.json and
//    weights, schedulers their scheduler_config.json, tokenizers their vocabulary;
//  * a single .safetensors checkpoint (A1111 / ComfyUI style) whose tensor names identify the
//    Stable Diffusion family (sd-families.ts). Only the header is needed for that.
// A causal language model imported here is refused with the format it needs instead.
import { classifyArchitecture } from './application-type.js';
import { validateHfConfig } from './hf-config.js';
import { JSON_DOC_LIMIT, MAX_INDEX_JSON_BYTES } from './json-file.js';
import { ModelValidationError } from './model-validation-error.js';
import type { FileSession, ListedFile } from './object-reader.js';
import type { SafetensorsHeader, SafetensorsInfo } from './safetensors.js';
import { checkShardsPresent, checkShardTensors, checkTotalSize, parseSafetensorsIndex, type SafetensorsIndex } from './safetensors-index.js';
import { findLanguageModelTensor, inferSdFamily, SD_FAMILY_PIPELINES, SD_SENTINEL_KEYS } from './sd-families.js';
import type { InspectedFile } from './types.js';

/** CLIP text encoders' window, used when the files do not say. */
export const CLIP_CONTEXT_LENGTH = 77;

export interface TextToImageInspection {
  layout: 'diffusers' | 'single-file';
  /** diffusers pipeline class (model_index.json `_class_name`, or the family's class). */
  pipelineClass: string;
  family: string | null;
  files: InspectedFile[];
  totalBytes: number;
  /** Weight files counted in parameterCount (one variant per component). */
  weightFiles: string[];
  parameterCount: number;
  dtypes: Record<string, number>;
  /** Prompt window of the text encoder, in tokens. */
  contextLength: number;
  warnings: string[];
}

const PIPELINE_FAMILIES: Record<string, string> = {
  StableDiffusionXLPipeline: 'xl_base',
  StableDiffusionXLImg2ImgPipeline: 'xl_refiner',
  StableDiffusionXLInpaintPipeline: 'xl_inpaint',
  StableDiffusionUpscalePipeline: 'upscale',
  StableDiffusion3Pipeline: 'sd3',
  FluxPipeline: 'flux',
};

export async function inspectTextToImageSession(s: FileSession): Promise<TextToImageInspection> {
  await refuseLanguageModelConfig(s);
  return s.has('model_index.json') ? inspectDiffusers(s) : inspectSingleFile(s);
}

/** A root config.json describing an LLM means the user picked the wrong format. */
async function refuseLanguageModelConfig(s: FileSession): Promise<void> {
  const f = s.get('config.json');
  if (!f) return;
  const raw = await s.readJson(f, JSON_DOC_LIMIT, f.path);
  if (!Array.isArray(raw.architectures) || typeof raw.model_type !== 'string') return;
  const kind = classifyArchitecture(validateHfConfig(raw));
  if (kind === 'causal-lm' || kind === 'seq2seq') {
    throw new ModelValidationError(
      `${s.location} holds a ${kind === 'causal-lm' ? 'causal' : 'sequence-to-sequence'} language model (config.json architectures ${JSON.stringify(raw.architectures)}), which cannot be imported as Text-to-Image; import it with modelFormat HuggingFace.Transformers or HuggingFace.vLLM and modelApplicationType chat or completion`,
      'config.json',
    ).as('WrongFormatForFiles', { location: s.location, modelFormat: 'HuggingFace.Transformers' });
  }
}

type ComponentRole = 'model' | 'scheduler' | 'tokenizer' | 'processor';

interface Component {
  name: string;
  library: string;
  className: string;
  role: ComponentRole;
}

function roleOf(name: string, className: string): ComponentRole {
  if (/Scheduler$/.test(className) || name === 'scheduler') return 'scheduler';
  if (/Tokenizer(Fast)?$/.test(className)) return 'tokenizer';
  if (/(FeatureExtractor|ImageProcessor|Processor)$/.test(className)) return 'processor';
  return 'model';
}

const WEIGHT_FILE = /^(diffusion_pytorch_model|model)(\.[\w-]+)?\.safetensors$/;
const WEIGHT_INDEX = /^(diffusion_pytorch_model|model)(\.[\w-]+)?\.safetensors\.index\.json$/;
const PICKLE_WEIGHT = /^(diffusion_pytorch_model|pytorch_model)(\.[\w-]+)?\.bin$/;

async function inspectDiffusers(s: FileSession): Promise<TextToImageInspection> {
  const warnings: string[] = [];
  const paths = s.paths();
  const mi = await s.readJson(s.get('model_index.json') as ListedFile, JSON_DOC_LIMIT, 'model_index.json');
  const pipelineClass = mi._class_name;
  if (typeof pipelineClass !== 'string' || pipelineClass === '') {
    throw new ModelValidationError('model_index.json has no "_class_name" naming the diffusers pipeline (e.g. "StableDiffusionXLPipeline")', 'model_index.json').as('InvalidPipeline');
  }
  const components: Component[] = [];
  for (const [name, v] of Object.entries(mi)) {
    if (name.startsWith('_') || !Array.isArray(v) || v.length !== 2) continue;
    const [library, className] = v as [unknown, unknown];
    if (library === null || className === null) continue; // optional component left out (e.g. safety_checker)
    if (typeof library !== 'string' || typeof className !== 'string') {
      throw new ModelValidationError(`model_index.json component '${name}' must be [library, class], got ${JSON.stringify(v)}`, 'model_index.json').as('InvalidPipeline');
    }
    components.push({ name, library, className, role: roleOf(name, className) });
  }
  const models = components.filter((c) => c.role === 'model');
  if (!models.some((c) => /^(unet|transformer|prior|decoder)$/.test(c.name) || /UNet|Transformer/.test(c.className))) {
    throw new ModelValidationError(
      `model_index.json (${pipelineClass}) lists no denoiser component (unet or transformer); it is not a text-to-image pipeline`,
      'model_index.json',
    ).as('InvalidPipeline');
  }

  // Small documents first: component configs, scheduler configs, shard indexes.
  const configs = new Map<string, Record<string, unknown>>();
  const plans: Array<{ component: Component; files: string[]; index: SafetensorsIndex | null; pickle: boolean }> = [];
  for (const c of components) {
    const dir = `${c.name}/`;
    const need = (file: string, what: string) => {
      if (!paths.has(dir + file)) {
        throw new ModelValidationError(`${dir}${file} is missing under ${s.location}: model_index.json lists ${c.name} (${c.className}), which needs ${what}`, dir + file).as('MissingFile', { location: s.location });
      }
      return s.get(dir + file) as ListedFile;
    };
    if (c.role === 'scheduler') {
      await s.readJson(need('scheduler_config.json', 'its scheduler configuration'), JSON_DOC_LIMIT, `${dir}scheduler_config.json`);
    } else if (c.role === 'processor') {
      await s.readJson(need('preprocessor_config.json', 'its preprocessor configuration'), JSON_DOC_LIMIT, `${dir}preprocessor_config.json`);
    } else if (c.role === 'tokenizer') {
      const ok = ['tokenizer.json', 'spiece.model', 'tokenizer.model'].some((f) => paths.has(dir + f)) || (paths.has(`${dir}vocab.json`) && paths.has(`${dir}merges.txt`));
      if (!ok) {
        throw new ModelValidationError(
          `${c.name}/ has no tokenizer files under ${s.location}: model_index.json lists ${c.name} (${c.className}), which needs vocab.json + merges.txt, tokenizer.json, or spiece.model`,
        ).as('InvalidPipeline');
      }
    } else {
      const cfgPath = `${dir}config.json`;
      configs.set(c.name, await s.readJson(need('config.json', 'its config.json'), JSON_DOC_LIMIT, cfgPath));
      plans.push(await planComponentWeights(s, c, warnings));
    }
  }

  await s.readRest(plans.flatMap((p) => p.files));

  let parameterCount = 0;
  const dtypes: Record<string, number> = {};
  const weightFiles: string[] = [];
  for (const p of plans) {
    let tensorBytes = 0;
    for (const file of p.files) {
      weightFiles.push(file);
      if (p.pickle) {
        await s.hash(s.get(file) as ListedFile);
        continue;
      }
      const idx = p.index;
      const shard = idx ? file.slice(idx.dir.length) : file;
      const info: SafetensorsInfo = await s.readSafetensors(s.get(file) as ListedFile, idx ? (h) => checkShardTensors(idx, shard, h) : undefined);
      parameterCount += info.parameterCount;
      tensorBytes += info.dataBytes;
      for (const [d, n] of Object.entries(info.dtypes)) dtypes[d] = (dtypes[d] ?? 0) + n;
    }
    if (p.index) checkTotalSize(p.index, tensorBytes);
  }

  let family: string | null = PIPELINE_FAMILIES[pipelineClass] ?? null;
  if (pipelineClass === 'StableDiffusionPipeline' || pipelineClass === 'StableDiffusionInpaintPipeline') {
    const v2 = configs.get('unet')?.cross_attention_dim === 1024;
    family = pipelineClass === 'StableDiffusionPipeline' ? (v2 ? 'v2' : 'v1') : v2 ? 'inpainting_v2' : 'inpainting';
  }
  if (pipelineClass === 'StableDiffusionXLImg2ImgPipeline' && components.some((c) => c.name === 'text_encoder')) family = 'xl_base';
  if (family === null) warnings.push(`pipeline ${pipelineClass} is not one of the known Stable Diffusion families; family not recorded`);

  const te = configs.get('text_encoder') ?? configs.get('text_encoder_2');
  const mpe = te?.max_position_embeddings;
  const contextLength = typeof mpe === 'number' && Number.isSafeInteger(mpe) && mpe > 0 ? mpe : CLIP_CONTEXT_LENGTH;

  const files = s.files();
  return {
    layout: 'diffusers',
    pipelineClass,
    family,
    files,
    totalBytes: files.reduce((n, f) => n + f.size, 0),
    weightFiles,
    parameterCount,
    dtypes,
    contextLength,
    warnings,
  };
}

/**
 * A model component's weights: the plain file if present, else the first variant (fp16, ...);
 * a shard index when there is no single file; pickle only as a last resort (with a warning).
 * Other variants are validated and hashed with the rest but not counted.
 */
async function planComponentWeights(
  s: FileSession,
  c: Component,
  warnings: string[],
): Promise<{ component: Component; files: string[]; index: SafetensorsIndex | null; pickle: boolean }> {
  const dir = `${c.name}/`;
  const inDir = [...s.paths()].filter((p) => p.startsWith(dir) && !p.slice(dir.length).includes('/')).map((p) => p.slice(dir.length)).sort();
  const byPlainFirst = (xs: string[]) => [...xs].sort((a, b) => a.split('.').length - b.split('.').length || a.localeCompare(b));
  const single = byPlainFirst(inDir.filter((f) => WEIGHT_FILE.test(f)))[0];
  if (single) return { component: c, files: [dir + single], index: null, pickle: false };
  const idxName = byPlainFirst(inDir.filter((f) => WEIGHT_INDEX.test(f)))[0];
  if (idxName) {
    const index = parseSafetensorsIndex(await s.readJson(s.get(dir + idxName) as ListedFile, MAX_INDEX_JSON_BYTES), dir + idxName);
    warnings.push(...checkShardsPresent(index, s.paths(), s.location));
    return { component: c, files: [...index.shards.keys()].sort().map((f) => dir + f), index, pickle: false };
  }
  const pickle = inDir.filter((f) => PICKLE_WEIGHT.test(f));
  if (pickle.length > 0) {
    warnings.push(`${dir}${pickle[0]} is a PyTorch pickle file: it cannot be inspected without executing pickle and loading it runs arbitrary code; prefer safetensors`);
    return { component: c, files: [dir + (pickle[0] as string)], index: null, pickle: true };
  }
  throw new ModelValidationError(
    `${dir} has no weights under ${s.location}: model_index.json lists ${c.name} (${c.className}), which needs ${dir}${c.library === 'transformers' ? 'model' : 'diffusion_pytorch_model'}.safetensors (or a variant such as .fp16.safetensors, or a sharded index)`,
  ).as('MissingWeights', { location: s.location });
}

/** Position-embedding tensors of the text encoders in single-file checkpoints: their length is the prompt window. */
const POSITION_EMBEDDINGS = [
  'cond_stage_model.transformer.text_model.embeddings.position_embedding.weight',
  'conditioner.embedders.0.transformer.text_model.embeddings.position_embedding.weight',
  'cond_stage_model.model.positional_embedding',
  'conditioner.embedders.1.model.positional_embedding',
  'text_encoders.clip_l.transformer.text_model.embeddings.position_embedding.weight',
];

async function inspectSingleFile(s: FileSession): Promise<TextToImageInspection> {
  const warnings: string[] = [];
  const candidates = s.listing.filter((f) => !f.path.includes('/') && f.path.endsWith('.safetensors'));
  if (candidates.length === 0) {
    const pickles = s.listing.filter((f) => /\.(ckpt|pt|pth|bin)$/.test(f.path)).map((f) => f.path);
    throw new ModelValidationError(
      pickles.length > 0
        ? `no .safetensors checkpoint under ${s.location}: found ${pickles.slice(0, 3).join(', ')}, which are PyTorch pickle files; modelFormat Safetensors needs a .safetensors checkpoint or a diffusers directory with model_index.json`
        : `no text-to-image model under ${s.location}: expected a diffusers directory (model_index.json) or a single .safetensors checkpoint`,
    ).as('MissingWeights', { location: s.location });
  }

  const found: Array<{ file: ListedFile; info: SafetensorsInfo; family: string; shapes: Map<string, number[]> }> = [];
  const unrecognized: string[] = [];
  for (const file of candidates) {
    const seen: { family: string | null; shapes: Map<string, number[]> } = { family: null, shapes: new Map() };
    const info = await s.readSafetensors(file, (h: SafetensorsHeader) => {
      const lm = findLanguageModelTensor(h.tensors.map((t) => t.name));
      if (lm) {
        throw new ModelValidationError(
          `${file.path} holds a language model (tensor '${lm}'), not a text-to-image checkpoint; import LLMs with modelFormat HuggingFace.Transformers or HuggingFace.vLLM and modelApplicationType chat or completion`,
          file.path,
        ).as('WrongFormatForFiles', { location: s.location, modelFormat: 'HuggingFace.Transformers' });
      }
      seen.shapes = new Map(h.tensors.map((t) => [t.name, t.shape]));
      seen.family = inferSdFamily(seen.shapes);
    });
    if (seen.family === null) unrecognized.push(file.path);
    else found.push({ file, info, family: seen.family, shapes: seen.shapes });
  }
  if (found.length === 0) {
    throw new ModelValidationError(
      `${unrecognized[0]} is not a recognized text-to-image checkpoint: it has none of diffusers' sentinel tensors (e.g. ${SD_SENTINEL_KEYS.v1}, ${SD_SENTINEL_KEYS.xl_base}) for Stable Diffusion v1/v2/XL/3, Flux or ControlNet`,
      unrecognized[0],
    ).as('InvalidPipeline');
  }
  found.sort((a, b) => b.file.size - a.file.size);
  const main = found[0] as (typeof found)[number];
  if (found.length > 1) warnings.push(`several checkpoints found (${found.map((f) => f.file.path).join(', ')}); recorded the largest, ${main.file.path}`);
  if (unrecognized.length > 0) warnings.push(`${unrecognized.join(', ')} ${unrecognized.length === 1 ? 'is' : 'are'} not a recognized checkpoint; kept as extra files`);

  await s.readRest();
  let contextLength = CLIP_CONTEXT_LENGTH;
  for (const k of POSITION_EMBEDDINGS) {
    const shape = main.shapes.get(k);
    if (shape && shape.length >= 1 && (shape[0] as number) > 0) {
      contextLength = shape[0] as number;
      break;
    }
  }
  const files = s.files();
  return {
    layout: 'single-file',
    pipelineClass: SD_FAMILY_PIPELINES[main.family] ?? 'StableDiffusionPipeline',
    family: main.family,
    files,
    totalBytes: files.reduce((n, f) => n + f.size, 0),
    weightFiles: [main.file.path],
    parameterCount: main.info.parameterCount,
    dtypes: { ...main.info.dtypes },
    contextLength,
    warnings,
  };
}
