// The catalogue (src/domain/catalogue/engines.ts, formats.ts) pinned, and every reader of it
// agreeing with it: the request rules (CreateCustomModel, checkpoint reports), the import's file
// rules, the action schemas, the CLI's defaults and the console's generated constants.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ENGINES, NEWEST_TRANSFORMERS_VERSION, NEWEST_VLLM_VERSION, SAMPLING_STRATEGIES, TRANSFORMER_VERSIONS, VLLM_VERSIONS } from '../../../src/domain/catalogue/engines.js';
import {
  APPLICATION_TYPE_KINDS,
  APPLICATION_TYPES,
  CHECKPOINT_FORMATS,
  defaultApplicationType,
  engineOf,
  FORMAT_APPLICATION_TYPES,
  FORMAT_ENGINE,
  formatServes,
  MODEL_FORMATS,
  type ModelKind,
} from '../../../src/domain/catalogue/formats.js';
import { ApiError } from '../../../src/domain/errors.js';
import { checkApplicationFits } from '../../../src/domain/import/application-type.js';
import { ModelValidationError } from '../../../src/domain/import/model-validation-error.js';
import { checkTransformersVersion } from '../../../src/domain/import/transformers-versions.js';
import { checkVllmArchitecture, VLLM_ARCHITECTURES } from '../../../src/domain/import/vllm-architectures.js';
import { VLLM_LORA } from '../../../src/domain/import/vllm-lora.js';
import { checkImportRequest, type ImportRequest } from '../../../src/domain/model/create-model-rules.js';
import { checkpointFormat } from '../../../src/domain/training/task-rules.js';
import createCustomModel from '../../../src/http/actions/model/create-custom-model.js';
import reportCheckpoint from '../../../src/http/actions/finetuning/report-fine-tuning-task-checkpoint.js';
import { constantsModule } from '../../../src/http/console-route.js';
import { formatFieldsOf, importRequestProblem } from '../../../src/cli/import-request.js';

const KINDS: ModelKind[] = ['causal-lm', 'seq2seq', 'text-to-image', 'other'];
const list = (xs: readonly string[]) => xs.join(', ').replace(/\./g, '\\.');

/** The request rules' refusal of `meta`, or null. */
function refusal(meta: ImportRequest): ApiError | null {
  try {
    checkImportRequest(meta);
    return null;
  } catch (err) {
    assert.ok(err instanceof ApiError, String(err));
    return err;
  }
}

/** A request the rules accept for this format and application type. */
function validRequest(format: (typeof MODEL_FORMATS)[number], appType = defaultApplicationType(format)): ImportRequest {
  const e = engineOf(format);
  return { modelFormat: format, modelApplicationType: appType, ...(e ? { [e.field]: e.versions[e.versions.length - 1] } : {}) };
}

describe('catalogue content', () => {
  it('pins the engines, formats and application types', () => {
    assert.deepEqual(TRANSFORMER_VERSIONS, ['4.34.0', '4.36.2', '4.39.3', '4.40.2']);
    assert.deepEqual(VLLM_VERSIONS, ['0.3.2', '0.4.0', '0.6.3']);
    assert.equal(NEWEST_TRANSFORMERS_VERSION, '4.40.2');
    assert.equal(NEWEST_VLLM_VERSION, '0.6.3');
    assert.deepEqual(MODEL_FORMATS, ['HuggingFace.Transformers', 'HuggingFace.vLLM', 'Safetensors']);
    assert.deepEqual(APPLICATION_TYPES, ['chat', 'completion', 'Text-to-Image']);
    assert.deepEqual(SAMPLING_STRATEGIES, ['multinomialSampling', 'beamSearch', 'greedySearch']);
    assert.deepEqual(FORMAT_APPLICATION_TYPES, { 'HuggingFace.Transformers': ['chat', 'completion'], 'HuggingFace.vLLM': ['chat', 'completion'], Safetensors: ['Text-to-Image'] });
    assert.deepEqual(FORMAT_ENGINE, { 'HuggingFace.Transformers': 'transformers', 'HuggingFace.vLLM': 'vllm', Safetensors: null });
    assert.deepEqual(CHECKPOINT_FORMATS, ['HuggingFace.Transformers', 'Safetensors']);
  });

  it('is consistent: every format serves an application type, every type has a format and kinds of model', () => {
    for (const f of MODEL_FORMATS) {
      assert.ok(FORMAT_APPLICATION_TYPES[f].length > 0, f);
      for (const a of FORMAT_APPLICATION_TYPES[f]) assert.ok(APPLICATION_TYPES.includes(a), `${f} → ${a}`);
    }
    for (const a of APPLICATION_TYPES) {
      assert.ok(MODEL_FORMATS.some((f) => formatServes(f, a)), `no format serves ${a}`);
      assert.ok(APPLICATION_TYPE_KINDS[a].length > 0, a);
    }
    for (const f of CHECKPOINT_FORMATS) assert.ok(MODEL_FORMATS.includes(f));
    // Versions are listed oldest first: the last one is the default.
    for (const e of Object.values(ENGINES)) assert.deepEqual([...e.versions], [...e.versions].sort((x, y) => x.localeCompare(y, 'en', { numeric: true })), e.name);
  });

  it('every vLLM version has an architecture table (with text generation) and LoRA limits, and no other version has', () => {
    assert.deepEqual(Object.keys(VLLM_ARCHITECTURES), [...VLLM_VERSIONS]);
    assert.deepEqual(Object.keys(VLLM_LORA), [...VLLM_VERSIONS]);
    for (const v of VLLM_VERSIONS) {
      assert.ok([...VLLM_ARCHITECTURES[v].values()].includes('generate'), v);
      assert.equal(checkVllmArchitecture(v, ['LlamaForCausalLM']), 'LlamaForCausalLM');
    }
  });
});

