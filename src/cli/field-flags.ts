// The API's request fields as the CLI's flags and arguments: an error about a field names what
// the user typed ("--transformer-version (importMeta.transformerVersion) …"), not only the path.
// Server errors say which field through X-Modelreg-Error-Field; local checks name it in the text.

/** API field path → the flag (or argument) that sets it. Longer, more specific paths first. */
export const FLAG_OF: ReadonlyArray<readonly [string, string]> = [
  ['importMeta.chatConf.historyQATemplate', '--history-template'],
  ['importMeta.chatConf.latestQuestionTemplate', '--latest-question-template'],
  ['importMeta.chatConf.promptTemplate', '--prompt-template'],
  ['importMeta.advancedSettings.samplingStrategy', '--sampling-strategy'],
  ['importMeta.advancedSettings.numSampling', '--num-sampling'],
  ['importMeta.advancedSettings.numBeams', '--num-beams'],
  ['importMeta.advancedSettings.topLogprobs', '--top-logprobs'],
  ['importMeta.customSpec.fileName', '--chat-template-file'],
  ['importMeta.modelApplicationType', '--application-type'],
  ['importMeta.transformerVersion', '--transformer-version'],
  ['importMeta.basicModelName', '--base-model'],
  ['importMeta.baseModelId', '--base'],
  ['importMeta.modelFormat', '--format'],
  ['importMeta.vLLMVersion', '--vllm-version'],
  ['importMeta.advanceConf', '--advance-conf'],
  ['importMeta.objectPath', '--path'],
  ['importMeta.bucket', '--bucket'],
  ['transformerVersion', '--transformer-version'],
  ['vLLMVersion', '--vllm-version'],
  ['modelApplicationType', '--application-type'],
  ['modelSetName', '<name>'],
  ['modelType', '--type'],
  ['labels', '--label'],
  ['description', '--description'],
  ['modelSetId', '--set'],
];

const flagOf = new Map(FLAG_OF);

/**
 * The message with the API field it names shown as the flag that sets it. `field` (from the
 * server's X-Modelreg-Error-Field) says which; without it the first known path in the text is used.
 */
export function inFlagTerms(message: string, field?: string): string {
  const pairs = field !== undefined ? (flagOf.has(field) ? [[field, flagOf.get(field) as string] as const] : []) : FLAG_OF;
  for (const [api, flag] of pairs) {
    const re = new RegExp(`(?<![\\w.-])${api.replace(/\./g, '\\.')}(?![\\w.])`);
    if (re.test(message)) return message.replace(re, `${flag} (${api})`);
  }
  // A field the text does not spell out as such (or a local check's): named in front.
  if (field !== undefined && flagOf.has(field)) return `${flagOf.get(field)} (${field}): ${message}`;
  return message;
}
