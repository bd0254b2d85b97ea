// What each kind of job carries in jobs.payload (JSON), as one schema per kind: the TypeScript
// types are derived from the schemas, and a stored payload is checked against its schema once,
// when a worker claims the job (worker.ts). A job whose payload does not fit fails with the reason.
// A new kind: its schema here, a JobHandler in src/jobs/<kind>-job.ts, a JobWorker in src/app.ts.
import { Ajv, type ValidateFunction } from 'ajv';
import type { FromSchema } from 'json-schema-to-ts';

const importPayloadSchema = {
  type: 'object',
  required: ['sourceType', 'bucket', 'objectPath', 'modelFormat', 'modelApplicationType'],
  additionalProperties: false,
  properties: {
    /** Import reads the caller's bucket; Train a training task's checkpoint (domain/training/train-source.ts). */
    sourceType: { enum: ['Import', 'Train'] },
    bucket: { type: 'string' },
    objectPath: { type: 'string' },
    modelFormat: { type: 'string' },
    modelApplicationType: { type: 'string' },
    transformerVersion: { type: 'string' },
    vLLMVersion: { type: 'string' },
    enablePromptAutoConcat: { type: 'boolean' },
    hasChatConf: { type: 'boolean' },
    /** The customSpec file uploaded with CreateModelCustomConf. */
    customSpecFile: { type: 'string' },
    /** The base an adapter binds to (a REF, domain/model/base-ref.ts). */
    baseModelId: { type: 'string' },
    trainTaskId: { type: 'string' },
    checkpointStep: { type: 'integer' },
  },
} as const;

/** The export task is the job's subject; nothing else is needed. */
const exportPayloadSchema = { type: 'object', additionalProperties: false, properties: {} } as const;

const schemas = { import: importPayloadSchema, export: exportPayloadSchema } as const;

/** Every kind of durable job (the `jobs.kind` column). */
export type JobKind = keyof typeof schemas;
export const JOB_KINDS = Object.keys(schemas) as JobKind[];

export type ImportJobPayload = FromSchema<typeof importPayloadSchema>;
export type ExportJobPayload = FromSchema<typeof exportPayloadSchema>;

export interface JobPayloads {
  import: ImportJobPayload;
  export: ExportJobPayload;
}

/** A job to queue, its payload typed by its kind. */
export type NewJob = { [K in JobKind]: { id: string; kind: K; subjectId: string; accountId: string; payload: JobPayloads[K] } }[JobKind];

const ajv = new Ajv({ allErrors: false, strict: true, coerceTypes: false, useDefaults: false });
const validators = Object.fromEntries(Object.entries(schemas).map(([kind, schema]) => [kind, ajv.compile(schema)])) as Record<JobKind, ValidateFunction>;

export function isJobKind(kind: string): kind is JobKind {
  return Object.hasOwn(schemas, kind);
}

/** The stored payload of a job of `kind`, checked against its schema; otherwise why it cannot be run. */
export function parseJobPayload<K extends JobKind>(kind: K, json: string): { ok: true; payload: JobPayloads[K] } | { ok: false; reason: string } {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return { ok: false, reason: `the ${kind} job's stored payload is not JSON` };
  }
  const validate = validators[kind];
  if (!validate) return { ok: false, reason: `no job kind "${kind}"` };
  if (!validate(value)) {
    const e = validate.errors?.[0];
    return { ok: false, reason: `the ${kind} job's stored payload does not fit its schema: ${e ? `${e.instancePath || '/'} ${e.message ?? ''}`.trim() : 'unknown shape'}` };
  }
  return { ok: true, payload: value as JobPayloads[K] };
}
