// A PEFT adapter as a ModelInspection. What depends on the base (architecture, context length,
// token limits, whether the adapter fits) is decided when the base is resolved
// (src/jobs/adapter-binding.ts); here the adapter is validated on its own.
import type { ApplicationType } from '../catalogue/formats.js';
import { resolveChatTemplate } from './application-type.js';
import type { InspectModelInput } from './inspect-model.js';
import type { FileSession } from './object-reader.js';
import { inspectPeftSession } from './peft-adapter.js';
import type { ModelInspection } from './types.js';

export async function inspectAdapterSession(s: FileSession, input: InspectModelInput, appType: 'chat' | 'completion'): Promise<ModelInspection> {
  const adapter = await inspectPeftSession(s);
  const warnings = [...adapter.warnings];
  let chat: { chatTemplate?: string; chatTemplatePreview?: string } = {};
  if (adapter.tokenizerConfig) {
    const r = await resolveChatTemplate(appType as ApplicationType, adapter.tokenizerConfig, {
      ...(input.enablePromptAutoConcat !== undefined ? { enablePromptAutoConcat: input.enablePromptAutoConcat } : {}),
      ...(input.hasChatConf !== undefined ? { hasChatConf: input.hasChatConf } : {}),
      ...(input.hasCustomSpec !== undefined ? { hasCustomSpec: input.hasCustomSpec } : {}),
      ...(s.ctx.account !== undefined ? { account: s.ctx.account } : {}),
      ...(s.ctx.signal ? { signal: s.ctx.signal } : {}),
    });
    warnings.push(...r.warnings);
    chat = r;
  }
  const files = s.files();
  const dtype = dominant(adapter.dtypes);
  const out: ModelInspection = {
    files,
    totalBytes: files.reduce((n, f) => n + f.size, 0),
    architecture: '',
    modelType: `peft-${adapter.config.peftType.toLowerCase()}`,
    kind: 'causal-lm',
    weightFormat: 'safetensors',
    parameterCount: adapter.parameterCount,
    dtype,
    dtypes: adapter.dtypes,
    // The base's, filled in once it is known.
    contextLength: 0,
    tokenLimitations: { trivial: { inputTokens: 0, outputTokens: 0, characterLimit: 0 } },
    // An adapter deploys on its base (vLLM --enable-lora) and can be evaluated there; compressing
    // applies to full weights, not to a low-rank delta.
    capabilities: { isSupportDeploy: true, isSupportModelComp: false, isSupportEvaluation: true, modelCompConfigs: [] },
    warnings,
    adapter,
  };
  if (chat.chatTemplate !== undefined) out.chatTemplate = chat.chatTemplate;
  if (chat.chatTemplatePreview !== undefined) out.chatTemplatePreview = chat.chatTemplatePreview;
  return out;
}

function dominant(dtypes: Record<string, number>): string | null {
  const e = Object.entries(dtypes).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  return e.length > 0 ? (e[0] as [string, number])[0] : null;
}
