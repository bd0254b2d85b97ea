// Inspecting a Hugging Face model directory (modelFormat HuggingFace.Transformers / HuggingFace.vLLM).
// Order of work, so that a broken import fails before gigabytes are read:
//  1. from names alone: weights layout and tokenizer presence;
//  2. small documents: config.json, tokenizer_config.json, generation_config.json, the shard index
//     (shard completeness is checked against the listing here);
//  3. the caller's `beforeWeights` checks (engine support, versions, application type, chat template);
//  4. every other file (hashed; .safetensors validated); then the weights, each streamed once.
// Unknown extra files are fine: they are hashed and recorded like the rest.
import type { ObjectStore } from '../../objects/object-store.js';
import { autoMapModules, parseHfConfig, type HfConfig } from './hf-config.js';
import { JSON_DOC_LIMIT, MAX_INDEX_JSON_BYTES, MAX_TOKENIZER_CONFIG_BYTES } from './json-file.js';
import { ModelValidationError } from './model-validation-error.js';
import { reason } from './failure-codes.js';
import { FileSession, listFiles, newReadContext, type ListedFile } from './object-reader.js';
import type { SafetensorsInfo } from './safetensors.js';
import { checkShardsPresent, checkShardTensors, checkTotalSize, parseSafetensorsIndex, SHARD_NAME, type SafetensorsIndex } from './safetensors-index.js';
import type { InspectedFile } from './types.js';

export type TokenizerKind = 'tokenizers-json' | 'sentencepiece' | 'bpe-vocab-merges' | 'wordpiece-vocab' | 'tiktoken';

export interface TokenizerFiles {
  kind: TokenizerKind;
  files: string[];
}

export type HfWeightFormat = 'safetensors' | 'safetensors-sharded' | 'pytorch-pickle';

export interface WeightsPlan {
  format: HfWeightFormat;
  /** The single file, or the index (sharded / pickle index). */
  entry: string;
}

export interface WeightsSummary {
  format: HfWeightFormat;
  /** Weight files in read order (shards sorted by name). */
  files: string[];
  /** Null for pickle weights, which cannot be inspected. */
  parameterCount: number | null;
  dtypes: Record<string, number>;
  tensorCount: number | null;
  /** Tensor name → shape (safetensors weights), kept so adapters can be checked against this model. */
  tensorShapes?: Record<string, number[]>;
}

export interface HfDirectoryMeta {
  config: HfConfig;
  tokenizer: TokenizerFiles | null;
  tokenizerConfig?: Record<string, unknown>;
  generationConfig?: Record<string, unknown>;
  weightsPlan: WeightsPlan;
}

export interface HfDirectoryInspection extends HfDirectoryMeta {
  files: InspectedFile[];
  totalBytes: number;
  weights: WeightsSummary;
  warnings: string[];
}

export interface HfDirectoryOptions {
  /** The listing under prefix, if the caller already has it (saves a second LIST). */
  listing?: ListedFile[];
  /** An existing read session over that listing (inspectModel passes its own). */
  session?: FileSession;
  /** The account the inspection runs for: its large documents take their turn in the sandbox. */
  account?: string;
  signal?: AbortSignal;
  onProgress?: (bytesDone: number, bytesTotal: number) => void;
  /** chat/completion need a tokenizer (default true). */
  requireTokenizer?: boolean;
  /** Runs after the small documents are read, before any weight byte; throw to fail, return warnings. */
  beforeWeights?: (meta: HfDirectoryMeta) => string[] | void | Promise<string[] | void>;
}

/** tokenizer.json files up to this size are parsed to prove they are tokenizers files; larger ones are sniffed. */
const TOKENIZER_JSON_PARSE_LIMIT = 16 * 1024 * 1024;

