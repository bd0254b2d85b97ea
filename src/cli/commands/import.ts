// modelreg import DIR --set S --bucket B --path P: upload a local model directory into a bucket
// of the registry's object store, create the version (CreateCustomModel, sourceType Import) and
// follow it until Ready (exit 0) or Fail (exit 3).
//
// Uploading goes straight to the object store the server reads, with the same configuration the
// server uses (src/config.ts): an S3-compatible store (MODELREG_S3_* with the uploader's own S3
// credentials, or "s3" in --config FILE), or the local store's buckets directory
// (--buckets-dir / --data-dir / MODELREG_BUCKETS_DIR), which works only on the server's machine
// or a shared filesystem. The API itself never carries model bytes.
import fs from 'node:fs';
import path from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { loadConfig } from '../../config.js';
import { ApiError } from '../../domain/errors.js';
import { SAMPLING_STRATEGIES } from '../../domain/catalogue/engines.js';
import type { CreateModelInput, ImportMeta } from '../../domain/model/create-model-rules.js';
import { normalizeObjectPath, validateBucketName } from '../../objects/object-path.js';
import type { ObjectStore } from '../../objects/object-store.js';
import { ObjectStoreError } from '../../objects/object-store-error.js';
import { clientOptions, resolveClient, type ClientFlags } from '../client-options.js';
import { failIfFailed, followVersion, formatVersion } from '../follow.js';
import { formatFieldsOf, formatOptions, importRequestProblem, type FormatFlags } from '../import-request.js';
import { inFlagTerms } from '../field-flags.js';
import { findSet, MODEL_ROUTE } from '../model-sets.js';
import { CliError, EXIT, formatBytes, printJson, usageError } from '../output.js';
import { ProgressBar } from '../progress.js';
import { existingKeys, listModelDir, uploadFiles } from '../upload.js';
import { parseSeconds } from './versions.js';

interface ImportFlags extends ClientFlags, FormatFlags {
  set: string;
  bucket: string;
  path: string;
  baseModel?: string;
  base?: string;
  description?: string;
  historyTemplate?: string;
  latestQuestionTemplate?: string;
  promptTemplate?: string;
  chatTemplateFile?: string;
  enablePromptAutoConcat?: boolean;
  samplingStrategy?: string;
  numSampling?: number;
  numBeams?: number;
  topLogprobs?: number;
  advanceConf?: string;
  upload: boolean;
  bucketsDir?: string;
  dataDir?: string;
  config?: string;
  createBucket?: boolean;
  replace?: boolean;
  wait: boolean;
  timeout?: number;
  interval: number;
}

const int = (v: string): number => {
  if (!/^\d+$/.test(v.trim())) throw new InvalidArgumentError('expected a whole number');
  return Number(v);
};

const oneOf = (list: readonly string[]) => (v: string) => {
  if (!list.includes(v)) throw new InvalidArgumentError(`expected one of: ${list.join(', ')}`);
  return v;
};

/** A JSON string, or @file to read it from a file. */
function advanceConfArg(v: string): string {
  if (!v.startsWith('@')) return v;
  try {
    return fs.readFileSync(v.slice(1), 'utf8');
  } catch (err) {
    throw new InvalidArgumentError(`cannot read ${v.slice(1)}: ${(err as Error).message}`);
  }
}

/** importMeta from the flags; the server's own rules (create-model-rules.ts) check it before any byte moves. */
function importMetaOf(o: ImportFlags): ImportMeta {
  const meta: ImportMeta = { bucket: o.bucket, objectPath: o.path, ...formatFieldsOf(o) };
  if (o.baseModel) meta.basicModelName = o.baseModel;
  if (o.base) meta.baseModelId = o.base;
  if (o.historyTemplate !== undefined || o.latestQuestionTemplate !== undefined || o.promptTemplate !== undefined) {
    if (o.historyTemplate === undefined || o.latestQuestionTemplate === undefined) {
      throw usageError('a platform chat template needs both --history-template and --latest-question-template (--prompt-template is optional)');
    }
    meta.chatConf = { historyQATemplate: o.historyTemplate, latestQuestionTemplate: o.latestQuestionTemplate, promptTemplate: o.promptTemplate ?? '' };
  }
  if (o.enablePromptAutoConcat) meta.enablePromptAutoConcat = true;
  if (o.samplingStrategy) {
    meta.advancedSettings = { samplingStrategy: o.samplingStrategy };
    if (o.numSampling !== undefined) meta.advancedSettings.numSampling = o.numSampling;
    if (o.numBeams !== undefined) meta.advancedSettings.numBeams = o.numBeams;
    if (o.topLogprobs !== undefined) meta.advancedSettings.topLogprobs = o.topLogprobs;
  } else if (o.numSampling !== undefined || o.numBeams !== undefined || o.topLogprobs !== undefined) {
    throw usageError('--num-sampling, --num-beams and --top-logprobs need --sampling-strategy');
  }
  if (o.advanceConf !== undefined) meta.advanceConf = o.advanceConf;
  return meta;
}

