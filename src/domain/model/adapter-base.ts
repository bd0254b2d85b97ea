// Binding an imported adapter to its base: which version it is (importMeta/trainMeta.baseModelId,
// else the adapter's base_model_name_or_path when that names a registry model), whether it may be a
// base (same account, Ready, a full model), whether the adapter fits it (adapter-fit.ts) and, for
// vLLM imports, whether that vLLM version can serve it (vllm-lora.ts). A base only named outside
// the registry is kept by name, with a warning that nothing could be checked against it.
// Every refusal is a ModelValidationError: the version ends Fail with that reason.
import { checkAdapterFits } from '../import/adapter-fit.js';
import { ModelValidationError } from '../import/model-validation-error.js';
import type { ModelInspection } from '../import/types.js';
import { checkVllmLora, vllmMaxLoraRank } from '../import/vllm-lora.js';
import { isVllmVersion } from '../catalogue/engines.js';
import type { AdaptersRepo } from '../../store/repos/adapters-repo.js';
import type { ModelVersionRow } from '../../store/repos/models-repo.js';
import { parseBaseRef, resolveBaseRef, type AliasLookup, type BaseRefStore } from './base-ref.js';

export interface AdapterRequest {
  /** importMeta / trainMeta.baseModelId, as given. */
  baseModelId?: string;
  modelFormat: string;
  vLLMVersion?: string;
  modelApplicationType?: string;
  enablePromptAutoConcat?: boolean;
  hasChatConf?: boolean;
  customSpecFile?: string;
}

export interface AdapterBinding {
  /** The registry base to bind to when the version commits; null when the base is only a name. */
  baseId: string | null;
  /** Fields merged over the version's recorded details (the adapter block, the base's context). */
  details: Record<string, unknown>;
  warnings: string[];
}

/** Reads a base's tensor shapes from its stored files when none were recorded at its import; null when it cannot. */
export type ShapesFallback = (base: ModelVersionRow) => Promise<Record<string, number[]> | null>;

/** The recorded tensor shapes of bases (src/store/repos/adapters-repo.ts implements it). */
export type BaseShapesStore = Pick<AdaptersRepo, 'shapesOf' | 'putShapes'>;

/** A chat import that builds prompts from the tokenizer's template, for an adapter saved without one. */
function needsTokenizerTemplate(req: AdapterRequest, inspection: ModelInspection): boolean {
  return req.modelApplicationType === 'chat' && req.enablePromptAutoConcat === true && !req.hasChatConf && !req.customSpecFile && inspection.chatTemplate === undefined;
}

export class AdapterBaseResolver {
  constructor(
    private readonly models: BaseRefStore,
    private readonly adapters: BaseShapesStore,
    private readonly aliases?: AliasLookup,
    private readonly shapesFallback?: ShapesFallback,
  ) {}

