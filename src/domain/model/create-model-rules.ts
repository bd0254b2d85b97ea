// The request rules of CreateCustomModel's parameter tables (seeds/create-custom-model.txt) that a
// JSON schema cannot express: which fields go with which sourceType and modelFormat, and which
// engine versions exist. Types and lengths are checked by the request schema before this runs.
//
// A validation rule has one of two homes:
//  * request rules — decidable from the request alone, checked before anything is created:
//    the action's JSON schema (types, lengths, enums) and this file (cross-field rules) for
//    CreateCustomModel; training/task-rules.ts for what a trainer reports. They throw ApiError.
//  * file rules — need the model's files: domain/import (inspect-model.ts is the entry), run by
//    the import job and by `modelreg validate`. They assume a request these rules accepted, and
//    throw ModelValidationError, the version's failure reason.
// What exists and what fits what (engines, formats, application types) is the catalogue's
// (domain/catalogue/engines.ts, formats.ts); both homes read it.
import { ERRORS } from '../errors/catalogue.js';
import { ENGINES, unsupportedVersion } from '../catalogue/engines.js';
import { APPLICATION_TYPES, MODEL_FORMATS, engineOf, formatMismatch, isApplicationType, isModelFormat, type ApplicationType, type ModelFormat } from '../catalogue/formats.js';
import { BASE_REF_FORMS, parseBaseRef } from './base-ref.js';

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

/**
 * importMeta as the request rules read it. A customSpec is judged by its presence, so one may be
 * named before its file is uploaded (the CLI uploads it after these rules pass); whether the file
 * exists, and the bucket and path, are checked where the account is known (import-source.ts).
 */
export type ImportRequest = Omit<ImportMeta, 'bucket' | 'objectPath' | 'customSpec'> & {
  customSpec?: { displayName: string; fileName?: string };
};

export interface CreateModelInput {
  modelSetId: string;
  description?: string;
  sourceType: 'Train' | 'Import';
  trainMeta?: TrainMeta;
  importMeta?: ImportMeta;
  resourceConfig?: { resourceId: string };
}

const bad = (msg: string): never => {
  throw ERRORS.InvalidParameter(msg);
};
const missing = (msg: string): never => {
  throw ERRORS.MissingParameter(msg);
};

export function checkCreateModelInput(input: CreateModelInput): void {
  if (input.sourceType === 'Train') {
    if (!input.trainMeta) missing('trainMeta is required when sourceType is Train');
    if (input.importMeta) bad('importMeta is only allowed when sourceType is Import');
    checkTrainMeta(input.trainMeta!);
  } else {
    if (!input.importMeta) missing('importMeta is required when sourceType is Import');
    if (input.trainMeta) bad('trainMeta is only allowed when sourceType is Train');
    checkImportRequest(input.importMeta!);
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

/** The request rules of an Import's importMeta: those that need no model set or account (the CLI runs them too). */
export function checkImportRequest(m: ImportRequest): void {
  if (!isModelFormat(m.modelFormat)) throw ERRORS.FieldNotSupported('importMeta.modelFormat', m.modelFormat, MODEL_FORMATS);
  if (!isApplicationType(m.modelApplicationType)) {
    throw ERRORS.FieldNotSupported('importMeta.modelApplicationType', m.modelApplicationType, APPLICATION_TYPES);
  }
  const format = m.modelFormat as ModelFormat;
  const mismatch = formatMismatch(format, m.modelApplicationType as ApplicationType, { field: 'importMeta.', noun: 'imports', things: 'models' });
  if (mismatch) bad(mismatch);
  checkBaseModelId('importMeta.baseModelId', m.baseModelId);
  const engine = engineOf(format);
  if (!engine) {
    const engineOnly = ['chatConf', 'customSpec', 'advanceConf', 'transformerVersion', 'vLLMVersion', 'enablePromptAutoConcat', 'advancedSettings', 'baseModelId'] as const;
    for (const f of engineOnly) {
      if (m[f] !== undefined) bad(`importMeta.${f} is only valid for HuggingFace imports, not modelFormat ${m.modelFormat}`);
    }
    return;
  }
  if (m.chatConf && m.customSpec) bad('importMeta.chatConf and importMeta.customSpec cannot be used together; choose one chat template');
  if ((m.chatConf || m.customSpec) && m.modelApplicationType !== 'chat') {
    bad(`importMeta.${m.chatConf ? 'chatConf' : 'customSpec'} is a chat template and needs modelApplicationType chat, not ${m.modelApplicationType}`);
  }
  if (m.chatConf) checkChatConf(m.chatConf);

  if (m[engine.field] === undefined) {
    missing(`importMeta.${engine.field} is required for ${m.modelFormat} imports; supported: ${engine.versions.join(', ')}`);
  }
  // A version of the other engine may ride along (numSampling reads vLLMVersion); it must exist too.
  for (const e of Object.values(ENGINES)) {
    const v = m[e.field];
    if (v !== undefined && !(e.versions as readonly string[]).includes(v)) bad(unsupportedVersion('importMeta.', e, v));
  }
  if (m.advanceConf !== undefined) checkAdvanceConf(m.advanceConf);
  if (m.advancedSettings) checkAdvancedSettings(m.advancedSettings, engine === ENGINES.vllm || m.vLLMVersion !== undefined);
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
