// The operator's catalogues, read once at start: a bad file stops the server with a message
// naming the file and the problem, rather than answering clients wrongly later.
import fs from 'node:fs';
import { Ajv } from 'ajv';
import { DEFAULT_FINE_TUNING_MODELS, FINE_TUNING_MODELS_SCHEMA, type FineTuningModel } from './fine-tuning-models.js';
import { normalizeSystemModelSets, SYSTEM_MODEL_SETS_SCHEMA, type SystemModelSet } from './system-model-sets.js';

export interface Catalogues {
  /** DescribeFineTuningSupportModels. */
  fineTuningModels: FineTuningModel[];
  /** DescribeSystemModelSets. */
  systemModelSets: SystemModelSet[];
}

const ajv = new Ajv({ allErrors: false, strict: false });

export function loadCatalogues(files: { fineTuningModelsFile?: string; systemModelSetsFile?: string }): Catalogues {
  return {
    fineTuningModels: files.fineTuningModelsFile ? readJson<FineTuningModel[]>(files.fineTuningModelsFile, FINE_TUNING_MODELS_SCHEMA) : DEFAULT_FINE_TUNING_MODELS,
    systemModelSets: files.systemModelSetsFile ? wrap(files.systemModelSetsFile, () => normalizeSystemModelSets(readJson(files.systemModelSetsFile!, SYSTEM_MODEL_SETS_SCHEMA))) : [],
  };
}

function readJson<T>(file: string, schema: object): T {
  let value: unknown;
  try {
    value = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`catalogue file ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
  const validate = ajv.compile(schema);
  if (!validate(value)) {
    const e = validate.errors?.[0];
    throw new Error(`catalogue file ${file}: ${e?.instancePath || 'the top level'} ${e?.message ?? 'is invalid'}${e?.params ? ' ' + JSON.stringify(e.params) : ''}`);
  }
  return value as T;
}

function wrap<T>(file: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    const msg = (err as Error).message;
    throw new Error(msg.startsWith('catalogue file') ? msg : `catalogue file ${file}: ${msg}`);
  }
}