/** The object store to upload into: the server's configuration, named explicitly. */
async function uploadTarget(o: ImportFlags): Promise<{ store: ObjectStore; where: string }> {
  // Loaded on use: the S3 client is heavy and only an upload needs it.
  const { createObjectStore } = await import('../../objects/index.js');
  if (o.bucketsDir) {
    const dir = path.resolve(o.bucketsDir);
    return { store: createObjectStore({ kind: 'local', rootDir: dir }), where: dir };
  }
  const envSays = ['MODELREG_BUCKETS_DIR', 'MODELREG_DATA_DIR', 'MODELREG_CONFIG', 'MODELREG_S3_ENDPOINT', 'MODELREG_S3_REGION'].some((k) => process.env[k]);
  if (!o.dataDir && !o.config && !envSays) {
    throw usageError(
      'say where the registry keeps its buckets: --buckets-dir DIR or --data-dir DIR (local store; on the server’s machine), ' +
        '--config FILE (the server’s config file), or MODELREG_S3_ENDPOINT with MODELREG_S3_ACCESS_KEY_ID/MODELREG_S3_SECRET_ACCESS_KEY (S3-compatible store); ' +
        'or --no-upload when the files are already in the bucket',
    );
  }
  const config = loadConfig({ dataDir: o.dataDir }, o.config);
  if (config.s3) return { store: createObjectStore({ kind: 's3', ...config.s3 }), where: `the S3 store ${config.s3.endpoint ?? `(AWS, ${config.s3.region})`}` };
  return { store: createObjectStore({ kind: 'local', rootDir: config.bucketsDir }), where: config.bucketsDir };
}

async function upload(o: ImportFlags, dir: string, bucket: string, prefix: string, say: (s: string) => void): Promise<void> {
  const files = await listModelDir(dir);
  const total = files.reduce((n, f) => n + f.size, 0);
  const { store, where } = await uploadTarget(o);
  try {
    if (!(await store.bucketExists(bucket))) {
      if (!o.createBucket) throw new CliError(`bucket "${bucket}" does not exist in ${where}; pass --create-bucket to create it`, EXIT.apiError);
      await store.createBucket(bucket);
    }
    const existing = await existingKeys(store, bucket, prefix);
    if (existing.length > 0) {
      if (!o.replace) {
        throw usageError(`bos://${bucket}/${prefix} already holds ${existing.length} object(s); pass --replace to replace them, or --no-upload to import what is there`);
      }
      const keep = new Set(files.map((f) => `${prefix}/${f.rel}`));
      for (const k of existing) if (!keep.has(k)) await store.delete(bucket, k);
    }
    const bar = process.stderr.isTTY ? new ProgressBar(total, 'uploading') : null;
    await uploadFiles(store, bucket, prefix, files, (done, f) => bar?.update(done, f.rel));
    bar?.finish();
    say(`uploaded ${files.length} files (${formatBytes(total)}) to bos://${bucket}/${prefix}`);
  } finally {
    await store.close?.();
  }
}

