// What the files are × the application type they must serve (file rules). Which format serves
// which application type, and which kinds of model serve each, is the catalogue's
// (domain/catalogue/formats.ts); that the request's format and type fit is a request rule.
//  * chat and completion need a text generation model (decoder-only causal LM, or an
//    encoder-decoder seq2seq model); Text-to-Image a text-to-image model.
//  * chat prompts are built from chatConf, customSpec, or (enablePromptAutoConcat) the tokenizer's
//    chat_template, which must then exist, parse and render.
import { kindServes, type ApplicationType, type ModelKind } from '../catalogue/formats.js';
import { previewWarnings, renderChatTemplatePreview, selectChatTemplate } from './chat-template.js';
import type { HfConfig } from './hf-config.js';
import { ModelValidationError } from './model-validation-error.js';
import { reason } from './failure-codes.js';
import { isKnownTextGenerationArchitecture } from './vllm-architectures.js';

const SEQ2SEQ_MODEL_TYPES = new Set(['t5', 'mt5', 'umt5', 'bart', 'mbart', 'pegasus', 'marian', 'longt5', 'switch_transformers', 'fsmt', 'prophetnet', 'blenderbot', 'blenderbot-small', 'm2m_100', 'nllb-moe', 'plbart', 'led', 'bigbird_pegasus']);

/** What kind of model a config.json describes, judged by its architectures and model_type. */
export function classifyArchitecture(config: HfConfig): ModelKind {
  if (config.isEncoderDecoder || SEQ2SEQ_MODEL_TYPES.has(config.modelType)) return 'seq2seq';
  for (const a of config.architectures) {
    if (/(ForCausalLM|LMHeadModel)$/.test(a) || isKnownTextGenerationArchitecture(a)) return 'causal-lm';
    // Decoder-only *ForConditionalGeneration (ChatGLM, Llava, Qwen2-VL, PaliGemma) generate text too.
    if (/ForConditionalGeneration$/.test(a)) return 'causal-lm';
  }
  return 'other';
}

const KIND_NAMES: Record<ModelKind, string> = {
  'causal-lm': 'a causal language model',
  seq2seq: 'a sequence-to-sequence language model',
  'text-to-image': 'a text-to-image model',
  other: 'not a text-generation model',
};

/**
 * Fails when `kind` cannot serve `appType`. `what` names the evidence, e.g.
 * "config.json architectures ['BertForMaskedLM']".
 */
export function checkApplicationFits(appType: ApplicationType, kind: ModelKind, what: string): void {
  if (kindServes(appType, kind)) return;
  const need =
    appType === 'Text-to-Image'
      ? 'a text-to-image model (a diffusers pipeline or a Stable Diffusion checkpoint)'
      : 'a text-generation model (a *ForCausalLM / *LMHeadModel architecture, or an encoder-decoder *ForConditionalGeneration)';
  throw new ModelValidationError(`modelApplicationType ${appType} needs ${need}, but ${what} is ${KIND_NAMES[kind]}`);
}

export interface ChatTemplateOptions {
  enablePromptAutoConcat?: boolean;
  hasChatConf?: boolean;
  hasCustomSpec?: boolean;
  /** The account the import runs for: the preview takes its turn in the sandbox. */
  account?: string;
  signal?: AbortSignal;
}

export interface ChatTemplateResult {
  chatTemplate?: string;
  chatTemplatePreview?: string;
  warnings: string[];
}

/**
 * For chat imports: decides whether the tokenizer's chat_template is the prompt builder and proves
 * it works. When chatConf/customSpec is given or auto-concat is off, a broken template only warns.
 */
export async function resolveChatTemplate(
  appType: ApplicationType,
  tokenizerConfig: Record<string, unknown> | undefined,
  opts: ChatTemplateOptions,
): Promise<ChatTemplateResult> {
  const warnings: string[] = [];
  if (appType !== 'chat') return { warnings };
  const required = !opts.hasChatConf && !opts.hasCustomSpec && opts.enablePromptAutoConcat === true;
  const why = opts.hasChatConf ? 'chatConf is given' : opts.hasCustomSpec ? 'customSpec is given' : 'enablePromptAutoConcat is off';

  let template: string | undefined;
  try {
    template = tokenizerConfig ? selectChatTemplate(tokenizerConfig) : undefined;
  } catch (err) {
    if (required || !(err instanceof ModelValidationError)) throw err;
    warnings.push(`${err.message} (not used: ${why})`);
    return { warnings };
  }
  if (template === undefined) {
    if (required) {
      throw new ModelValidationError(
        tokenizerConfig
          ? 'enablePromptAutoConcat is on but tokenizer_config.json has no chat_template; add one, or pass chatConf or customSpec'
          : 'enablePromptAutoConcat is on but there is no tokenizer_config.json with a chat_template; add one, or pass chatConf or customSpec',
        'tokenizer_config.json',
      );
    }
    if (!opts.hasChatConf && !opts.hasCustomSpec) {
      warnings.push('chat model without chatConf, customSpec or a tokenizer chat_template: prompts reach the model unformatted');
    }
    return { warnings };
  }
  try {
    const preview = await renderChatTemplatePreview(template, tokenizerConfig ?? {}, opts);
    warnings.push(...previewWarnings(preview));
    return { chatTemplate: template, chatTemplatePreview: preview, warnings };
  } catch (err) {
    if (required || !(err instanceof ModelValidationError)) throw err;
    warnings.push(`${err.message} (not used: ${why})`);
    return { chatTemplate: template, warnings };
  }
}
