// The importMeta the CLI's flags describe (`modelreg import`, `modelreg validate`), and the
// server's own request rules run on it (domain/model/create-model-rules.ts) before anything is
// read, uploaded or created: the CLI has no rules of its own, only the flags' defaults.
import type { Command } from 'commander';
import { ApiError } from '../domain/errors.js';
import { ENGINES, NEWEST_TRANSFORMERS_VERSION, NEWEST_VLLM_VERSION, TRANSFORMER_VERSIONS, VLLM_VERSIONS } from '../domain/catalogue/engines.js';
import { APPLICATION_TYPES, defaultApplicationType, engineOf, isModelFormat, MODEL_FORMATS } from '../domain/catalogue/formats.js';
import { checkImportRequest, type ImportRequest } from '../domain/model/create-model-rules.js';
import { inFlagTerms } from './field-flags.js';

export interface FormatFlags {
  format: string;
  applicationType?: string;
  transformerVersion?: string;
  vllmVersion?: string;
}

/**
 * Declares FormatFlags' options on a command (import, validate). `oneOf`, when given, refuses a
 * format or application type outside its list as the flag is read; without it the command judges them.
 */
export function formatOptions(cmd: Command, oneOf?: (list: readonly string[]) => (v: string) => string): Command {
  const format = ['--format <modelFormat>', `model format: ${MODEL_FORMATS.join(', ')}`] as const;
  const applicationType = ['--application-type <type>', `${APPLICATION_TYPES.join(', ')} (default chat, or Text-to-Image for Safetensors)`] as const;
  const withChoices = oneOf
    ? cmd.option(...format, oneOf(MODEL_FORMATS), DEFAULT_FORMAT).option(...applicationType, oneOf(APPLICATION_TYPES))
    : cmd.option(...format, DEFAULT_FORMAT).option(...applicationType);
  return withChoices
    .option('--transformer-version <v>', `transformers version: ${TRANSFORMER_VERSIONS.join(', ')} (default the newest)`)
    .option('--vllm-version <v>', `vLLM version for HuggingFace.vLLM: ${VLLM_VERSIONS.join(', ')} (default the newest)`);
}

const DEFAULT_FORMAT = 'HuggingFace.Transformers';

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

/** The request rules' refusal (its API error code, the message in the flags' terms); null when the request would be accepted. */
export function importRequestProblem(meta: ImportRequest): { code: string; message: string } | null {
  try {
    checkImportRequest(meta);
    return null;
  } catch (err) {
    if (err instanceof ApiError) return { code: err.code, message: inFlagTerms(err.message) };
    throw err;
  }
}
