// The platform's preset advanced configuration per (modelFormat, modelApplicationType), returned
// by DescribeModelSystemAdvancedConf as a JSON string and accepted back as importMeta.advanceConf.
// Values are the serving defaults modelreg recommends; they are data, not behaviour.
import { ERRORS } from '../errors/catalogue.js';
import { APPLICATION_TYPES, MODEL_FORMATS, formatMismatch, isApplicationType, isHuggingFace, isModelFormat } from '../catalogue/formats.js';

const LLM_DEFAULTS = {
  temperature: 0.95,
  top_p: 0.7,
  top_k: 0,
  repetition_penalty: 1.0,
  max_new_tokens: 2048,
  stop: [] as string[],
};

const TEXT_TO_IMAGE_DEFAULTS = {
  num_inference_steps: 25,
  guidance_scale: 7.5,
  width: 1024,
  height: 1024,
  sampler: 'DPM++ 2M Karras',
};

export function systemAdvancedConf(modelFormat: string, modelApplicationType: string): string {
  if (!isModelFormat(modelFormat)) {
    throw ERRORS.FieldNotOneOf('modelFormat', MODEL_FORMATS);
  }
  if (!isApplicationType(modelApplicationType)) {
    throw ERRORS.FieldNotOneOf('modelApplicationType', APPLICATION_TYPES);
  }
  const mismatch = formatMismatch(modelFormat, modelApplicationType, { field: '', noun: 'imports', things: 'models' });
  if (mismatch) throw ERRORS.FormatDoesNotFitApplicationType(modelFormat, modelApplicationType, mismatch);
  if (!isHuggingFace(modelFormat)) return JSON.stringify(TEXT_TO_IMAGE_DEFAULTS);
  return JSON.stringify({ ...LLM_DEFAULTS, ...(modelApplicationType === 'completion' ? { temperature: 0.8 } : {}) });
}
