// modelreg validate DIR: the checks an import runs, on a local directory, before anything is
// uploaded: the server's request rules (domain/model/create-model-rules.ts), then the file rules
// its import job runs (domain/import). Exit 0 when the import
// would be accepted, 3 with the reason it would fail (as `modelreg import` exits), 2 on bad usage.
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { inspectModel, ModelValidationError, type InspectModelInput } from '../../domain/import/inspect-model.js';
import { MODEL_FORMATS } from '../../domain/catalogue/formats.js';
import type { ImportRequest } from '../../domain/model/create-model-rules.js';
import type { ObjectInfo, ObjectStore } from '../../objects/object-store.js';
import { formatFieldsOf, formatOptions, importRequestProblem, type FormatFlags } from '../import-request.js';
import { CliError, EXIT, formatBytes, formatFields, printJson, usageError } from '../output.js';
import { listModelDir, type LocalFile } from '../upload.js';

const BUCKET = 'local';

/** A read-only ObjectStore over the files of one local directory (hidden entries skipped, as uploads do). */
function directoryStore(files: LocalFile[]): ObjectStore {
  const byKey = new Map(files.map((f) => [f.rel, f]));
  const info = (f: LocalFile): ObjectInfo => ({ key: f.rel, size: f.size });
  const readOnly = async (): Promise<never> => {
    throw new Error('the directory is only read');
  };
  return {
    kind: 'local-directory',
    bucketExists: async (b) => b === BUCKET,
    async *list(_b, prefix) {
      for (const f of files) if (!prefix || f.rel.startsWith(prefix + '/')) yield info(f);
    },
    stat: async (_b, key) => (byKey.has(key) ? info(byKey.get(key) as LocalFile) : null),
    read: async (_b, key, range) => {
      const f = byKey.get(key);
      if (!f) throw Object.assign(new Error(`no such file: ${key}`), { code: 'ENOENT' });
      return fs.createReadStream(f.abs, { highWaterMark: 4 * 1024 * 1024, ...(range ? { start: range.start, end: range.end } : {}) });
    },
    write: readOnly,
    delete: readOnly,
    createBucket: readOnly,
  };
}

interface ValidateFlags extends FormatFlags {
  enablePromptAutoConcat?: boolean;
  chatTemplateFile?: boolean;
  json?: boolean;
}

export function registerValidate(program: Command): void {
  formatOptions(
    program
      .command('validate <dir>')
      .description('check a local model directory as an import would (format, config, tokenizer, weights, chat template), before uploading'),
  )
    .option('--enable-prompt-auto-concat', 'the import will use the tokenizer’s chat template')
    .option('--chat-template-file', 'the import will use an uploaded chat template (customSpec)')
    .option('--json', 'print JSON for scripts')
    .action(async (dir: string, o: ValidateFlags) => {
      if (!MODEL_FORMATS.includes(o.format as never)) throw usageError(`--format must be one of: ${MODEL_FORMATS.join(', ')}`);
      const files = await listModelDir(dir);
      const request: ImportRequest = {
        ...formatFieldsOf(o),
        ...(o.enablePromptAutoConcat ? { enablePromptAutoConcat: true } : {}),
        // The template's file would be uploaded with the import; the rules judge that one is given.
        ...(o.chatTemplateFile ? { customSpec: { displayName: 'chat template' } } : {}),
      };
      const where = path.resolve(dir);
      // A request rule's refusal carries its API error code (CreateCustomModel would answer it);
      // a file rule's its stable failure code and parameters (DescribeModel would show them).
      const wouldFail = (reason: string, coded?: { code: string; params?: unknown }, errorCode?: string): CliError => {
        if (o.json) printJson({ valid: false, dir: where, failureReason: reason, ...(errorCode ? { errorCode } : {}), ...(coded ? { failureCode: coded.code, failureParams: coded.params } : {}) });
        return new CliError(`${where}: an import would fail: ${reason}`, EXIT.importFailed);
      };
      const problem = importRequestProblem(request);
      if (problem) throw wouldFail(problem.message, undefined, problem.code);
      const { customSpec, ...fields } = request;
      const input: InspectModelInput = { bucket: BUCKET, objectPath: '', ...fields, ...(customSpec ? { hasCustomSpec: true } : {}) };
      try {
        const r = await inspectModel(directoryStore(files), input);
        if (o.json) return printJson({ valid: true, dir: where, ...input, bucket: undefined, objectPath: undefined, architecture: r.architecture, modelType: r.modelType, parameterCount: r.parameterCount, dtype: r.dtype, contextLength: r.contextLength, tokenLimitations: r.tokenLimitations, totalBytes: r.totalBytes, files: r.files, warnings: r.warnings });
        const tl = r.tokenLimitations?.trivial;
        process.stdout.write(
          `${where}: an import would be accepted\n` +
            formatFields([
              ['Format', input.modelFormat],
              ['Application type', input.modelApplicationType],
              ['Architecture', `${r.architecture} (${r.modelType})`],
              ['Parameters', typeof r.parameterCount === 'number' ? r.parameterCount.toLocaleString('en-US') : undefined],
              ['Dtype', r.dtype ?? undefined],
              ['Context length', r.contextLength],
              ['Token limits', tl ? `input ${tl.inputTokens}, output ${tl.outputTokens}, characters ${tl.characterLimit}` : undefined],
              ['Files', `${r.files.length}, ${formatBytes(r.totalBytes)}`],
            ]) +
            (r.warnings.length ? `Warnings:\n${r.warnings.map((w) => `  - ${w}`).join('\n')}\n` : ''),
        );
      } catch (err) {
        if (!(err instanceof ModelValidationError)) throw err;
        throw wouldFail(err.message, err.reason);
      }
    });
}
