// Which request field a parameter error is about, so clients can name it in their own terms (the
// console its form label, the CLI its flag). Messages of InvalidParameter and MissingParameter
// start with the field's path ("importMeta.bucket is required", "modelSetName must be …"); the
// path counts only when the action's body schema has it, so a sentence that merely starts with
// a word ("no files under …") names no field.
import type { ApiError } from '../domain/errors.js';
import type { ActionDef } from './actions/action.js';

const PARAMETER_CODES = new Set(['InvalidParameter', 'MissingParameter']);
const LEADING_PATH = /^([A-Za-z_]\w*(?:\.[A-Za-z_]\w*|\[\d+\])*)(?=[\s:"(,]|$)/;

export function errorField(err: ApiError, action: ActionDef | undefined): string | undefined {
  // An error that says its field itself (a `field` property, e.g. from an error factory) wins.
  const own = (err as { field?: unknown }).field;
  if (typeof own === 'string' && /^[\x21-\x7e]{1,200}$/.test(own)) return own;
  if (!action?.body || !PARAMETER_CODES.has(err.code)) return undefined;
  const m = LEADING_PATH.exec(err.message);
  if (!m) return undefined;
  return longestKnownPrefix(action.body, m[1] as string);
}

/** The longest prefix of `path` (by segment) that the schema declares, or undefined. */
function longestKnownPrefix(schema: unknown, path: string): string | undefined {
  const segments = path.match(/[^.[\]]+|\[\d+\]/g) ?? [];
  let node = schema as { properties?: Record<string, unknown>; items?: unknown; anyOf?: unknown[] } | undefined;
  let known = '';
  for (const seg of segments) {
    if (!node) break;
    if (seg.startsWith('[')) {
      if (node.items === undefined) break;
      node = node.items as typeof node;
      known += seg;
      continue;
    }
    const props = node.properties ?? (node.anyOf?.find((s) => (s as typeof node)?.properties) as typeof node | undefined)?.properties;
    if (!props || !Object.hasOwn(props, seg)) break;
    node = props[seg] as typeof node;
    known += known ? `.${seg}` : seg;
  }
  return known || undefined;
}
