// Entry point of the import's file rules: reads every object under bucket/objectPath exactly once
// (streamed, sha256 per file), decides whether it is a model the request can serve, and records what
// it is. A bad model or a request that does not fit the files fails with ModelValidationError, whose
// message is the reason shown to the user; AbortError (opts.signal) and store errors pass through.
// The request itself was checked before the job was queued (model/create-model-rules.ts, which
// names the two homes of a rule; `modelreg validate` runs those rules first too): here only what
// needs the files is checked.
import type { ObjectStore } from '../../objects/object-store.js';
import { ObjectStoreError } from '../../objects/object-store-error.js';
import type { ApplicationType } from '../catalogue/formats.js';
import type { ImportMeta } from '../model/create-model-rules.js';
import { checkApplicationFits, classifyArchitecture, resolveChatTemplate, type ChatTemplateResult } from './application-type.js';
import { deriveCapabilities } from './capabilities.js';
import { deriveContextLength, splitTokenLimitations, textToImageTokenLimitations, type ContextLength } from './context-length.js';
import { torchDtypeToSafetensors } from './hf-config.js';
import { inspectHfSession, type HfDirectoryMeta } from './hf-directory.js';
import { inspectAdapterSession } from './inspect-adapter.js';
import { isPeftDirectory } from './peft-adapter.js';
import { ModelValidationError } from './model-validation-error.js';
import { reason } from './failure-codes.js';
import { FileSession, listFiles, newReadContext, toListed, type ListedFile } from './object-reader.js';
import { inspectTextToImageSession } from './text-to-image.js';
import { checkTransformersVersion } from './transformers-versions.js';
import type { ModelInspection } from './types.js';
import { checkVllmArchitecture } from './vllm-architectures.js';

export { ModelValidationError } from './model-validation-error.js';
export type { AdapterInspection } from './peft-adapter.js';
export type { InspectedFile, ModelCapabilities, ModelCompConfig, ModelInspection, TokenLimitations } from './types.js';

/** Where the files are and what the import request said of them (its chatConf and customSpec: only whether given). */
export type InspectModelInput = Pick<ImportMeta, 'bucket' | 'objectPath' | 'modelFormat' | 'modelApplicationType' | 'transformerVersion' | 'vLLMVersion' | 'enablePromptAutoConcat'> & {
  hasChatConf?: boolean;
  hasCustomSpec?: boolean;
};

export interface InspectModelOptions {
  /** The account the import runs for: its templates and large documents take their turn in the sandbox. */
  account?: string;
  signal?: AbortSignal;
  /** Bytes read so far / total listed bytes; called every few MiB and after each file. */
  onProgress?: (bytesDone: number, bytesTotal: number) => void;
  /** Files larger than this are refused before any byte is read (SECURITY.md, class 6). */
  maxFileBytes?: number;
  /** Runs after listing, before reading: e.g. the registry's free-space check; a code-ENOSPC error fails the import. */
  beforeRead?: (totalBytes: number) => Promise<void>;
}

