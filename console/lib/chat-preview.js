// A preview of what a platform chat template (importMeta.chatConf) makes of a short sample
// conversation: earlier turns through historyQATemplate, the last question through
// latestQuestionTemplate, the whole wrapped by promptTemplate's {input} when it has one.
// The same sample as the server's tokenizer chat_template preview (src/domain/import/chat-template.ts).
export const SAMPLE_CONVERSATION = [
  { role: 'user', content: 'Hello! Who are you?' },
  { role: 'assistant', content: 'I am an assistant. How can I help?' },
  { role: 'user', content: 'What is the capital of France?' },
];

/** The seed examples write "\\n" inside JSON, i.e. a literal backslash-n: show it as a newline. */
const unescape = (s) => s.replace(/\\n/g, '\n').replace(/\\t/g, '\t');

export function renderChatConfPreview(chatConf, conversation = SAMPLE_CONVERSATION) {
  const history = [];
  for (let i = 0; i + 1 < conversation.length; i += 2) {
    history.push(
      unescape(chatConf.historyQATemplate).split('{question}').join(conversation[i].content).split('{answer}').join(conversation[i + 1].content),
    );
  }
  const last = conversation[conversation.length - 1];
  const input = history.join('') + unescape(chatConf.latestQuestionTemplate).split('{question}').join(last.content);
  const prompt = unescape(chatConf.promptTemplate ?? '');
  return prompt.includes('{input}') ? prompt.split('{input}').join(input) : prompt + input;
}
