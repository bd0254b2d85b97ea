// The pure functions the sandbox runs on a tenant's input. They run in the sandbox process (never in
// the server's heap) and return plain data; a failure about the input is a TaskRefusal, whose message
// is shown to the user as is.
import { Template } from '@huggingface/jinja';
import { parseSafetensorsHeader, type SafetensorsHeader } from '../domain/import/safetensors.js';
import { MAX_JSON_DEPTH, MAX_TEMPLATE_OUTPUT_CHARS } from './limits.js';

export class TaskRefusal extends Error {
  constructor(
    message: string,
    readonly file?: string,
  ) {
    super(message);
    this.name = 'TaskRefusal';
  }
}

export interface TaskInputs {
  /** Parses a template (CreateModelCustomConf): returns nothing, refuses a syntax error. */
  parseTemplate: { template: string };
  /** Parses and renders a template on the given context; returns the rendered text. */
  renderTemplate: { template: string; context: Record<string, unknown> };
  /** UTF-8 decode + JSON.parse + depth check; returns the parsed value. */
  parseJson: { bytes: Uint8Array; name: string };
  /** Like parseJson, but returns only the kind of each top-level member ('object', 'array', 'string', ...). */
  jsonTopLevelKinds: { bytes: Uint8Array; name: string };
  /** Validates a safetensors JSON header (safetensors.ts); returns the parsed header. */
  parseSafetensorsHeader: { bytes: Uint8Array; fileSize: number; name: string };
}

export interface TaskOutputs {
  parseTemplate: null;
  renderTemplate: string;
  parseJson: unknown;
  jsonTopLevelKinds: Record<string, string> | string;
  parseSafetensorsHeader: SafetensorsHeader;
}

export type TaskName = keyof TaskInputs;

export const TASKS: { [K in TaskName]: (input: TaskInputs[K]) => TaskOutputs[K] } = {
  parseTemplate({ template }) {
    compileTemplate(template);
    return null;
  },
  renderTemplate({ template, context }) {
    const parsed = compileTemplate(template);
    let out: string;
    try {
      out = parsed.render(context);
    } catch (err) {
      throw new TaskRefusal(`fails to render: ${(err as Error).message}`);
    }
    if (out.length > MAX_TEMPLATE_OUTPUT_CHARS) {
      throw new TaskRefusal(`renders ${out.length} characters, more than the ${MAX_TEMPLATE_OUTPUT_CHARS} allowed for a preview`);
    }
    return out;
  },
  parseJson({ bytes, name }) {
    return parseJsonChecked(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), name);
  },
  jsonTopLevelKinds({ bytes, name }) {
    return topLevelKinds(parseJsonChecked(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), name));
  },
  parseSafetensorsHeader({ bytes, fileSize, name }) {
    return parseSafetensorsHeader(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), fileSize, name);
  },
};

function compileTemplate(template: string): Template {
  try {
    return new Template(template);
  } catch (err) {
    throw new TaskRefusal(`is not a valid Jinja template: ${(err as Error).message}`);
  }
}

/** JSON.parse of UTF-8 bytes, then a depth check (so later recursive walks and copies stay shallow). */
export function parseJsonChecked(bytes: Buffer, name: string): unknown {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new TaskRefusal(`${name} is not valid UTF-8 text`, name);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new TaskRefusal(`${name} is not valid JSON: ${(err as Error).message}`, name);
  }
  // Walking the parsed value is cheaper here than scanJson (src/domain/json/json-scan.ts) over the
  // text: that scan is for request bodies, refused before JSON.parse; these documents are parsed first.
  const depth = jsonDepth(json, MAX_JSON_DEPTH);
  if (depth > MAX_JSON_DEPTH) {
    throw new TaskRefusal(`${name} nests JSON more than ${MAX_JSON_DEPTH} levels deep; model documents never do, so it is refused`, name);
  }
  return json;
}

const kindOf = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

/** The kind of each member of an object (or the kind of a non-object value): what a shape check needs, not the data. */
export function topLevelKinds(json: unknown): Record<string, string> | string {
  if (kindOf(json) !== 'object') return kindOf(json);
  return Object.fromEntries(Object.entries(json as Record<string, unknown>).map(([k, v]) => [k, kindOf(v)]));
}

/** Nesting depth of a parsed JSON value, iteratively; stops counting once past `limit`. */
export function jsonDepth(value: unknown, limit: number): number {
  let max = 0;
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [v, d] = stack.pop() as [unknown, number];
    if (typeof v !== 'object' || v === null) continue;
    const depth = d + 1;
    if (depth > max) max = depth;
    if (max > limit) return max;
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      if (typeof child === 'object' && child !== null) stack.push([child, depth]);
    }
  }
  return max;
}
