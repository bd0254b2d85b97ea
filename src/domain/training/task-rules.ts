// The rules of a training task's life, kept apart from storage so they read as a table:
// a task is created Waiting, becomes Running when its trainer first reports (progress or a
// checkpoint), and ends once, in Done, Failed or Stopped. modelreg does not train; the trainer
// running the task reports its progress, checkpoints and end. The spellings are Qianfan's (the
// Python SDK's TrainStatus: Finish "Done", Running, Fail "Failed", Stop "Stopped", Waiting).
import { ERRORS } from '../errors/catalogue.js';
import { ENGINES, NEWEST_TRANSFORMERS_VERSION, isTransformersVersion, unsupportedVersion } from '../catalogue/engines.js';
import {
  APPLICATION_TYPES,
  CHECKPOINT_FORMATS,
  defaultApplicationType,
  engineOf,
  formatMismatch,
  isApplicationType,
  isModelFormat,
  type ApplicationType,
  type ModelFormat,
} from '../catalogue/formats.js';

/** Qianfan's trainModes, as the Python SDK's TrainMode enum lists them. */
export const TRAIN_MODES = ['SFT', 'PostPretrain', 'DPO', 'KTO'] as const;
export const PARAMETER_SCALES = ['FullFineTuning', 'PromptTuning', 'LoRA'] as const;
export const RUN_STATUSES = ['Waiting', 'Running', 'Done', 'Failed', 'Stopped'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
/** What a trainer may report: the statuses, plus "Fail" as modelreg spelled it before (read as Failed). */
export const REPORTED_STATUSES = [...RUN_STATUSES, 'Fail'] as const;

/** "Fail" (the old spelling) is Failed; every other status is itself. */
export const normalizeStatus = (s: (typeof REPORTED_STATUSES)[number]): RunStatus => (s === 'Fail' ? 'Failed' : s);

/** Waiting or Running: the task may still report, be stopped, and blocks deleting. */
export const isActive = (s: RunStatus): boolean => s === 'Waiting' || s === 'Running';
export const isFinished = (s: RunStatus): boolean => !isActive(s);

/**
 * A checkpoint is a directory of weights in one of the catalogue's CHECKPOINT_FORMATS. Unsaid, it
 * is in the first of them (HuggingFace), of its format's default application type (chat), for the
 * newest supported transformers version (the import job needs one; it warns when config.json was saved by a newer one).
 * These are request rules (see model/create-model-rules.ts for the two homes of a rule).
 */
export function checkpointFormat(input: { modelFormat?: string; modelApplicationType?: string; transformerVersion?: string }): {
  modelFormat: ModelFormat;
  modelApplicationType: ApplicationType;
  transformerVersion: string | null;
} {
  const format = input.modelFormat ?? CHECKPOINT_FORMATS[0];
  if (!(CHECKPOINT_FORMATS as readonly string[]).includes(format) || !isModelFormat(format)) {
    bad(`a checkpoint's modelFormat must be one of: ${CHECKPOINT_FORMATS.join(', ')} (the serving engine is chosen when deploying, not here)`);
  }
  const modelFormat = format as ModelFormat;
  const appType = input.modelApplicationType ?? defaultApplicationType(modelFormat);
  if (!isApplicationType(appType)) throw ERRORS.FieldNotOneOf('modelApplicationType', APPLICATION_TYPES);
  const mismatch = formatMismatch(modelFormat, appType as ApplicationType, { field: '', noun: 'checkpoints', things: 'checkpoints' });
  if (mismatch) bad(mismatch);
  const engine = engineOf(modelFormat);
  if (input.transformerVersion !== undefined) {
    if (engine !== ENGINES.transformers) bad('transformerVersion only applies to HuggingFace checkpoints');
    if (!isTransformersVersion(input.transformerVersion)) bad(unsupportedVersion('', ENGINES.transformers, input.transformerVersion));
  }
  return {
    modelFormat,
    modelApplicationType: appType as ApplicationType,
    transformerVersion: engine === ENGINES.transformers ? (input.transformerVersion ?? NEWEST_TRANSFORMERS_VERSION) : null,
  };
}

const bad = (msg: string): never => {
  throw ERRORS.InvalidParameter(msg);
};

/**
 * What a status report may do, given the task's current status:
 * 'apply' (change it), 'noop' (a retried report of the end already recorded, or Waiting again
 * while Waiting), or an error.
 */
export function checkTransition(taskId: string, from: RunStatus, to: RunStatus): 'apply' | 'noop' {
  if (from === 'Waiting') return to === 'Waiting' ? 'noop' : 'apply';
  if (from === 'Running') {
    if (to === 'Waiting') throw ERRORS.TaskStateConflict(`training task ${taskId} is already Running; it cannot go back to Waiting`);
    return 'apply';
  }
  if (from === to) return 'noop';
  throw ERRORS.TaskStateConflict(`training task ${taskId} already ended ${from}; a finished task's runStatus cannot change to ${to}`);
}

/** Progress arrives as 40 or "40%"; it is kept as an integer percentage. */
export function parseProgress(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const n = typeof value === 'number' ? value : typeof value === 'string' ? percentOf(value) : Number.NaN;
  if (!Number.isFinite(n) || n < 0 || n > 100) {
    throw ERRORS.InvalidRunProgress(value);
  }
  return Math.floor(n);
}

/**
 * "40", " 40.5 % " → the number; NaN otherwise. Trimming first keeps the pattern free of
 * adjacent optional runs (the old /\s*%?\s*$/ backtracked quadratically on long whitespace).
 */
function percentOf(raw: string): number {
  if (raw.length > 32) return Number.NaN;
  let s = raw.trim();
  if (s.endsWith('%')) s = s.slice(0, -1).trimEnd();
  return /^\d{1,3}(\.\d{1,12})?$/.test(s) ? Number.parseFloat(s) : Number.NaN;
}

/** Steps and other integers are stored in 32-bit columns (PostgreSQL integer). */
export const MAX_STEP = 2_147_483_647;

export const showProgress = (n: number): string => `${n}%`;

export function listSteps(steps: number[]): string {
  if (steps.length === 0) return 'none reported yet';
  const shown = steps.length > 20 ? [...steps.slice(0, 10), '…', ...steps.slice(-5)] : steps;
  return shown.join(', ');
}
