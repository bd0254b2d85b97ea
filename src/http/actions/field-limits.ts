// Every field of every action, with the bound its schema puts on it: the source of the limits
// table in docs/limits.md (a test regenerates it and fails when the file drifts) and of the test
// that sends each field at its maximum and beyond.
import { ALL_ACTIONS } from './index.js';
import type { ActionDef, JsonSchema } from './action.js';

export interface FieldLimit {
  action: string;
  route: string;
  /** Dotted path, arrays as [] (labels[]). */
  path: string;
  kind: 'string' | 'enum' | 'integer' | 'number' | 'boolean' | 'array' | 'object' | 'number|string';
  /** maxLength (strings, characters), maxItems (arrays) or maxJsonBytes (free-form objects). */
  max?: number;
  min?: number;
  /** A field with no bound at all: the catalogue test fails on any. */
  unbounded?: boolean;
  required: boolean;
}

/** Bodies that are not JSON (multipart uploads) document their limit here. */
export const RAW_BODY_LIMITS: Record<string, string> = {
  CreateModelCustomConf: 'customSpecFile: at most MODELREG_QUOTA_TEMPLATE_MAX_BYTES bytes (262144 by default) of UTF-8 text',
};

export function fieldLimits(action: ActionDef): FieldLimit[] {
  const out: FieldLimit[] = [];
  if (action.body) walk(action, action.body, '', true, out);
  return out;
}

function walk(action: ActionDef, s: JsonSchema, path: string, required: boolean, out: FieldLimit[]): void {
  const base = { action: action.name, route: action.route, path, required };
  const anyOf = s.anyOf as JsonSchema[] | undefined;
  if (anyOf) {
    const str = anyOf.find((b) => b.type === 'string');
    out.push({ ...base, kind: 'number|string', max: str?.maxLength as number | undefined, unbounded: str !== undefined && str.maxLength === undefined });
    return;
  }
  switch (s.type) {
    case 'string':
      if (s.enum) out.push({ ...base, kind: 'enum' });
      else out.push({ ...base, kind: 'string', min: s.minLength as number | undefined, max: s.maxLength as number | undefined, unbounded: s.maxLength === undefined });
      return;
    case 'integer':
    case 'number':
      out.push({ ...base, kind: s.type, min: s.minimum as number | undefined, max: s.maximum as number | undefined });
      return;
    case 'boolean':
      out.push({ ...base, kind: 'boolean' });
      return;
    case 'array':
      out.push({ ...base, kind: 'array', max: s.maxItems as number | undefined, unbounded: s.maxItems === undefined });
      walk(action, s.items as JsonSchema, `${path}[]`, true, out);
      return;
    case 'object': {
      const props = (s.properties ?? {}) as Record<string, JsonSchema>;
      const req = (s.required ?? []) as string[];
      // Free-form: bounded by its JSON size (maxJsonBytes), or else by nothing. An object that
      // declares its fields is walked field by field (unknown fields, if allowed, are ignored).
      const sized = s.maxJsonBytes !== undefined;
      const free = sized || (Object.keys(props).length === 0 && s.additionalProperties !== false);
      if (path !== '') out.push({ ...base, kind: 'object', max: s.maxJsonBytes as number | undefined, unbounded: free && !sized });
      if (free && path !== '') return;
      for (const [k, v] of Object.entries(props)) walk(action, v, path ? `${path}.${k}` : k, req.includes(k), out);
      return;
    }
    default:
      out.push({ ...base, kind: 'string', unbounded: true });
  }
}

export const allFieldLimits = (): FieldLimit[] => ALL_ACTIONS.flatMap(fieldLimits);

/** The markdown table written to docs/limits.md. */
export function limitsTable(): string {
  const rows = ['| Action | Field | Type | Limit |', '| --- | --- | --- | --- |'];
  for (const a of ALL_ACTIONS) {
    if (a.rawBody) {
      rows.push(`| ${a.name} | (multipart) | file | ${RAW_BODY_LIMITS[a.name] ?? 'request body limit'} |`);
      continue;
    }
    for (const f of fieldLimits(a)) {
      rows.push(`| ${a.name} | \`${f.path}\`${f.required ? ' (required)' : ''} | ${f.kind} | ${describe(f)} |`);
    }
  }
  return rows.join('\n');
}

function describe(f: FieldLimit): string {
  switch (f.kind) {
    case 'string':
      return `${f.min ? `${f.min}–` : '≤ '}${f.max} characters`;
    case 'number|string':
      return `a number, or a string of ≤ ${f.max} characters`;
    case 'array':
      return `≤ ${f.max} items`;
    case 'object':
      return f.max !== undefined ? `≤ ${f.max} bytes as JSON` : 'its fields below';
    case 'integer':
    case 'number':
      return f.min !== undefined || f.max !== undefined ? `${f.min ?? '−∞'} … ${f.max ?? 'any'}` : 'any';
    case 'enum':
      return 'one of the documented values';
    default:
      return '—';
  }
}
