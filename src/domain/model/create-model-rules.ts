// The rules of CreateCustomModel's parameter tables (seeds/create-custom-model.txt) that a JSON
// schema cannot express: which fields go with which sourceType and modelFormat, and which
// engine versions exist. Types and lengths are checked by the request schema before this runs.
import { ApiError } from '../errors.js';
import { BASE_REF_FORMS, parseBaseRef } from './base-ref.js';
import {
  APPLICATION_TYPES,
  TRANSFORMER_VERSIONS,
  VLLM_VERSIONS,
  isHuggingFace,
} from './engine-versions.js';

export interface ChatConf {
  historyQATemplate: string;
  latestQuestionTemplate: string;
  promptTemplate: string;
}

export interface AdvancedSettings {
  samplingStrategy: string;
  numSampling?: number;
  numBeams?: number;
  topLogprobs?: number;
}

export interface ImportMeta {
  bucket: string;
  objectPath: string;
  modelFormat: string;
  modelApplicationType: string;
  chatConf?: ChatConf;
  customSpec?: { displayName: string; fileName: string };
  advanceConf?: string;
  transformerVersion?: string;
  vLLMVersion?: string;
  enablePromptAutoConcat?: boolean;
  basicModelName?: string;
  advancedSettings?: AdvancedSettings;
  /** The base version a PEFT adapter binds to (base-ref.ts). */
  baseModelId?: string;
}

export interface TrainMeta {
  taskId: string;
  /** The seed's table says checkpointStep, its examples say step: both are accepted. */
  checkpointStep?: number;
  step?: number;
  /** The base version a LoRA checkpoint binds to (base-ref.ts). */
  baseModelId?: string;
}

export interface CreateModelInput {
  modelSetId: string;
  description?: string;
  sourceType: 'Train' | 'Import';
  trainMeta?: TrainMeta;
  importMeta?: ImportMeta;
  resourceConfig?: { resourceId: string };
}

const bad = (msg: string): never => {
  throw new ApiError('InvalidParameter', msg);
};
const missing = (msg: string): never => {
  throw new ApiError('MissingParameter', msg);
};

export function checkCreateModelInput(input: CreateModelInput): void {
  if (input.sourceType === 'Train') {
    if (!input.trainMeta) missing('trainMeta is required when sourceType is Train');
    if (input.importMeta) bad('importMeta is only allowed when sourceType is Import');
    checkTrainMeta(input.trainMeta!);
  } else {
    if (!input.importMeta) missing('importMeta is required when sourceType is Import');
    if (input.trainMeta) bad('trainMeta is only allowed when sourceType is Train');
    checkImportMeta(input.importMeta!);
  }
}

/** The checkpoint step the request names, whichever spelling it used. */
export function requestedStep(meta: TrainMeta): number | undefined {
  return meta.checkpointStep ?? meta.step;
}

function checkBaseModelId(field: string, ref: string | undefined): void {
  if (ref !== undefined && !parseBaseRef(ref)) bad(`${field} "${ref}" is not a registry reference; use ${BASE_REF_FORMS}`);
}

function checkTrainMeta(meta: TrainMeta): void {
  checkBaseModelId('trainMeta.baseModelId', meta.baseModelId);
  if (meta.checkpointStep !== undefined && meta.step !== undefined && meta.checkpointStep !== meta.step) {
    bad(`trainMeta.checkpointStep (${meta.checkpointStep}) and trainMeta.step (${meta.step}) disagree; give one of them`);
  }
}

