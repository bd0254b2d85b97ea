// Stricter JSON for request bodies than JSON.parse alone. JSON.parse keeps the last of duplicated
// keys silently, accepts any nesting depth, turns invalid UTF-8 into U+FFFD and lets keys such as
// "__proto__" through to code that may merge objects. Each of those becomes a 400 here, with a
// message naming the key and where it is, before the body reaches an action or the domain. The scan
// is shared with the model-file readers (src/domain/json/json-scan.ts); the limits and words are ours.
import { ERRORS } from '../domain/errors/catalogue.js';
import { formatJsonPath, scanJson, type JsonPathSegment, type JsonProblem } from '../domain/json/json-scan.js';

/** Deeper than any action's schema needs (the deepest is 4), shallow enough to be cheap. */
export const MAX_JSON_DEPTH = 32;

/** Keys that mean something to JavaScript objects; no action has a field with these names. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Decodes UTF-8, refusing malformed sequences instead of replacing them with U+FFFD. */
export function decodeUtf8Strict(buf: Buffer): string {
  try {
    return utf8.decode(buf);
  } catch {
    throw ERRORS.BodyNotUtf8();
  }
}

export function parseStrictJson(text: string, maxDepth = MAX_JSON_DEPTH): unknown {
  if (text.charCodeAt(0) === 0xfeff) {
    throw ERRORS.BodyHasByteOrderMark();
  }
  // The scan runs first so that absurd nesting is refused before JSON.parse spends time on it;
  // its other findings wait until JSON.parse has said the text is JSON at all.
  const problem = scan(text, maxDepth);
  if (problem?.kind === 'depth') throw ERRORS.InappropriateJSON(problem.message);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw ERRORS.BodyNotJson((err as Error).message);
  }
  if (problem) throw ERRORS.InappropriateJSON(problem.message);
  return value;
}

/** The shared scan with this layer's limits; its finding worded for a request body. */
function scan(text: string, maxDepth: number): { kind: JsonProblem['kind']; message: string } | null {
  const problem = scanJson(text, { maxDepth, forbiddenKeys: FORBIDDEN_KEYS, checkStrings: true });
  return problem && { kind: problem.kind, message: message(problem) };
}

/** Where a problem is: a field path, or the request body itself. */
function message(problem: JsonProblem): string {
  const where = (path: JsonPathSegment[]): string => {
    const field = formatJsonPath(path);
    return field ? `in ${printable(field, 200)}` : 'in the request body';
  };
  switch (problem.kind) {
    case 'depth':
      return `the request body is nested more than ${problem.maxDepth} levels deep`;
    case 'forbidden-key':
      return `the key "${problem.key}" is not allowed (${where(problem.path)}): no request field has that name`;
    case 'duplicate-key':
      return `duplicate key "${printable(problem.key)}" ${where(problem.path)}: each key may appear only once per object`;
    case 'lone-surrogate':
      return `a string ${where(problem.path)} contains an unpaired UTF-16 surrogate escape (\\ud800-\\udfff); strings must be valid Unicode`;
    case 'nul':
      return `a string ${where(problem.path)} contains the NUL character (\\u0000), which is not allowed`;
  }
}

/** Keys are echoed in messages: keep them short and free of control characters. */
function printable(s: string, max = 64): string {
  const t = s.replace(/[\u0000-\u001f\u007f]/g, '?');
  return t.length > max ? t.slice(0, max) + '…' : t;
}