describe('request rules read the catalogue', () => {
  it('accept a format with an application type exactly when the catalogue says it serves it', () => {
    for (const f of MODEL_FORMATS) {
      for (const a of APPLICATION_TYPES) {
        const err = refusal(validRequest(f, a));
        assert.equal(err === null, formatServes(f, a), `${f} × ${a}: ${err?.message}`);
        if (err) assert.match(err.message, /Text-to-Image/);
      }
    }
  });

  it('name exactly the catalogue’s values in their refusals', () => {
    for (const f of MODEL_FORMATS) {
      const e = engineOf(f);
      if (!e) continue;
      const missing = refusal({ ...validRequest(f), [e.field]: undefined });
      assert.equal(missing?.code, 'MissingParameter');
      assert.match(missing!.message, new RegExp(`^importMeta\\.${e.field} is required for ${f.replace('.', '\\.')} imports; supported: ${list(e.versions)}$`));
      assert.match(refusal({ ...validRequest(f), [e.field]: '0.0.1' })!.message, new RegExp(`^importMeta\\.${e.field} "0\\.0\\.1" is not supported; supported: ${list(e.versions)}$`));
      for (const v of e.versions) assert.equal(refusal({ ...validRequest(f), [e.field]: v }), null, `${f} ${v}`);
    }
    assert.match(refusal({ modelFormat: 'GGUF', modelApplicationType: 'chat' })!.message, new RegExp(`^importMeta\\.modelFormat "GGUF" is not supported; supported: ${list(MODEL_FORMATS)}$`));
    assert.match(refusal({ modelFormat: 'Safetensors', modelApplicationType: 'image' })!.message, new RegExp(`supported: ${list(APPLICATION_TYPES)}$`));
  });

  it('are where the request checks an import job once repeated now live', () => {
    assert.match(refusal({ ...validRequest('HuggingFace.vLLM'), vLLMVersion: '0.5.0' })!.message, /vLLMVersion "0\.5\.0" is not supported/);
    assert.match(refusal({ ...validRequest('HuggingFace.vLLM'), vLLMVersion: undefined })!.message, /vLLMVersion is required for HuggingFace\.vLLM/);
    assert.match(refusal({ ...validRequest('HuggingFace.Transformers'), transformerVersion: '4.38.0' })!.message, /transformerVersion "4\.38\.0" is not supported; supported: 4\.34\.0, 4\.36\.2, 4\.39\.3, 4\.40\.2$/);
    assert.match(refusal({ ...validRequest('HuggingFace.Transformers'), modelFormat: 'Safetensors' })!.message, /modelFormat Safetensors is for Text-to-Image models; modelApplicationType must be Text-to-Image, not chat/);
    assert.match(refusal({ ...validRequest('HuggingFace.Transformers'), modelApplicationType: 'Text-to-Image' })!.message, /modelApplicationType Text-to-Image needs modelFormat Safetensors; HuggingFace\.Transformers imports are chat or completion models/);
    const chatConf = { historyQATemplate: '{question}{answer}', latestQuestionTemplate: '{question}', promptTemplate: '' };
    assert.match(refusal({ ...validRequest('HuggingFace.Transformers'), chatConf, customSpec: { displayName: 'tpl' } })!.message, /chatConf and importMeta\.customSpec cannot be used together/);
  });

  it('for checkpoints: the formats a trainer may report, each with its default application type and the newest engine', () => {
    for (const f of CHECKPOINT_FORMATS) {
      assert.deepEqual(checkpointFormat({ modelFormat: f }), {
        modelFormat: f,
        modelApplicationType: defaultApplicationType(f),
        transformerVersion: engineOf(f) === ENGINES.transformers ? NEWEST_TRANSFORMERS_VERSION : null,
      });
      for (const a of APPLICATION_TYPES) {
        const ok = formatServes(f, a);
        if (ok) assert.equal(checkpointFormat({ modelFormat: f, modelApplicationType: a }).modelApplicationType, a);
        else assert.throws(() => checkpointFormat({ modelFormat: f, modelApplicationType: a }), (e: ApiError) => e.code === 'InvalidParameter' && /Text-to-Image/.test(e.message));
      }
    }
    assert.throws(() => checkpointFormat({ modelFormat: 'HuggingFace.vLLM' }), new RegExp(`must be one of: ${list(CHECKPOINT_FORMATS)} `));
    assert.throws(() => checkpointFormat({ transformerVersion: '4.38.0' }), new RegExp(`^ApiError: transformerVersion "4\\.38\\.0" is not supported; supported: ${list(TRANSFORMER_VERSIONS)}$`));
  });

  it('the action schemas offer exactly the catalogue’s lists', () => {
    const props = (s: unknown): Record<string, { enum?: string[]; properties?: unknown }> => (s as { properties: Record<string, { enum?: string[] }> }).properties;
    const importMeta = props(props(createCustomModel.body).importMeta);
    assert.deepEqual(importMeta.modelFormat!.enum, [...MODEL_FORMATS]);
    assert.deepEqual(importMeta.modelApplicationType!.enum, [...APPLICATION_TYPES]);
    assert.deepEqual(props(importMeta.advancedSettings).samplingStrategy!.enum, [...SAMPLING_STRATEGIES]);
    assert.deepEqual(props(reportCheckpoint.body).modelFormat!.enum, [...CHECKPOINT_FORMATS]);
    assert.deepEqual(props(reportCheckpoint.body).modelApplicationType!.enum, [...APPLICATION_TYPES]);
  });
});