export function registerImport(program: Command): void {
  clientOptions(
    formatOptions(
      program
        .command('import [dir]')
        .description('upload a local model directory to a bucket, create the version and follow it until Ready (0) or Fail (3)')
        .requiredOption('--set <nameOrId>', 'the model set to add the version to (name or am-… id)')
        .requiredOption('--bucket <bucket>', 'bucket of the registry’s object store')
        .requiredOption('--path <objectPath>', 'directory inside the bucket, e.g. models/qwen2-7b'),
      oneOf,
    )
      .option('--base-model <name>', 'basicModelName (HuggingFace for other models)')
      .option('--base <ref>', 'for a LoRA adapter: the base version it binds to (amv-…, SET/Vn), importMeta.baseModelId')
      .option('--description <text>', 'version description (up to 300 characters)')
      .option('--history-template <t>', 'platform chat template (chatConf): history turn, with {question} and {answer}')
      .option('--latest-question-template <t>', 'platform chat template: the last question, with {question}')
      .option('--prompt-template <t>', 'platform chat template: the prompt around {input} (optional)')
      .option('--chat-template-file <file>', 'a Jinja chat template to upload (CreateModelCustomConf) and use as customSpec')
      .option('--enable-prompt-auto-concat', 'build prompts from the chat template automatically')
      .option('--sampling-strategy <s>', `advancedSettings: ${SAMPLING_STRATEGIES.join(', ')}`, oneOf(SAMPLING_STRATEGIES))
      .option('--num-sampling <n>', 'advancedSettings.numSampling (1-15, multinomialSampling with vLLM)', int)
      .option('--num-beams <n>', 'advancedSettings.numBeams (2-15, beamSearch)', int)
      .option('--top-logprobs <n>', 'advancedSettings.topLogprobs (1-20)', int)
      .option('--advance-conf <json>', 'advanced config as a JSON object, or @file', advanceConfArg)
      .option('--no-upload', 'do not upload: the files are already at bucket/path')
      .option('--buckets-dir <dir>', 'upload into this local buckets directory (the server’s --buckets-dir)')
      .option('--data-dir <dir>', 'upload into <dir>/buckets (the server’s --data-dir)')
      .option('--config <file>', 'upload where this server config file says (its bucketsDir or s3)')
      .option('--create-bucket', 'create the bucket when it does not exist')
      .option('--replace', 'replace objects already under bucket/path (removing those not in DIR)')
      .option('--no-wait', 'return once the version is created (status Creating)')
      .option('--timeout <seconds>', 'stop following after this long (exit 4)', parseSeconds)
      .option('--interval <seconds>', 'status poll interval', parseSeconds, 1),
  ).action(async (dir: string | undefined, o: ImportFlags) => {
    // DIR is what gets uploaded: needed unless --no-upload imports what is already in the bucket.
    if (o.upload && dir === undefined) throw usageError('give the model directory to upload (modelreg import DIR …), or --no-upload to import what is already under --bucket/--path');
    if (!o.upload && dir !== undefined) process.stderr.write(`modelreg: warning: --no-upload: ${dir} is not read; the files already under ${o.bucket}/${o.path} are imported\n`);
    const say = (s: string) => {
      if (!o.json) process.stderr.write(`${s}\n`);
    };
    // Everything the command line decides is checked before anything is uploaded or created.
    let bucket: string;
    let prefix: string;
    const meta = importMetaOf(o);
    try {
      bucket = validateBucketName(o.bucket, '--bucket');
      prefix = normalizeObjectPath(o.path, '--path');
      meta.objectPath = prefix;
      // The chat template file is uploaded (and named) later: the rules judge that one is given.
      const problem = importRequestProblem({ ...meta, ...(o.chatTemplateFile ? { customSpec: { displayName: path.basename(o.chatTemplateFile) } } : {}) });
      if (problem) throw usageError(problem.message);
    } catch (err) {
      if (err instanceof ApiError || err instanceof ObjectStoreError) throw usageError(inFlagTerms(err.message));
      throw err;
    }
    const { client } = resolveClient(o);
    const set = await findSet(client, o.set);
    // The server checks the grant before a byte is written to the bucket (or an object replaced).
    if (o.upload) await client.call(MODEL_ROUTE, 'CheckBucketAccess', { bucket });

    if (o.chatTemplateFile) {
      let content: Buffer;
      try {
        content = fs.readFileSync(o.chatTemplateFile);
      } catch (err) {
        throw usageError(`cannot read --chat-template-file ${o.chatTemplateFile}: ${(err as Error).message}`);
      }
      const displayName = path.basename(o.chatTemplateFile).slice(0, 200);
      const fileName = await client.callWithFile<string>(MODEL_ROUTE, 'CreateModelCustomConf', 'customSpecFile', displayName, content);
      meta.customSpec = { displayName, fileName };
    }

    if (o.upload) await upload(o, dir as string, bucket, prefix, say);
    const body: CreateModelInput = { modelSetId: set.modelSetId, sourceType: 'Import', importMeta: meta };
    if (o.description !== undefined) body.description = o.description;
    const created = await client.call(MODEL_ROUTE, 'CreateCustomModel', body);
    if (!o.wait) {
      if (o.json) return printJson(created);
      return void process.stdout.write(`created ${set.modelSetName} version ${created.modelId} (Creating); follow it with: modelreg versions wait ${created.modelId}\n`);
    }
    say(`created version ${created.modelId} in ${set.modelSetName}; importing…`);
    const m = await followVersion(client, created.modelId, { timeoutMs: o.timeout === undefined ? undefined : o.timeout * 1000, intervalMs: o.interval * 1000 });
    if (o.json) printJson(m);
    else process.stdout.write(formatVersion(m));
    failIfFailed(m);
  });
}