  /** Null for a full model imported without baseModelId (nothing to bind). */
  async bind(accountId: string, req: AdapterRequest, inspection: ModelInspection): Promise<AdapterBinding | null> {
    const adapter = inspection.adapter;
    if (!adapter) {
      if (req.baseModelId === undefined) return null;
      throw new ModelValidationError(`baseModelId ${req.baseModelId} was given, but the files are a full model, not a PEFT adapter (no adapter_config.json with adapter_model.safetensors)`).as('InvalidAdapter');
    }
    const { config } = adapter;
    const warnings: string[] = [];
    const block: Record<string, unknown> = {
      peftType: config.peftType,
      r: config.r,
      loraAlpha: config.loraAlpha,
      targetModules: config.targetModules,
      baseModelNameOrPath: config.baseModelNameOrPath,
      parameterCount: adapter.parameterCount,
      dtype: inspection.dtype,
      tensorCount: adapter.tensors.length,
      ...(config.taskType ? { taskType: config.taskType } : {}),
      ...(config.useDora ? { useDora: true } : {}),
      ...(config.useRslora ? { useRslora: true } : {}),
      ...(config.modulesToSave.length > 0 ? { modulesToSave: config.modulesToSave } : {}),
      ...(Object.keys(config.rankPattern).length > 0 ? { rankPattern: config.rankPattern } : {}),
    };
    const vllm = req.modelFormat === 'HuggingFace.vLLM' && req.vLLMVersion && isVllmVersion(req.vLLMVersion) ? req.vLLMVersion : null;

    const base = await this.findBase(accountId, req.baseModelId, config.baseModelNameOrPath, warnings);
    if (!base) {
      block.base = config.baseModelNameOrPath ? { name: config.baseModelNameOrPath, inRegistry: false } : null;
      if (vllm) warnings.push(...checkVllmLora(vllm, null, adapter));
      if (vllm) block.vllmMaxLoraRank = vllmMaxLoraRank(config.r);
      if (needsTokenizerTemplate(req, inspection)) warnings.push('enablePromptAutoConcat is on and the adapter has no chat template of its own: prompts use the base tokenizer\'s template at serving time, which modelreg could not check');
      // undefined, not null: the base's context fields are left out of the record (JSON drops them).
      return { baseId: null, details: { adapter: block, architecture: undefined, contextLength: undefined, tokenLimitations: undefined }, warnings };
    }

    const { version, setName, ref } = base;
    const label = `base ${setName}/${version.name} (${version.id})`;
    if (version.status !== 'Ready') {
      throw new ModelValidationError(`${label}, named by ${ref}, is ${version.status}: an adapter binds only to a Ready version${version.status === 'Creating' ? '; import the adapter again once the base is Ready' : ''}`).as('AdapterBaseNotUsable');
    }
    const baseDetails = version.details ? (JSON.parse(version.details) as Record<string, any>) : {};
    if (baseDetails.adapter) throw new ModelValidationError(`${label}, named by ${ref}, is itself an adapter; bind to the full model it adapts`).as('AdapterBaseNotUsable');
    if (baseDetails.modelFormat === 'Safetensors') throw new ModelValidationError(`${label}, named by ${ref}, is a text-to-image model; LoRA adapters here bind to Hugging Face language models`).as('AdapterBaseNotUsable');
    const shapes = (await this.adapters.shapesOf(version.id)) ?? (await this.readShapesOnce(version));
    if (!shapes) {
      throw new ModelValidationError(
        `${label} has no recorded tensor shapes (its weights are pickle files, or it was imported before modelreg recorded them), so the adapter cannot be checked against it; import the base again as safetensors and bind to the new version`,
      ).as('AdapterBaseNotUsable');
    }
    checkAdapterFits(adapter, { label, shapes });
    const architecture = typeof baseDetails.architecture === 'string' ? baseDetails.architecture : null;
    if (vllm) {
      warnings.push(...checkVllmLora(vllm, architecture, adapter));
      block.vllmMaxLoraRank = vllmMaxLoraRank(config.r);
    }
    block.base = { modelId: version.id, modelSetId: version.model_set_id, modelSetName: setName, modelName: version.name };
    const details: Record<string, unknown> = {
      adapter: block,
      architecture: architecture ?? undefined,
      contextLength: baseDetails.contextLength,
      tokenLimitations: baseDetails.tokenLimitations,
    };
    // No chat template of its own: the base's tokenizer (and its template) serves the adapter.
    if (needsTokenizerTemplate(req, inspection)) {
      if (typeof baseDetails.chatTemplate !== 'string' || baseDetails.chatTemplateSource !== 'tokenizer') {
        throw new ModelValidationError(
          `enablePromptAutoConcat is on but neither the adapter (no tokenizer_config.json with a chat_template) nor ${label} records a tokenizer chat template (the base was imported without enablePromptAutoConcat, or its tokenizer has none); save the tokenizer with the adapter, or pass chatConf or customSpec`,
        ).as('AdapterBaseNotUsable');
      }
      details.inheritedChatTemplate = { chatTemplate: baseDetails.chatTemplate, chatTemplatePreview: baseDetails.chatTemplatePreview };
    }
    return { baseId: version.id, details, warnings };
  }

  /** The fallback's answer, recorded so the next adapter of this base does not read the files again. */
  private async readShapesOnce(base: ModelVersionRow): Promise<Record<string, number[]> | null> {
    if (!this.shapesFallback || base.details === null) return null;
    // A base whose stored header is unreadable cannot be checked (null); store outages propagate and the import is retried.
    const shapes = await this.shapesFallback(base).catch((err: unknown) => {
      if (err instanceof ModelValidationError) return null;
      throw err;
    });
    if (shapes) await this.adapters.putShapes(base.id, shapes).catch(() => undefined); // a concurrent adapter may have recorded them
    return shapes;
  }

  private async findBase(accountId: string, explicit: string | undefined, named: string | null, warnings: string[]) {
    if (explicit !== undefined) {
      const ref = parseBaseRef(explicit);
      if (!ref) throw new ModelValidationError(`baseModelId "${explicit}" is not a registry reference`).as('AdapterBaseNotUsable');
      const r = await resolveBaseRef(this.models, accountId, ref, this.aliases);
      if (!r.ok) throw new ModelValidationError(`baseModelId ${explicit} names no base: ${r.why}`).as('AdapterBaseNotUsable');
      if (named && named !== explicit) warnings.push(`adapter_config.json names base_model_name_or_path "${named}"; bound to baseModelId ${explicit} as requested`);
      return { version: r.version, setName: r.setName, ref: `baseModelId ${explicit}` };
    }
    if (!named) {
      warnings.push('adapter_config.json names no base_model_name_or_path and no baseModelId was given: the adapter is kept unbound and was not checked against a base');
      return null;
    }
    const ref = parseBaseRef(named, true);
    if (ref) {
      const r = await resolveBaseRef(this.models, accountId, ref, this.aliases);
      if (r.ok) return { version: r.version, setName: r.setName, ref: `base_model_name_or_path "${named}"` };
    }
    warnings.push(
      `the base "${named}" (adapter_config.json base_model_name_or_path) is not a model in this registry: the adapter was not checked against it; import the base and pass baseModelId (amv-…, SET/Vn) to bind and check it`,
    );
    return null;
  }
}
