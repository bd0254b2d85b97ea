// Parses and validates a request body against its action's schema, turning the first problem
// into one clear sentence that names the field: "importMeta.bucket is required".
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { ApiError } from '../domain/errors.js';
import { ERRORS } from '../domain/errors/catalogue.js';
import type { ActionDef } from './actions/action.js';
import { decodeUtf8Strict, parseStrictJson } from './strict-json.js';

const ajv = new Ajv({ allErrors: false, strict: true, coerceTypes: false, useDefaults: false });
// Free-form objects (training parameters) are bounded by their JSON size: every byte a client
// sends is counted against a documented limit (docs/limits.md).
ajv.addKeyword({
  keyword: 'maxJsonBytes',
  type: 'object',
  schemaType: 'number',
  errors: true,
  validate: function maxJsonBytes(limit: number, data: unknown) {
    const size = Buffer.byteLength(JSON.stringify(data));
    if (size <= limit) return true;
    (maxJsonBytes as any).errors = [{ keyword: 'maxJsonBytes', message: `must be at most ${limit} bytes of JSON`, params: { limit, size } }];
    return false;
  },
});
const compiled = new WeakMap<ActionDef, ValidateFunction>();

export function parseJsonBody(action: ActionDef, raw: Buffer | undefined): unknown {
  const text = raw ? decodeUtf8Strict(raw) : '';
  if (text.trim() === '') {
    const required = (action.body?.required as string[] | undefined) ?? [];
    // An action without required fields reads an empty body as {}: the SDKs send nothing when
    // called without data, and that call means "no parameters".
    if (required.length === 0) return {};
    throw ERRORS.BodyEmpty(action.name, required);
  }
  // Duplicate keys, "__proto__"-like keys and deep nesting are refused here (strict-json.ts).
  const value = parseStrictJson(text);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw ERRORS.BodyNotObject(value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value);
  }
  return value;
}

/**
 * Validates a parsed body in place and returns the paths of the fields it ignored. BCE's rule
 * (its common error table): unrecognised items in a request are ignored, never an error, so the
 * SDKs may send what a newer Qianfan knows (e.g. the Python SDK's extra keyword arguments). They
 * are removed before the schema runs, so a known field with a wrong type or value is still refused.
 */
export function validateBody(action: ActionDef, body: unknown): string[] {
  if (!action.body) return [];
  const ignored: string[] = [];
  dropUnknownFields(action.body, body, '', ignored);
  let validate = compiled.get(action);
  if (!validate) {
    validate = ajv.compile(action.body);
    compiled.set(action, validate);
  }
  if (!validate(body)) {
    // Inside anyOf the first error is the first branch's type mismatch; a length error says more.
    const errs = validate.errors ?? [];
    throw toApiError(errs.find((e) => e.keyword === 'maxLength' || e.keyword === 'maxJsonBytes') ?? errs[0]);
  }
  return ignored;
}

/** Removes, at any depth, the members an object schema closes (additionalProperties: false) but does not name. */
export function dropUnknownFields(schema: unknown, value: unknown, path: string, out: string[]): void {
  if (schema === null || typeof schema !== 'object' || value === null || typeof value !== 'object') return;
  const s = schema as { properties?: Record<string, unknown>; additionalProperties?: unknown; items?: unknown };
  if (Array.isArray(value)) {
    if (s.items !== undefined) value.forEach((v, i) => dropUnknownFields(s.items, v, `${path}[${i}]`, out));
    return;
  }
  if (s.properties === undefined) return;
  const obj = value as Record<string, unknown>;
  for (const key of Object.keys(obj)) {
    const at = path ? `${path}.${key}` : key;
    if (Object.hasOwn(s.properties, key)) dropUnknownFields(s.properties[key], obj[key], at, out);
    else if (s.additionalProperties === false) {
      delete obj[key];
      out.push(at);
    }
  }
}

/**
 * The X-Modelreg-Ignored-Fields header: the ignored paths, comma-separated, so a typo stays
 * visible. Names are percent-encoded outside printable ASCII (and for "," and "%"); at most 20
 * names of 100 characters are listed, then "(N more)".
 */
export function ignoredFieldsHeader(paths: string[]): string {
  const enc = (p: string): string =>
    (p.length > 100 ? p.slice(0, 100) : p).replace(/[^\x21-\x7e]|[,%]/gu, (c) => [...Buffer.from(c, 'utf8')].map((b) => '%' + b.toString(16).toUpperCase().padStart(2, '0')).join(''));
  const shown = paths.slice(0, 20).map(enc);
  if (paths.length > 20) shown.push(`(${paths.length - 20} more)`);
  return shown.join(',');
}

function fieldPath(instancePath: string, child?: string): string {
  const parts = instancePath.split('/').filter(Boolean).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (child !== undefined) parts.push(child);
  return parts.reduce((acc, p) => (/^\d+$/.test(p) ? `${acc}[${p}]` : acc ? `${acc}.${p}` : p), '');
}

const describeType = (t: unknown): string => (t === 'integer' ? 'an integer' : t === 'array' ? 'an array' : t === 'object' ? 'an object' : `a ${String(t)}`);

function toApiError(e: ErrorObject | undefined): ApiError {
  if (!e) return ERRORS.BodyInvalid();
  const p = e.params as Record<string, any>;
  const here = fieldPath(e.instancePath) || 'the request body';
  switch (e.keyword) {
    case 'required':
      return ERRORS.FieldRequired(fieldPath(e.instancePath, p.missingProperty));
    case 'additionalProperties':
      return ERRORS.FieldUnknown(fieldPath(e.instancePath, p.additionalProperty));
    case 'type':
      return ERRORS.FieldInvalid(here, `must be ${describeType(p.type)}`);
    case 'enum':
      return ERRORS.FieldNotOneOf(here, p.allowedValues as unknown[]);
    case 'minLength':
      return ERRORS.FieldInvalid(here, p.limit === 1 ? 'must not be empty' : `must be at least ${p.limit} characters`);
    case 'maxLength':
      return ERRORS.FieldInvalid(here, `must be at most ${p.limit} characters`);
    case 'minimum':
    case 'maximum':
      return ERRORS.FieldInvalid(here, `must be ${e.keyword === 'minimum' ? '>=' : '<='} ${p.limit}`);
    case 'maxJsonBytes':
      return ERRORS.FieldInvalid(here, `must be at most ${p.limit} bytes as JSON (got ${p.size})`);
    case 'anyOf':
      return ERRORS.FieldInvalid(here, 'has an invalid type');
    case 'maxItems':
      return ERRORS.FieldInvalid(here, `must have at most ${p.limit} items`);
    case 'pattern':
      return ERRORS.FieldInvalid(here, 'has an invalid format');
    default:
      return ERRORS.FieldInvalid(here, e.message ?? 'is invalid');
  }
}