describe('file rules read the catalogue', () => {
  it('an application type is served by exactly the kinds of model the catalogue lists', () => {
    for (const a of APPLICATION_TYPES) {
      for (const k of KINDS) {
        const fits = APPLICATION_TYPE_KINDS[a].includes(k);
        if (fits) checkApplicationFits(a, k, 'the model');
        else assert.throws(() => checkApplicationFits(a, k, 'the model'), ModelValidationError, `${a} × ${k}`);
      }
    }
  });

  it('transformers advice names catalogue versions; the vLLM table guard lists the catalogue’s versions', () => {
    assert.throws(() => checkTransformersVersion(TRANSFORMER_VERSIONS[0], '4.36.0'), new RegExp(`choose transformerVersion ${TRANSFORMER_VERSIONS[1]!.replace(/\./g, '\\.')} or later$`));
    assert.throws(() => checkTransformersVersion(NEWEST_TRANSFORMERS_VERSION, '9.0.0'), new RegExp(`none of the supported versions \\(${list(TRANSFORMER_VERSIONS)}\\)`));
    assert.throws(() => checkVllmArchitecture('0.5.0', 'LlamaForCausalLM'), new RegExp(`choose one of ${list(VLLM_VERSIONS)}$`));
  });
});

describe('CLI and console read the catalogue', () => {
  it('the CLI’s defaults are each format’s default application type and its engine’s newest version, which the rules accept', () => {
    for (const f of MODEL_FORMATS) {
      const fields = formatFieldsOf({ format: f });
      assert.deepEqual(fields, validRequest(f), f);
      assert.equal(importRequestProblem(fields), null);
    }
    // A refusal names the flag as well as the field.
    assert.match(importRequestProblem(formatFieldsOf({ format: 'HuggingFace.vLLM', vllmVersion: '9.9' }))!, /^--vllm-version \(importMeta\.vLLMVersion\) "9\.9" is not supported/);
  });

  it('the console’s generated constants are the catalogue', async () => {
    const url = `data:text/javascript;base64,${Buffer.from(constantsModule()).toString('base64')}`;
    const c = (await import(url)) as Record<string, unknown>;
    assert.deepEqual(c.MODEL_FORMATS, [...MODEL_FORMATS]);
    assert.deepEqual(c.APPLICATION_TYPES, [...APPLICATION_TYPES]);
    assert.deepEqual(c.FORMAT_APPLICATION_TYPES, FORMAT_APPLICATION_TYPES);
    assert.deepEqual(c.FORMAT_VERSION_FIELD, Object.fromEntries(MODEL_FORMATS.map((f) => [f, engineOf(f)?.field ?? null])));
    assert.deepEqual(c.TRANSFORMER_VERSIONS, [...TRANSFORMER_VERSIONS]);
    assert.deepEqual(c.VLLM_VERSIONS, [...VLLM_VERSIONS]);
    assert.deepEqual(c.SAMPLING_STRATEGIES, [...SAMPLING_STRATEGIES]);
  });
});