function checkImportMeta(m: ImportMeta): void {
  const hf = isHuggingFace(m.modelFormat);
  const t2i = m.modelApplicationType === 'Text-to-Image';
  if (hf && t2i) {
    bad(`importMeta.modelApplicationType Text-to-Image needs modelFormat Safetensors; ${m.modelFormat} imports are chat or completion models`);
  }
  if (!hf && !t2i) {
    bad(`importMeta.modelFormat Safetensors is for Text-to-Image models; modelApplicationType must be Text-to-Image, not ${m.modelApplicationType} (allowed: ${APPLICATION_TYPES.join(', ')})`);
  }
  checkBaseModelId('importMeta.baseModelId', m.baseModelId);
  if (!hf) {
    const hfOnly = ['chatConf', 'customSpec', 'advanceConf', 'transformerVersion', 'vLLMVersion', 'enablePromptAutoConcat', 'advancedSettings', 'baseModelId'] as const;
    for (const f of hfOnly) {
      if (m[f] !== undefined) bad(`importMeta.${f} is only valid for HuggingFace imports, not modelFormat ${m.modelFormat}`);
    }
    return;
  }
  if (m.chatConf && m.customSpec) bad('importMeta.chatConf and importMeta.customSpec cannot be used together; choose one chat template');
  if ((m.chatConf || m.customSpec) && m.modelApplicationType !== 'chat') {
    bad(`importMeta.${m.chatConf ? 'chatConf' : 'customSpec'} is a chat template and needs modelApplicationType chat, not ${m.modelApplicationType}`);
  }
  if (m.chatConf) checkChatConf(m.chatConf);

  if (m.modelFormat === 'HuggingFace.Transformers') {
    if (m.transformerVersion === undefined) {
      missing(`importMeta.transformerVersion is required for HuggingFace.Transformers imports; supported: ${TRANSFORMER_VERSIONS.join(', ')}`);
    }
  }
  if (m.modelFormat === 'HuggingFace.vLLM' && m.vLLMVersion === undefined) {
    missing(`importMeta.vLLMVersion is required for HuggingFace.vLLM imports; supported: ${VLLM_VERSIONS.join(', ')}`);
  }
  if (m.transformerVersion !== undefined && !(TRANSFORMER_VERSIONS as readonly string[]).includes(m.transformerVersion)) {
    bad(`importMeta.transformerVersion "${m.transformerVersion}" is not supported; supported: ${TRANSFORMER_VERSIONS.join(', ')}`);
  }
  if (m.vLLMVersion !== undefined && !(VLLM_VERSIONS as readonly string[]).includes(m.vLLMVersion)) {
    bad(`importMeta.vLLMVersion "${m.vLLMVersion}" is not supported; supported: ${VLLM_VERSIONS.join(', ')}`);
  }
  if (m.advanceConf !== undefined) checkAdvanceConf(m.advanceConf);
  if (m.advancedSettings) checkAdvancedSettings(m.advancedSettings, m.modelFormat === 'HuggingFace.vLLM' || m.vLLMVersion !== undefined);
}

function checkChatConf(c: ChatConf): void {
  if (!c.historyQATemplate.includes('{question}') || !c.historyQATemplate.includes('{answer}')) {
    bad('importMeta.chatConf.historyQATemplate must contain both {question} and {answer} placeholders');
  }
  if (!c.latestQuestionTemplate.includes('{question}')) {
    bad('importMeta.chatConf.latestQuestionTemplate must contain the {question} placeholder');
  }
}

function checkAdvanceConf(raw: string): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    bad('importMeta.advanceConf must be a JSON object encoded as a string (the result of DescribeModelSystemAdvancedConf)');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    bad('importMeta.advanceConf must encode a JSON object, e.g. "{}"');
  }
}

function checkAdvancedSettings(s: AdvancedSettings, vllm: boolean): void {
  if (s.samplingStrategy === 'beamSearch' && s.numBeams === undefined) {
    missing('importMeta.advancedSettings.numBeams (2-15) is required when samplingStrategy is beamSearch');
  }
  if (s.numBeams !== undefined && s.samplingStrategy !== 'beamSearch') {
    bad(`importMeta.advancedSettings.numBeams only applies to samplingStrategy beamSearch, not ${s.samplingStrategy}`);
  }
  if (s.numSampling !== undefined) {
    if (s.samplingStrategy !== 'multinomialSampling') {
      bad(`importMeta.advancedSettings.numSampling only applies to samplingStrategy multinomialSampling, not ${s.samplingStrategy}`);
    }
    if (!vllm) bad('importMeta.advancedSettings.numSampling needs the vLLM engine (modelFormat HuggingFace.vLLM or a vLLMVersion)');
  }
}
