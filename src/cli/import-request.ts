// The importMeta the CLI's flags describe (`modelreg import`, `modelreg validate`), and the
// server's own request rules run on it (domain/model/create-model-rules.ts) before anything is
// read, uploaded or created: the CLI has no rules of its own, only the flags' defaults.
import { ApiError } from '../domain/errors.js';
import { ENGINES, NEWEST_TRANSFORMERS_VERSION, NEWEST_VLLM_VERSION } from '../domain/catalogue/engines.js';
import { defaultApplicationType, engineOf, isModelFormat } from '../domain/catalogue/formats.js';
import { checkImportRequest, type ImportRequest } from '../domain/model/create-model-rules.js';

export interface FormatFlags {
  format: string;
  applicationType?: string;
  transformerVersion?: string;
  vllmVersion?: string;
}

const NEWEST = { transformerVersion: NEWEST_TRANSFORMERS_VERSION, vLLMVersion: NEWEST_VLLM_VERSION };

/**
 * modelFormat, modelApplicationType and the engine versions: the format's engine defaults to its
 * newest version and the application type to the format's first; a version given for another
 * engine is passed on for the rules to judge.
 */
export function formatFieldsOf(o: FormatFlags): Pick<ImportRequest, 'modelFormat' | 'modelApplicationType' | 'transformerVersion' | 'vLLMVersion'> {
  const engine = isModelFormat(o.format) ? engineOf(o.format) : null;
  const given = { transformerVersion: o.transformerVersion, vLLMVersion: o.vllmVersion };
  const out: ReturnType<typeof formatFieldsOf> = {
    modelFormat: o.format,
    modelApplicationType: o.applicationType ?? (isModelFormat(o.format) ? defaultApplicationType(o.format) : ''),
  };
  for (const e of Object.values(ENGINES)) {
    const v = given[e.field] ?? (e === engine ? NEWEST[e.field] : undefined);
    if (v !== undefined) out[e.field] = v;
  }
  return out;
}

/** The request rules' refusal, in the flags' terms; null when the request would be accepted. */
export function importRequestProblem(meta: ImportRequest): string | null {
  try {
    checkImportRequest(meta);
    return null;
  } catch (err) {
    if (err instanceof ApiError) return inFlagTerms(err.message);
    throw err;
  }
}

/** The API's field paths in a rule's message, as the flags that set them ("--transformer-version (importMeta.transformerVersion)"). */
const FLAG_OF: Array<[string, string]> = [
  ['importMeta.chatConf.historyQATemplate', '--history-template'],
  ['importMeta.chatConf.latestQuestionTemplate', '--latest-question-template'],
  ['importMeta.chatConf.promptTemplate', '--prompt-template'],
  ['importMeta.advancedSettings.samplingStrategy', '--sampling-strategy'],
  ['importMeta.advancedSettings.numSampling', '--num-sampling'],
  ['importMeta.advancedSettings.numBeams', '--num-beams'],
  ['importMeta.advancedSettings.topLogprobs', '--top-logprobs'],
  ['importMeta.modelApplicationType', '--application-type'],
  ['importMeta.transformerVersion', '--transformer-version'],
  ['importMeta.basicModelName', '--base-model'],
  ['importMeta.modelFormat', '--format'],
  ['importMeta.vLLMVersion', '--vllm-version'],
  ['importMeta.advanceConf', '--advance-conf'],
  ['importMeta.objectPath', '--path'],
  ['importMeta.bucket', '--bucket'],
  ['transformerVersion', '--transformer-version'],
  ['vLLMVersion', '--vllm-version'],
  ['modelApplicationType', '--application-type'],
];

export function inFlagTerms(message: string): string {
  for (const [api, flag] of FLAG_OF) {
    const re = new RegExp(`(?<![\\w.-])${api.replace(/\./g, '\\.')}(?![\\w.])`);
    if (re.test(message)) return message.replace(re, `${flag} (${api})`);
  }
  return message;
}
