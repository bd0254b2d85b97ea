// Rules for user-supplied bucket names, object keys and directory prefixes.
// The local store maps them straight onto filesystem paths, so these rules are the
// first defence against path traversal (the stores check resolved paths again).
import { STORE_ERRORS } from './object-store-error.js';

/** S3's key limit, in UTF-8 bytes. */
export const MAX_OBJECT_PATH_BYTES = 1024;

const invalid = STORE_ERRORS.invalid;

/** Quotes a value for an error message: escapes control characters, cuts long input. */
const show = (value: string) => JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);

/**
 * Validates a relative '/'-separated path inside a bucket and returns its canonical
 * form (duplicate and trailing slashes collapsed). Throws InvalidParameter naming `field`.
 */
export function normalizeObjectPath(path: string, field = 'importMeta.objectPath'): string {
  if (typeof path !== 'string') throw invalid(field, 'must be a string');
  if (path.trim() === '') throw invalid(field, 'must not be empty; give a directory inside the bucket, e.g. "models/my-model"');
  if (/\p{Cc}/u.test(path)) throw invalid(field, `must not contain control characters such as NUL, tab or newline (got ${show(path)})`);
  if (/\p{Cs}/u.test(path)) throw invalid(field, 'must be valid Unicode (it contains an unpaired surrogate)');
  if (path.includes('\\')) throw invalid(field, `must use "/" to separate directories, not "\\" (got ${show(path)})`);
  if (path.startsWith('/')) throw invalid(field, `must be relative to the bucket root; remove the leading "/" (got ${show(path)})`);
  if (/^[A-Za-z]:/.test(path)) throw invalid(field, `must be relative to the bucket root, not a drive path (got ${show(path)})`);
  const segments = path.split('/').filter((s) => s !== '');
  for (const s of segments) {
    if (s === '..' || s === '.') throw invalid(field, `must not contain "${s}" path segments (got ${show(path)})`);
  }
  const normalized = segments.join('/');
  const bytes = Buffer.byteLength(normalized, 'utf8');
  if (bytes > MAX_OBJECT_PATH_BYTES) {
    throw invalid(field, `is ${bytes} bytes long in UTF-8; the maximum is ${MAX_OBJECT_PATH_BYTES}`);
  }
  return normalized;
}

/** An object key must already be canonical: stores never silently rename objects. */
export function validateObjectKey(key: string, field = 'object key'): string {
  const normalized = normalizeObjectPath(key, field);
  if (normalized !== key) {
    throw invalid(field, `must not contain empty segments or a trailing "/" (got ${show(key)}, did you mean ${show(normalized)}?)`);
  }
  return key;
}

export function isValidObjectKey(key: string): boolean {
  try {
    validateObjectKey(key);
    return true;
  } catch {
    return false;
  }
}

/** A listing prefix names a directory: '' (whole bucket) or 'a/b' → 'a/b/'. */
export function directoryPrefix(prefix: string, field = 'prefix'): string {
  return prefix === '' ? '' : `${normalizeObjectPath(prefix, field)}/`;
}

/**
 * Joins a directory (canonical path, or '' for the bucket root) and a relative name.
 * Both parts are validated, and neither may hold '..', so the result always lies inside `dir`.
 */
export function joinObjectKey(dir: string, relative: string, field = 'object key'): string {
  const base = dir === '' ? '' : validateObjectKey(dir, field);
  const rel = normalizeObjectPath(relative, field);
  const key = normalizeObjectPath(base === '' ? rel : `${base}/${rel}`, field);
  if (base !== '' && !key.startsWith(`${base}/`)) throw invalid(field, `escapes directory ${show(base)}`);
  return key;
}

/**
 * S3/BOS bucket naming rules: 3–63 characters of lowercase letters, digits, '-' and '.',
 * starting and ending with a letter or digit, no '..', not shaped like an IP address.
 * The local store also only treats directories with such names as buckets.
 */
export function validateBucketName(name: string, field = 'importMeta.bucket'): string {
  if (typeof name !== 'string' || name === '') throw invalid(field, 'must not be empty');
  const rules = 'use 3–63 lowercase letters, digits, "-" or ".", starting and ending with a letter or digit';
  if (name.length < 3 || name.length > 63) throw invalid(field, `must be 3–63 characters long (got ${show(name)})`);
  if (!/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/.test(name)) throw invalid(field, `is not a valid bucket name (got ${show(name)}); ${rules}`);
  if (name.includes('..')) throw invalid(field, `must not contain ".." (got ${show(name)})`);
  if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) throw invalid(field, `must not look like an IP address (got ${show(name)})`);
  return name;
}

/**
 * Checks a read range ([start, end], inclusive). With a known size, `end` is clamped to the
 * last byte (as HTTP does) and a start at or past the end is rejected.
 */
export function checkRange(
  range: { start: number; end: number },
  key: string,
  size?: number,
): { start: number; end: number } {
  const { start, end } = range;
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start) {
    throw invalid('range', `must be whole byte offsets with 0 <= start <= end (got start=${start}, end=${end})`);
  }
  if (size === undefined) return { start, end };
  if (start >= size) throw rangeBeyondEnd(key, start, size);
  return { start, end: Math.min(end, size - 1) };
}

export const rangeBeyondEnd = (key: string, start: number, size?: number) =>
  invalid('range', `start ${start} is beyond the end of ${show(key)}${size === undefined ? '' : ` (${size} bytes)`}`);