export async function inspectHfDirectory(store: ObjectStore, bucket: string, prefix: string, opts: HfDirectoryOptions = {}): Promise<HfDirectoryInspection> {
  const location = prefix ? `${bucket}/${prefix}` : bucket;
  let session = opts.session;
  if (!session) {
    const listing = opts.listing ?? (await listFiles(store, bucket, prefix, opts.signal));
    if (listing.length === 0) throw new ModelValidationError(`no files under ${location}`, undefined, reason('NoFiles', { location }));
    const ctxOpts = {
      ...(opts.account !== undefined ? { account: opts.account } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
    };
    session = new FileSession(newReadContext(store, bucket, location, listing, ctxOpts), listing);
  }
  return inspectHfSession(session, opts);
}

export async function inspectHfSession(s: FileSession, opts: HfDirectoryOptions = {}): Promise<HfDirectoryInspection> {
  const warnings: string[] = [];
  const paths = s.paths();
  const weightsPlan = planWeights(paths, s.location);
  const tokenizer = detectTokenizer(paths);
  if (!tokenizer && opts.requireTokenizer !== false) {
    const hint = paths.has('vocab.json') ? ' (vocab.json is there but merges.txt is missing)' : '';
    throw new ModelValidationError(
      `no tokenizer under ${s.location}${hint}: chat and completion need tokenizer.json, tokenizer.model (SentencePiece), vocab.json + merges.txt, or vocab.txt`,
      undefined,
      reason('MissingTokenizer', { location: s.location }),
    );
  }

  // 2. small documents
  const configFile = s.get('config.json');
  if (!configFile) {
    throw new ModelValidationError(
      `no config.json under ${s.location}; Hugging Face formats need the model's config.json (for a single-file Stable Diffusion checkpoint use modelFormat Safetensors with modelApplicationType Text-to-Image)`,
      undefined,
      reason('MissingConfig', { location: s.location }),
    );
  }
  const config = parseHfConfig(await s.readJson(configFile, JSON_DOC_LIMIT));
  if (config.autoMap) warnings.push(...checkAutoMap(config.autoMap, paths, s.location));

  const meta: HfDirectoryMeta = { config, tokenizer, weightsPlan };
  const tc = s.get('tokenizer_config.json');
  if (tc) meta.tokenizerConfig = await s.readJson(tc, MAX_TOKENIZER_CONFIG_BYTES);
  const gc = s.get('generation_config.json');
  if (gc) meta.generationConfig = await s.readJson(gc, JSON_DOC_LIMIT);

  let index: SafetensorsIndex | null = null;
  let binIndexShards: string[] | null = null;
  if (weightsPlan.format === 'safetensors-sharded') {
    index = parseSafetensorsIndex(await s.readJson(s.get(weightsPlan.entry) as ListedFile, MAX_INDEX_JSON_BYTES), weightsPlan.entry);
    warnings.push(...checkShardsPresent(index, paths, s.location));
  } else if (weightsPlan.format === 'pytorch-pickle' && weightsPlan.entry.endsWith('.index.json')) {
    binIndexShards = pickleIndexShards(await s.readJson(s.get(weightsPlan.entry) as ListedFile, MAX_INDEX_JSON_BYTES), weightsPlan.entry, paths, s.location);
  }
  if (paths.has('model.safetensors') && paths.has('model.safetensors.index.json')) {
    warnings.push('both model.safetensors and model.safetensors.index.json are present; Transformers loads model.safetensors, so the shards were only validated and hashed');
  }

  // 3. caller's checks
  const extra = await opts.beforeWeights?.(meta);
  if (extra) warnings.push(...extra);

  // 4. everything else, then the weights
  const weightFiles = weightFilesOf(weightsPlan, index, binIndexShards, paths);
  const weightSet = new Set(weightFiles);
  for (const f of s.listing) {
    if (weightSet.has(f.path) || s.isRead(f.path)) continue;
    if (f.path === 'tokenizer.json') await readTokenizerJson(s, f);
    else if (f.path.endsWith('.safetensors')) await s.readSafetensors(f);
    else await s.hash(f);
  }

  const weights: WeightsSummary = { format: weightsPlan.format, files: weightFiles, parameterCount: null, dtypes: {}, tensorCount: null };
  if (weightsPlan.format === 'pytorch-pickle') {
    for (const p of weightFiles) await s.hash(s.get(p) as ListedFile);
    warnings.push(
      `weights are PyTorch pickle files (${weightFiles.join(', ')}): they cannot be inspected without executing pickle, so tensor checks and the parameter count were skipped; loading them runs arbitrary code, prefer safetensors`,
    );
  } else {
    let params = 0;
    let tensors = 0;
    let tensorBytes = 0;
    const shapes: Record<string, number[]> = {};
    for (const p of weightFiles) {
      const shardName = index ? p.slice(index.dir.length) : p;
      const info: SafetensorsInfo = await s.readSafetensors(s.get(p) as ListedFile, index ? (h) => checkShardTensors(index as SafetensorsIndex, shardName, h) : undefined);
      params += info.parameterCount;
      tensors += info.tensors.length;
      tensorBytes += info.dataBytes;
      for (const t of info.tensors) shapes[t.name] = t.shape;
      for (const [d, n] of Object.entries(info.dtypes)) weights.dtypes[d] = (weights.dtypes[d] ?? 0) + n;
    }
    if (index) checkTotalSize(index, tensorBytes);
    weights.parameterCount = params;
    weights.tensorCount = tensors;
    weights.tensorShapes = shapes;
  }

  const files = s.files();
  return { ...meta, files, totalBytes: files.reduce((n, f) => n + f.size, 0), weights, warnings };
}

/** Which weights Transformers would load, judged by file names (its own precedence order). */
export function planWeights(paths: ReadonlySet<string>, location: string): WeightsPlan {
  if (paths.has('model.safetensors')) return { format: 'safetensors', entry: 'model.safetensors' };
  if (paths.has('model.safetensors.index.json')) return { format: 'safetensors-sharded', entry: 'model.safetensors.index.json' };
  if (paths.has('pytorch_model.bin')) return { format: 'pytorch-pickle', entry: 'pytorch_model.bin' };
  if (paths.has('pytorch_model.bin.index.json')) return { format: 'pytorch-pickle', entry: 'pytorch_model.bin.index.json' };
  const bins = [...paths].filter((p) => /^pytorch_model.*\.bin$/.test(p)).sort();
  if (bins.length > 0) return { format: 'pytorch-pickle', entry: bins[0] as string };

  const rootSt = [...paths].filter((p) => !p.includes('/') && p.endsWith('.safetensors')).sort();
  let hint = '';
  if (rootSt.some((p) => SHARD_NAME.test(p))) hint = `; found shards such as ${rootSt[0]} but no model.safetensors.index.json to say which tensors they hold`;
  else if (rootSt.length > 0) hint = `; found ${rootSt.slice(0, 3).join(', ')}, but Transformers loads only model.safetensors or an index (rename the file to model.safetensors)`;
  throw new ModelValidationError(
    `no weights found: expected model.safetensors, model.safetensors.index.json with shards, or pytorch_model*.bin under ${location}${hint}`,
    undefined,
    reason('MissingWeights', { location }),
  );
}

function weightFilesOf(plan: WeightsPlan, index: SafetensorsIndex | null, binShards: string[] | null, paths: ReadonlySet<string>): string[] {
  if (plan.format === 'safetensors') return [plan.entry];
  if (index) return [...index.shards.keys()].sort().map((f) => index.dir + f);
  if (binShards) return binShards;
  return [...paths].filter((p) => /^pytorch_model.*\.bin$/.test(p)).sort();
}

/** Tokenizer files at the root, in the order tokenizer loaders prefer them. */
export function detectTokenizer(paths: ReadonlySet<string>): TokenizerFiles | null {
  if (paths.has('tokenizer.json')) return { kind: 'tokenizers-json', files: ['tokenizer.json'] };
  for (const sp of ['tokenizer.model', 'spiece.model', 'sentencepiece.bpe.model']) {
    if (paths.has(sp)) return { kind: 'sentencepiece', files: [sp] };
  }
  if (paths.has('vocab.json') && paths.has('merges.txt')) return { kind: 'bpe-vocab-merges', files: ['vocab.json', 'merges.txt'] };
  if (paths.has('vocab.txt')) return { kind: 'wordpiece-vocab', files: ['vocab.txt'] };
  const tk = [...paths].filter((p) => !p.includes('/') && p.endsWith('.tiktoken'));
  if (tk.length > 0) return { kind: 'tiktoken', files: tk };
  return null;
}

/** Custom-code configs (trust_remote_code) need their Python modules next to config.json. */
function checkAutoMap(autoMap: Record<string, unknown>, paths: ReadonlySet<string>, location: string): string[] {
  const { local, remote } = autoMapModules(autoMap);
  for (const m of local) {
    if (!paths.has(m)) {
      throw new ModelValidationError(
        `config.json auto_map refers to custom code in ${m}, which is missing under ${location}; upload the model's .py files or remove auto_map`,
        'config.json',
        reason('MissingCustomCode', { file: m, location }),
      );
    }
  }
  const warnings = [`config.json uses custom code (auto_map: ${local.join(', ')}); the model only loads with trust_remote_code`];
  if (remote.length > 0) warnings.push(`config.json auto_map refers to code in other repositories (${remote.join(', ')}), which an offline deployment cannot fetch`);
  return local.length > 0 || remote.length > 0 ? warnings : [];
}

/** pytorch_model.bin.index.json: the referenced .bin shards must exist (their contents are pickle). */
function pickleIndexShards(raw: Record<string, unknown>, name: string, paths: ReadonlySet<string>, location: string): string[] {
  const wm = raw.weight_map;
  if (typeof wm !== 'object' || wm === null || Array.isArray(wm)) throw new ModelValidationError(`${name} has no "weight_map" object`, name, reason('InvalidShardIndex', { file: name, detail: 'no "weight_map" object' }));
  const shards = [...new Set(Object.values(wm as Record<string, unknown>).map(String))].sort();
  for (const f of shards) {
    if (!paths.has(f)) throw new ModelValidationError(`${f} is missing under ${location}: ${name} maps tensors to it`, f, reason('MissingFile', { file: f, location }));
  }
  return shards;
}

/** Proves tokenizer.json is a tokenizers file: parsed when small, its first byte sniffed otherwise. */
async function readTokenizerJson(s: FileSession, f: ListedFile): Promise<void> {
  if (f.size <= TOKENIZER_JSON_PARSE_LIMIT) {
    const kinds = await s.readJsonKinds(f, TOKENIZER_JSON_PARSE_LIMIT);
    if (kinds.model !== 'object') {
      throw new ModelValidationError(`tokenizer.json has no "model" section; it is not a Hugging Face tokenizers file`, f.path, reason('InvalidTokenizer', { file: f.path, detail: 'no "model" section' }));
    }
    return;
  }
  let sniffed = false;
  await s.hash(f, (chunk) => {
    if (sniffed) return;
    const text = chunk.toString('latin1').trimStart();
    if (text === '') return;
    sniffed = true;
    if (text[0] !== '{') throw new ModelValidationError(`tokenizer.json does not start with a JSON object; it is not a Hugging Face tokenizers file`, f.path, reason('InvalidTokenizer', { file: f.path, detail: 'not a JSON object' }));
  });
}