export async function inspectModel(store: ObjectStore, input: InspectModelInput, opts: InspectModelOptions = {}): Promise<ModelInspection> {
  const format = input.modelFormat;
  const appType = input.modelApplicationType as ApplicationType;
  // Not a check: the request rules let a vLLMVersion ride along; the version records who serves it.
  const warnings = format === 'HuggingFace.Transformers' && input.vLLMVersion ? [`vLLMVersion ${input.vLLMVersion} is ignored for modelFormat HuggingFace.Transformers`] : [];

  const prefix = normalizeObjectPath(input.objectPath);
  const location = prefix ? `${input.bucket}/${prefix}` : input.bucket;
  opts.signal?.throwIfAborted();
  const listing = await asValidationError(async () => {
    if (!(await store.bucketExists(input.bucket))) throw new ModelValidationError(`bucket '${input.bucket}' does not exist`, undefined, reason('BucketNotFound', { bucket: input.bucket }));
    const found = await listFiles(store, input.bucket, prefix, opts.signal);
    if (found.length === 0 && prefix) {
      // objectPath may name one object (a single-file checkpoint) rather than a directory.
      const one = await store.stat(input.bucket, prefix);
      if (one) return [toListed(one, prefix.slice(prefix.lastIndexOf('/') + 1))];
    }
    return found;
  });
  if (listing.length === 0) throw new ModelValidationError(`no files under ${location}`, undefined, reason('NoFiles', { location }));
  const tooBig = opts.maxFileBytes === undefined ? undefined : listing.find((f) => f.size > (opts.maxFileBytes as number));
  if (tooBig) {
    throw new ModelValidationError(
      `${tooBig.path} is ${tooBig.size} bytes, more than the ${opts.maxFileBytes} bytes modelreg accepts per file (MODELREG_MAX_IMPORT_FILE_BYTES)`,
      tooBig.path,
      reason('FileTooLarge', { file: tooBig.path, size: tooBig.size, limit: opts.maxFileBytes }),
    );
  }
  if (opts.beforeRead) {
    try {
      await opts.beforeRead(listing.reduce((n, f) => n + f.size, 0));
    } catch (err) {
      if ((err as NodeJS.ErrnoException)?.code === 'ENOSPC') throw new ModelValidationError((err as Error).message, undefined, reason('StorageFull', { detail: (err as Error).message }));
      throw err;
    }
  }

  const ctxOpts = {
    ...(opts.account !== undefined ? { account: opts.account } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
  };
  const session = new FileSession(newReadContext(store, input.bucket, location, listing, ctxOpts), listing);

  const result = format === 'Safetensors' ? await inspectTextToImage(session) : await inspectLanguageModel(session, input, appType as 'chat' | 'completion');
  result.warnings = dedupe([...warnings, ...result.warnings]);
  return result;
}

async function inspectLanguageModel(s: FileSession, input: InspectModelInput, appType: 'chat' | 'completion'): Promise<ModelInspection> {
  if (s.has('model_index.json') && !s.has('config.json')) {
    throw new ModelValidationError(
      `${s.location} holds a diffusers text-to-image pipeline (model_index.json), which cannot serve modelApplicationType ${appType}; import it with modelFormat Safetensors and modelApplicationType Text-to-Image`,
      undefined,
      reason('WrongFormatForFiles', { location: s.location, modelFormat: 'Safetensors' }),
    );
  }
  if (isPeftDirectory(s.paths(), s.location)) return inspectAdapterSession(s, input, appType);
  let architecture = '';
  let ctx: ContextLength | null = null;
  let chat: ChatTemplateResult = { warnings: [] };

  // Everything decidable from the small documents runs before the weights are streamed.
  const beforeWeights = async (meta: HfDirectoryMeta): Promise<string[]> => {
    const { config } = meta;
    const w: string[] = [];
    const kind = classifyArchitecture(config);
    checkApplicationFits(appType, kind, `config.json architectures ${JSON.stringify(config.architectures)} (model_type '${config.modelType}')`);
    if (input.modelFormat === 'HuggingFace.vLLM') architecture = checkVllmArchitecture(input.vLLMVersion as string, config.architectures);
    else architecture = config.architectures[0] as string;
    if (input.transformerVersion) w.push(...checkTransformersVersion(input.transformerVersion, config.transformersVersion));
    else if (!config.transformersVersion) w.push('config.json has no transformers_version');
    ctx = deriveContextLength(config.raw);
    w.push(...ctx.warnings);
    splitTokenLimitations(ctx.contextLength); // fails now on an unusable context length
    const chatOpts = {
      ...(input.enablePromptAutoConcat !== undefined ? { enablePromptAutoConcat: input.enablePromptAutoConcat } : {}),
      ...(input.hasChatConf !== undefined ? { hasChatConf: input.hasChatConf } : {}),
      ...(input.hasCustomSpec !== undefined ? { hasCustomSpec: input.hasCustomSpec } : {}),
      ...(s.ctx.account !== undefined ? { account: s.ctx.account } : {}),
      ...(s.ctx.signal ? { signal: s.ctx.signal } : {}),
    };
    chat = await resolveChatTemplate(appType, meta.tokenizerConfig, chatOpts);
    w.push(...chat.warnings);
    return w;
  };

  const hf = await inspectHfSession(s, { requireTokenizer: true, beforeWeights });
  const { config, weights } = hf;
  const context = ctx as unknown as ContextLength;
  const kind = classifyArchitecture(config);
  const dtype = weights.parameterCount === null ? torchDtypeToSafetensors(config.torchDtype) : dominantDtype(weights.dtypes);
  const quantMethod = config.quantizationConfig?.quant_method;
  const out: ModelInspection = {
    files: hf.files,
    totalBytes: hf.totalBytes,
    architecture,
    modelType: config.modelType,
    kind,
    weightFormat: weights.format,
    parameterCount: weights.parameterCount,
    dtype,
    dtypes: weights.dtypes,
    contextLength: context.contextLength,
    tokenLimitations: splitTokenLimitations(context.contextLength),
    capabilities: deriveCapabilities({
      kind,
      architecture,
      dtype,
      quantized: config.quantizationConfig !== undefined,
      multimodal: config.raw.vision_config != null || config.raw.visual != null,
    }),
    warnings: hf.warnings,
  };
  if (config.transformersVersion) out.transformersVersion = config.transformersVersion;
  if (weights.tensorShapes) out.tensorShapes = weights.tensorShapes;
  if (config.quantizationConfig) out.quantization = typeof quantMethod === 'string' ? quantMethod : 'unknown';
  if (chat.chatTemplate !== undefined) out.chatTemplate = chat.chatTemplate;
  if (chat.chatTemplatePreview !== undefined) out.chatTemplatePreview = chat.chatTemplatePreview;
  return out;
}

async function inspectTextToImage(s: FileSession): Promise<ModelInspection> {
  const t = await inspectTextToImageSession(s);
  checkApplicationFits('Text-to-Image', 'text-to-image', s.location);
  const dtype = dominantDtype(t.dtypes);
  const out: ModelInspection = {
    files: t.files,
    totalBytes: t.totalBytes,
    architecture: t.pipelineClass,
    modelType: t.layout,
    kind: 'text-to-image',
    weightFormat: t.layout,
    parameterCount: t.parameterCount,
    dtype,
    dtypes: t.dtypes,
    contextLength: t.contextLength,
    tokenLimitations: textToImageTokenLimitations(t.contextLength),
    capabilities: deriveCapabilities({ kind: 'text-to-image', architecture: t.pipelineClass, dtype, quantized: false }),
    warnings: t.warnings,
  };
  if (t.family) out.family = t.family;
  return out;
}

/**
 * The store refuses bad bucket names or keys (ObjectStoreError refusals); for an import those are reasons
 * about the request, reported like every other validation failure. Outages and other errors pass through.
 */
async function asValidationError<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof ObjectStoreError && err.isRefusal) throw new ModelValidationError(err.message);
    throw err;
  }
}

/** The dtype holding the most parameters (ties: alphabetical, for determinism). */
export function dominantDtype(dtypes: Record<string, number>): string | null {
  const e = Object.entries(dtypes).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  return e.length > 0 ? (e[0] as [string, number])[0] : null;
}

/** 'a//b/' → 'a/b'; '' and '/' → '' (bucket root). Refuses '..' so a path cannot leave the bucket's tree. */
export function normalizeObjectPath(p: string): string {
  const parts = p.split('/').filter((x) => x !== '' && x !== '.');
  if (parts.includes('..')) throw new ModelValidationError(`objectPath '${p}' must not contain '..'`);
  return parts.join('/');
}

const dedupe = (xs: string[]) => [...new Set(xs)];

export type { ListedFile };
