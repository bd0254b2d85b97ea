// The Import form: every importMeta field of CreateCustomModel. Choices are limited to what the
// server supports (lib/constants.js is generated from src/domain); everything else is checked
// by the API itself, whose message is shown next to the field it names.
import { FORMAT_APPLICATION_TYPES, FORMAT_VERSION_FIELD, MODEL_FORMATS, SAMPLING_STRATEGIES, TRANSFORMER_VERSIONS, VLLM_VERSIONS } from '../lib/constants.js';
import { h, replace } from '../lib/dom.js';
import { t } from '../i18n.js';
import { clearFieldErrors, errorBox, field, select, showFieldError } from './components.js';

/** HuggingFace formats are served by an engine whose version the form asks for. */
const isHf = (f) => FORMAT_VERSION_FIELD[f] !== null;
const latest = (list) => list[list.length - 1];

export function importForm(ctx, setId, onCreated) {
  const input = (attrs = {}) => h('input', { type: 'text', autocomplete: 'off', spellcheck: 'false', ...attrs });
  const num = (min, max) => h('input', { type: 'number', min: String(min), max: String(max), step: '1', inputmode: 'numeric' });

  const c = {
    bucket: input({ required: true, maxlength: '63' }),
    objectPath: input({ required: true, maxlength: '1024' }),
    modelFormat: select(MODEL_FORMATS.map((f) => ({ value: f, label: t(`format.${f}`, {}, f) })), 'HuggingFace.Transformers'),
    modelApplicationType: select([]),
    transformerVersion: select(TRANSFORMER_VERSIONS, latest(TRANSFORMER_VERSIONS)),
    vLLMVersion: select(VLLM_VERSIONS, latest(VLLM_VERSIONS)),
    basicModelName: input({ maxlength: '128' }),
    baseModelId: input({ maxlength: '128', placeholder: 'amv-… / SET/V1' }),
    historyQATemplate: input({ maxlength: '200', value: '\\n\\nUser: {question} \\nAssistant: {answer}\\n' }),
    latestQuestionTemplate: input({ maxlength: '200', value: '\\n\\nUser: {question} \\nAssistant:' }),
    promptTemplate: h('textarea', { rows: '3', maxlength: '300' }),
    customDisplayName: input({ maxlength: '200' }),
    customFileName: input({ maxlength: '256' }),
    enablePromptAutoConcat: h('input', { type: 'checkbox' }),
    samplingStrategy: select([{ value: '', label: t('form.notSet') }, ...SAMPLING_STRATEGIES.map((s) => ({ value: s, label: `${t(`sampling.${s}`, {}, s)} (${s})` }))], ''),
    numSampling: num(1, 15),
    numBeams: num(2, 15),
    topLogprobs: num(1, 20),
    advanceConf: h('textarea', { rows: '4', spellcheck: 'false', placeholder: '{}' }),
    description: h('textarea', { rows: '2', maxlength: '300' }),
  };

  const chatChoice = (value) => h('label', { class: 'radio' }, h('input', { type: 'radio', name: 'chatTemplate', value, checked: value === 'model', onchange: sync }), t(`form.chat.${value}`));
  const chatRadios = h('fieldset', { class: 'sub' }, h('legend', {}, t('form.chatTemplate')), chatChoice('model'), chatChoice('chatConf'), chatChoice('customSpec'));
  const chatConfBox = h(
    'div',
    { class: 'sub-fields' },
    field({ label: t('field.historyQATemplate'), control: c.historyQATemplate, hint: t('form.historyHint'), path: 'importMeta.chatConf.historyQATemplate' }),
    field({ label: t('field.latestQuestionTemplate'), control: c.latestQuestionTemplate, hint: t('form.latestHint'), path: 'importMeta.chatConf.latestQuestionTemplate' }),
    field({ label: t('field.promptTemplate'), control: c.promptTemplate, hint: t('form.promptHint'), path: 'importMeta.chatConf.promptTemplate' }),
  );
  const templateFile = h('input', { type: 'file', accept: '.jinja,.j2,.jinja2,.txt,.tmpl,text/plain' });
  const uploadStatus = h('div', { 'aria-live': 'polite' });
  templateFile.addEventListener('change', async () => {
    const file = templateFile.files?.[0];
    if (!file) return;
    replace(uploadStatus, h('p', { class: 'muted small' }, t('form.uploading', { name: file.name })));
    try {
      c.customFileName.value = await ctx.api.callWithFile('/v2/model', 'CreateModelCustomConf', 'customSpecFile', file);
      if (!c.customDisplayName.value.trim()) c.customDisplayName.value = file.name.slice(0, 200);
      replace(uploadStatus, h('p', { class: 'ok-box' }, t('form.uploaded', { name: file.name, fileName: c.customFileName.value })));
    } catch (err) {
      if (!ctx.handleAuth(err)) replace(uploadStatus, errorBox(err));
    }
  });
  const customSpecBox = h(
    'div',
    { class: 'sub-fields' },
    field({ label: t('form.templateFile'), control: templateFile, hint: t('form.templateFileHint') }),
    uploadStatus,
    field({ label: t('field.displayName'), control: c.customDisplayName, path: 'importMeta.customSpec.displayName' }),
    field({ label: t('field.fileName'), control: c.customFileName, hint: t('form.fileNameHint'), path: 'importMeta.customSpec.fileName' }),
  );

  const wrap = {};
  const f = (key, label, hint, path = `importMeta.${key}`) => (wrap[key] = field({ label, control: c[key], hint, path }));

  const hfOnly = h(
    'div',
    {},
    h('fieldset', { class: 'group' }, h('legend', {}, t('form.engine')), f('transformerVersion', t('field.transformerVersion')), f('vLLMVersion', t('field.vLLMVersion')), f('basicModelName', t('field.basicModelName'), t('form.basicModelHint')), f('baseModelId', t('field.baseModelId'), t('form.baseModelIdHint'))),
    (wrap.chat = h('fieldset', { class: 'group' }, h('legend', {}, t('form.chatTitle')), chatRadios, chatConfBox, customSpecBox)),
    h('div', { class: 'field checkbox' }, h('label', {}, c.enablePromptAutoConcat, ' ', t('field.enablePromptAutoConcat')), h('div', { class: 'hint' }, t('form.autoConcatHint'))),
    h(
      'fieldset',
      { class: 'group' },
      h('legend', {}, t('form.advancedTitle')),
      h('div', { class: 'grid4' }, f('samplingStrategy', t('field.samplingStrategy'), null, 'importMeta.advancedSettings.samplingStrategy'), f('numSampling', t('field.numSampling'), '1–15', 'importMeta.advancedSettings.numSampling'), f('numBeams', t('field.numBeams'), '2–15', 'importMeta.advancedSettings.numBeams'), f('topLogprobs', t('field.topLogprobs'), '1–20', 'importMeta.advancedSettings.topLogprobs')),
      f('advanceConf', t('field.advanceConf'), t('form.advanceConfHint')),
    ),
  );
  c.enablePromptAutoConcat.dataset.path = 'importMeta.enablePromptAutoConcat';

  const status = h('div', { class: 'form-status', id: 'import-status' });
  const submit = h('button', { type: 'submit' }, t('form.importSubmit'));
  const form = h(
    'form',
    { class: 'card', novalidate: true, 'aria-label': t('source.Import') },
    status,
    h('fieldset', { class: 'group' }, h('legend', {}, t('form.location')), h('div', { class: 'grid2' }, f('bucket', t('field.bucket'), t('form.bucketHint')), f('objectPath', t('field.objectPath'), t('form.objectPathHint')))),
    h('fieldset', { class: 'group' }, h('legend', {}, t('form.format')), h('div', { class: 'grid2' }, f('modelFormat', t('field.modelFormat')), f('modelApplicationType', t('field.modelApplicationType')))),
    hfOnly,
    field({ label: t('field.description'), control: c.description, hint: t('form.descriptionHint'), path: 'description' }),
    h('div', { class: 'actions' }, submit, h('a', { href: `#/sets/${encodeURIComponent(setId)}`, class: 'button-link' }, t('action.cancel'))),
  );

  /** Shows only the fields that apply to the chosen format, type and template. */
  function sync() {
    const format = c.modelFormat.value;
    const hf = isHf(format);
    const types = FORMAT_APPLICATION_TYPES[format];
    const prev = c.modelApplicationType.value;
    if ([...c.modelApplicationType.options].map((o) => o.value).join() !== types.join()) {
      replace(c.modelApplicationType, ...types.map((a) => h('option', { value: a, selected: a === prev }, `${t(`appType.${a}`, {}, a)} (${a})`)));
    }
    hfOnly.hidden = !hf;
    wrap.transformerVersion.hidden = FORMAT_VERSION_FIELD[format] !== 'transformerVersion';
    wrap.vLLMVersion.hidden = FORMAT_VERSION_FIELD[format] !== 'vLLMVersion';
    const chat = c.modelApplicationType.value === 'chat';
    wrap.chat.hidden = !chat;
    const choice = form.querySelector('input[name="chatTemplate"]:checked')?.value ?? 'model';
    chatConfBox.hidden = !chat || choice !== 'chatConf';
    customSpecBox.hidden = !chat || choice !== 'customSpec';
    const strategy = c.samplingStrategy.value;
    wrap.numSampling.hidden = strategy !== 'multinomialSampling';
    wrap.numBeams.hidden = strategy !== 'beamSearch';
    wrap.topLogprobs.hidden = strategy === '';
  }
  c.modelFormat.addEventListener('change', sync);
  c.modelApplicationType.addEventListener('change', sync);
  c.samplingStrategy.addEventListener('change', sync);

  const visible = (el) => !el.closest('[hidden]');
  const text = (el) => el.value.trim();
  const int = (el) => (el.value === '' ? undefined : Number(el.value));

  /** The request body from the visible, filled-in fields. */
  function body() {
    const meta = { bucket: text(c.bucket), objectPath: text(c.objectPath), modelFormat: c.modelFormat.value, modelApplicationType: c.modelApplicationType.value };
    if (isHf(meta.modelFormat)) {
      if (visible(c.transformerVersion)) meta.transformerVersion = c.transformerVersion.value;
      if (visible(c.vLLMVersion)) meta.vLLMVersion = c.vLLMVersion.value;
      if (text(c.basicModelName)) meta.basicModelName = text(c.basicModelName);
      if (text(c.baseModelId)) meta.baseModelId = text(c.baseModelId);
      if (visible(c.historyQATemplate)) meta.chatConf = { historyQATemplate: c.historyQATemplate.value, latestQuestionTemplate: c.latestQuestionTemplate.value, promptTemplate: c.promptTemplate.value };
      if (visible(c.customDisplayName)) meta.customSpec = { displayName: text(c.customDisplayName), fileName: text(c.customFileName) };
      if (c.enablePromptAutoConcat.checked) meta.enablePromptAutoConcat = true;
      if (c.samplingStrategy.value) {
        meta.advancedSettings = { samplingStrategy: c.samplingStrategy.value };
        for (const k of ['numSampling', 'numBeams', 'topLogprobs']) if (visible(c[k]) && int(c[k]) !== undefined) meta.advancedSettings[k] = int(c[k]);
      }
      if (text(c.advanceConf)) meta.advanceConf = text(c.advanceConf);
    }
    const b = { modelSetId: setId, sourceType: 'Import', importMeta: meta };
    if (text(c.description)) b.description = text(c.description);
    return b;
  }

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearFieldErrors(form);
    replace(status);
    submit.disabled = true;
    try {
      onCreated(await ctx.api.model('CreateCustomModel', body()));
    } catch (err) {
      if (ctx.handleAuth(err)) return;
      replace(status, errorBox(err));
      const box = status.querySelector('.error-box');
      box.setAttribute('tabindex', '-1');
      (showFieldError(form, err.message) ?? box).focus();
    } finally {
      submit.disabled = false;
    }
  });

  sync();
  return form;
}
