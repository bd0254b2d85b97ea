// Parsing the small JSON documents of a model directory with reasons that name the file. Documents
// above INLINE_PARSE_BYTES are parsed in the sandbox (src/sandbox), so a huge or deeply nested one
// costs the event loop nothing; every document's nesting depth is bounded (MAX_JSON_DEPTH).
import { INLINE_PARSE_BYTES, MAX_CONFIG_JSON_BYTES } from '../../sandbox/limits.js';
import { runInSandbox, SandboxError, type SandboxCaller } from '../../sandbox/sandbox.js';
import { parseJsonChecked, TaskRefusal, topLevelKinds, type TaskOutputs } from '../../sandbox/tasks.js';
import { ModelValidationError } from './model-validation-error.js';
import { reason } from './failure-codes.js';

/** A parsed small JSON object file; `name` is used in messages. Parses on this thread: callers bound the size. */
export function parseJsonObject(bytes: Buffer, name: string): Record<string, unknown> {
  refuseBom(bytes, name);
  let json: unknown;
  try {
    json = parseJsonChecked(bytes, name);
  } catch (err) {
    if (err instanceof TaskRefusal) throw new ModelValidationError(err.message, name, reason('InvalidJson', { file: name, detail: err.message }));
    throw err;
  }
  return asObject(json, name);
}

/** Like parseJsonObject, but documents above INLINE_PARSE_BYTES are parsed in the sandbox. */
export async function parseJsonDocument(bytes: Buffer, name: string, caller: SandboxCaller = {}): Promise<Record<string, unknown>> {
  if (bytes.length <= INLINE_PARSE_BYTES) return parseJsonObject(bytes, name);
  return asObject(await inSandbox('parseJson', bytes, name, caller), name);
}

/**
 * The kind of each top-level member of a JSON object document ('object', 'array', ...), for files whose
 * shape is checked but whose contents are not needed (tokenizer.json): large ones never cross into this heap.
 */
export async function jsonObjectKinds(bytes: Buffer, name: string, caller: SandboxCaller = {}): Promise<Record<string, string>> {
  // A string: the document's own kind, when it is not an object.
  const kinds = bytes.length <= INLINE_PARSE_BYTES ? topLevelKinds(parseJsonObject(bytes, name)) : await inSandbox('jsonTopLevelKinds', bytes, name, caller);
  if (typeof kinds === 'string') throw notAnObject(name, kinds);
  return kinds;
}

/** A large document's task, run in the sandbox: its refusals and failures name the file. */
async function inSandbox<K extends 'parseJson' | 'jsonTopLevelKinds'>(task: K, bytes: Buffer, name: string, caller: SandboxCaller): Promise<TaskOutputs[K]> {
  refuseBom(bytes, name);
  try {
    return await runInSandbox(task, { bytes, name }, caller);
  } catch (err) {
    if (err instanceof SandboxError) {
      throw new ModelValidationError(err.reason === 'refused' ? err.message : `${name} (${bytes.length} bytes) ${err.message} while being parsed`, name, reason('InvalidJson', { file: name, detail: err.message }));
    }
    throw err;
  }
}

function refuseBom(bytes: Buffer, name: string): void {
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    throw new ModelValidationError(`${name} starts with a UTF-8 byte-order mark, which Python's json module (used by Transformers and vLLM) rejects; save it without BOM`, name, reason('InvalidJson', { file: name, detail: 'UTF-8 byte-order mark' }));
  }
}

function asObject(json: unknown, name: string): Record<string, unknown> {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw notAnObject(name, json === null ? 'null' : Array.isArray(json) ? 'array' : typeof json);
  return json as Record<string, unknown>;
}

/** `kind`: the document's JSON kind ('null', 'array', 'string', 'number', 'boolean'). */
function notAnObject(name: string, kind: string): ModelValidationError {
  const got = kind === 'null' ? 'null' : kind === 'array' ? 'an array' : `a ${kind}`;
  return new ModelValidationError(`${name} must contain a JSON object, got ${got}`, name, reason('InvalidJson', { file: name, detail: 'not a JSON object' }));
}

/** Config documents (config.json, generation_config.json, model_index.json, scheduler/preprocessor configs). */
export const JSON_DOC_LIMIT = MAX_CONFIG_JSON_BYTES;
export { MAX_INDEX_JSON_BYTES, MAX_TOKENIZER_CONFIG_BYTES } from '../../sandbox/limits.js';
