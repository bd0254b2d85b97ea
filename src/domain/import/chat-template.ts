// The tokenizer's chat template (tokenizer_config.json `chat_template`): a Jinja string, or a list of
// {name, template} from which Transformers uses 'default'. With enablePromptAutoConcat the platform
// builds prompts with it, so it must parse and render; we prove that with @huggingface/jinja (the JS
// port used by transformers.js) on a sample two-turn conversation.
import { MAX_TEMPLATE_BYTES } from '../../sandbox/limits.js';
import { runInSandbox, SandboxError, type SandboxCaller } from '../../sandbox/sandbox.js';
import { ModelValidationError } from './model-validation-error.js';

const FILE = 'tokenizer_config.json';

/** user → assistant → user: two user turns, ending where the model should answer. */
export const SAMPLE_CONVERSATION = [
  { role: 'user', content: 'Hello! Who are you?' },
  { role: 'assistant', content: 'I am an assistant. How can I help?' },
  { role: 'user', content: 'What is the capital of France?' },
] as const;

/**
 * The template Transformers would use, or undefined when there is none. A list without a 'default'
 * entry fails as in Transformers ("multiple chat templates with no default specified").
 */
export function selectChatTemplate(tokenizerConfig: Record<string, unknown>): string | undefined {
  const t = tokenizerConfig.chat_template;
  if (t === undefined || t === null) return undefined;
  if (typeof t === 'string') {
    if (t.trim() === '') throw new ModelValidationError(`${FILE} chat_template is an empty string`, FILE).as('InvalidChatTemplate');
    return t;
  }
  if (Array.isArray(t)) {
    const named = new Map<string, string>();
    for (const entry of t) {
      const e = entry as { name?: unknown; template?: unknown } | null;
      if (!e || typeof e.name !== 'string' || typeof e.template !== 'string') {
        throw new ModelValidationError(`${FILE} chat_template list entries must be {"name": string, "template": string}, got ${JSON.stringify(entry)}`, FILE).as('InvalidChatTemplate');
      }
      named.set(e.name, e.template);
    }
    const d = named.get('default');
    if (d === undefined) {
      throw new ModelValidationError(
        `${FILE} has named chat templates [${[...named.keys()].join(', ')}] but none named 'default', which Transformers uses for chat`,
        FILE,
      ).as('InvalidChatTemplate');
    }
    return d;
  }
  throw new ModelValidationError(`${FILE} chat_template must be a string or a list of {name, template}, got ${typeof t}`, FILE).as('InvalidChatTemplate');
}

/** Special tokens (bos_token, eos_token, ...) as strings; AddedToken objects carry them in `content`. */
export function specialTokens(tokenizerConfig: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(tokenizerConfig)) {
    if (!k.endsWith('_token')) continue;
    if (typeof v === 'string') out[k] = v;
    else if (v && typeof v === 'object' && typeof (v as { content?: unknown }).content === 'string') out[k] = (v as { content: string }).content;
  }
  return out;
}

/**
 * Parses and renders the template on SAMPLE_CONVERSATION in the sandbox (src/sandbox: a template can
 * loop or allocate without bound); returns the rendered prompt.
 */
export async function renderChatTemplatePreview(template: string, tokenizerConfig: Record<string, unknown>, caller: SandboxCaller = {}): Promise<string> {
  const bytes = Buffer.byteLength(template, 'utf8');
  if (bytes > MAX_TEMPLATE_BYTES) {
    throw new ModelValidationError(`${FILE} chat_template is ${bytes} bytes; modelreg accepts chat templates of at most ${MAX_TEMPLATE_BYTES} bytes`, FILE).as('InvalidChatTemplate');
  }
  let out: string;
  try {
    const context = { ...specialTokens(tokenizerConfig), messages: SAMPLE_CONVERSATION.map((m) => ({ ...m })), add_generation_prompt: true };
    out = await runInSandbox('renderTemplate', { template, context }, caller);
  } catch (err) {
    if (!(err instanceof SandboxError)) throw err;
    const why = err.reason === 'refused' ? err.message.replace(/^fails to render:/, 'fails to render a two-turn user/assistant/user conversation:') : `${err.message} while rendering a two-turn conversation`;
    throw new ModelValidationError(`${FILE} chat_template ${why}`, FILE).as('InvalidChatTemplate');
  }
  if (out.trim() === '') {
    throw new ModelValidationError(`${FILE} chat_template renders a two-turn conversation as an empty prompt`, FILE).as('InvalidChatTemplate');
  }
  return out;
}

/** Warnings for a rendered preview that drops the conversation's text (a template ignoring messages). */
export function previewWarnings(preview: string): string[] {
  const missing = SAMPLE_CONVERSATION.filter((m) => !preview.includes(m.content));
  if (missing.length === 0) return [];
  return [`${FILE} chat_template leaves out ${missing.map((m) => `the ${m.role} message "${m.content}"`).join(', ')} of the sample conversation`];
}
