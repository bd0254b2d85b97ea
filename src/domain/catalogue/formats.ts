// Model formats, application types, and which fit which: the one statement of "Text-to-Image
// needs Safetensors" that the request rules (model/create-model-rules.ts, training/task-rules.ts),
// the import's file checks (import/application-type.ts), the CLI and the console all read.
import { ENGINES, type Engine, type EngineId } from './engines.js';

export const MODEL_FORMATS = ['HuggingFace.Transformers', 'HuggingFace.vLLM', 'Safetensors'] as const;
export const APPLICATION_TYPES = ['chat', 'completion', 'Text-to-Image'] as const;
export type ModelFormat = (typeof MODEL_FORMATS)[number];
export type ApplicationType = (typeof APPLICATION_TYPES)[number];

/** What the files of a model turn out to be (import/application-type.ts classifies them). */
export type ModelKind = 'causal-lm' | 'seq2seq' | 'text-to-image' | 'other';

/** The engine that serves a format, whose version the request must name; null: none to choose. */
export const FORMAT_ENGINE: Readonly<Record<ModelFormat, EngineId | null>> = {
  'HuggingFace.Transformers': 'transformers',
  'HuggingFace.vLLM': 'vllm',
  Safetensors: null,
};

/** The application types each format serves; the first is the default when none is named. */
export const FORMAT_APPLICATION_TYPES: Readonly<Record<ModelFormat, readonly ApplicationType[]>> = {
  'HuggingFace.Transformers': ['chat', 'completion'],
  'HuggingFace.vLLM': ['chat', 'completion'],
  Safetensors: ['Text-to-Image'],
};

/** The kinds of model that can serve each application type. */
export const APPLICATION_TYPE_KINDS: Readonly<Record<ApplicationType, readonly ModelKind[]>> = {
  chat: ['causal-lm', 'seq2seq'],
  completion: ['causal-lm', 'seq2seq'],
  'Text-to-Image': ['text-to-image'],
};

/**
 * The formats a trainer may report a checkpoint in: HuggingFace weights (imported with the
 * Transformers engine; the serving engine is chosen when deploying) or Safetensors (text-to-image).
 */
export const CHECKPOINT_FORMATS = ['HuggingFace.Transformers', 'Safetensors'] as const satisfies readonly ModelFormat[];

export const isModelFormat = (f: string): f is ModelFormat => (MODEL_FORMATS as readonly string[]).includes(f);
export const isApplicationType = (a: string): a is ApplicationType => (APPLICATION_TYPES as readonly string[]).includes(a);
/** The HuggingFace formats are the language-model ones, served by an engine the request names. */
export const isHuggingFace = (f: string): boolean => isModelFormat(f) && FORMAT_ENGINE[f] !== null;
export const engineOf = (f: ModelFormat): Engine | null => (FORMAT_ENGINE[f] === null ? null : ENGINES[FORMAT_ENGINE[f]]);
export const defaultApplicationType = (f: ModelFormat): ApplicationType => FORMAT_APPLICATION_TYPES[f][0]!;
export const formatServes = (f: ModelFormat, a: ApplicationType): boolean => FORMAT_APPLICATION_TYPES[f].includes(a);
export const formatsServing = (a: ApplicationType): ModelFormat[] => MODEL_FORMATS.filter((f) => formatServes(f, a));
export const kindServes = (a: ApplicationType, k: ModelKind): boolean => APPLICATION_TYPE_KINDS[a].includes(k);

/** How a request rule names what it checks: its fields' prefix ("importMeta.") and what it creates. */
export interface RuleWords {
  field: string;
  /** "imports", "checkpoints": what the format's entries are called. */
  noun: string;
  /** "models", "checkpoints": what a single-purpose format is for. */
  things: string;
}

/** Why `format` cannot serve `appType`, in the request's own terms; null when it can. */
export function formatMismatch(format: ModelFormat, appType: ApplicationType, w: RuleWords): string | null {
  const served = FORMAT_APPLICATION_TYPES[format];
  if (served.includes(appType)) return null;
  if (served.length === 1) {
    return `${w.field}modelFormat ${format} is for ${served[0]} ${w.things}; modelApplicationType must be ${served[0]}, not ${appType}`;
  }
  return `${w.field}modelApplicationType ${appType} needs modelFormat ${formatsServing(appType).join(' or ')}; ${format} ${w.noun} are ${served.join(' or ')} models`;
}
