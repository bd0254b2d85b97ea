// The console's message catalogues (issue 15, item 6): English and Chinese have the same keys,
// every failure code the import can store and every BCE error code the API can send has a message
// in both, and a message uses only the parameters its code carries. Runs the catalogue modules as
// the browser does (they are plain ES modules).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FAILURE_CODES } from '../../../src/domain/import/failure-codes.js';
import { ErrorCode } from '../../../src/domain/errors.js';
// @ts-ignore plain JavaScript modules of the console
import { STRINGS, setLang, t } from '../../../console/i18n.js';
// @ts-ignore
import '../../../console/i18n-ux.js';
// @ts-ignore
import { failureText } from '../../../console/i18n-codes.js';

const en = STRINGS.en as Record<string, string>;
const zh = STRINGS['zh-CN'] as Record<string, string>;
const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1] as string).sort();

test('English and Chinese have the same keys, and the same placeholders in each message', () => {
  assert.deepEqual(Object.keys(en).filter((k) => !(k in zh)), [], 'keys without Chinese');
  assert.deepEqual(Object.keys(zh).filter((k) => !(k in en)), [], 'keys without English');
  for (const k of Object.keys(en)) assert.deepEqual(placeholders(zh[k] as string), placeholders(en[k] as string), k);
});

test('every failure code has a message in both languages, using only the parameters the code carries', () => {
  for (const [code, params] of Object.entries(FAILURE_CODES)) {
    for (const [lang, cat] of [['en', en], ['zh-CN', zh]] as const) {
      const msg = cat[`failure.${code}`];
      assert.ok(msg, `failure.${code} has no ${lang} message`);
      for (const p of placeholders(msg)) assert.ok((params as readonly string[]).includes(p), `failure.${code} (${lang}) uses {${p}}, which the code does not carry`);
    }
  }
});

test('every BCE error code the API sends is explained in both languages', () => {
  const codes = [...new Set(Object.values(ErrorCode).map((e) => e.code))];
  for (const code of codes) {
    assert.ok(en[`errorCode.${code}`], `errorCode.${code} has no English explanation`);
    assert.ok(zh[`errorCode.${code}`], `errorCode.${code} has no Chinese explanation`);
  }
});

test('enum values are translated: statuses, source types, application types, creation sources, formats', () => {
  const keys = ['status.Creating', 'status.Ready', 'status.Fail', 'source.Import', 'source.Train', 'appType.chat', 'appType.completion', 'appType.Text-to-Image', 'creation.UserCreate', 'creation.PlatformPreset', 'format.HuggingFace.Transformers', 'format.HuggingFace.vLLM', 'format.Safetensors', 'chatSource.tokenizer', 'chatSource.chatConf', 'chatSource.customSpec', 'run.Running', 'run.Done', 'run.Failed', 'run.Stopped', 'run.Waiting'];
  for (const k of keys) {
    assert.ok(en[k] && zh[k], k);
    assert.notEqual(zh[k], en[k], `${k} is not translated`);
  }
});

test('a failure reason with a code reads in the chosen language; one without keeps the server sentence', () => {
  const v = { failureCode: 'UnsupportedArchitecture', failureParams: { architecture: 'FooForCausalLM', engine: 'vLLM', version: '0.6.3' }, failureReason: 'Model architectures …' };
  setLang('zh-CN');
  assert.deepEqual(failureText(t, v), { text: 'vLLM 0.6.3 不支持模型架构 FooForCausalLM。', original: 'Model architectures …' });
  setLang('en');
  assert.equal(failureText(t, v).text, 'The architecture FooForCausalLM is not supported by vLLM 0.6.3.');
  assert.deepEqual(failureText(t, { failureReason: 'old reason' }), { text: 'old reason', original: null });
});
