// Parsing the small JSON documents of a model directory with reasons that name the file.
import { ModelValidationError } from './model-validation-error.js';

/** A parsed small JSON object file; `name` is used in messages. */
export function parseJsonObject(bytes: Buffer, name: string): Record<string, unknown> {
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    throw new ModelValidationError(`${name} starts with a UTF-8 byte-order mark, which Python's json module (used by Transformers and vLLM) rejects; save it without BOM`, name);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new ModelValidationError(`${name} is not valid UTF-8 text`, name);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ModelValidationError(`${name} is not valid JSON: ${(err as Error).message}`, name);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new ModelValidationError(`${name} must contain a JSON object, got ${json === null ? 'null' : Array.isArray(json) ? 'an array' : `a ${typeof json}`}`, name);
  }
  return json as Record<string, unknown>;
}

/** Small JSON documents (configs, indexes, tokenizer_config) never legitimately exceed this. */
export const JSON_DOC_LIMIT = 64 * 1024 * 1024;
