// The bad-input corpus: malformed and hostile requests for every action, generated from a seeded
// PRNG (the same seed gives the same corpus) and from each action's own body schema, so that
// actions added later are covered without editing this file.
//
// Every case is invalid by construction, at one of these stages (see src/http/server.ts):
//   signature → routing/Action → content type → size → UTF-8/JSON syntax → strict JSON → schema.
// Schema cases are checked against the action's schema with Ajv before they are sent: a case the
// schema would accept is dropped, so no case can reach a handler and change stored data.
import { Ajv, type ValidateFunction } from 'ajv';
import type { ActionDef, JsonSchema } from '../../../src/http/actions/action.js';
import { dropUnknownFields } from '../../../src/http/validate-body.js';

export interface Case {
  /** What kind of bad input this is, for the summary. */
  category: string;
  method: string;
  /** Path plus query, as sent. */
  path: string;
  /** The raw query that is signed (may differ from the one sent in tamper cases). */
  signedQuery?: string;
  signedPath?: string;
  body: Buffer;
  contentType?: string;
  /** How to sign: 'good' (the key of the test), or a named attack applied by the runner. */
  auth: AuthMode;
  extraHeaders?: Record<string, string>;
}

export type AuthMode =
  | { kind: 'good' }
  | { kind: 'none' }
  | { kind: 'raw'; header: string }
  | { kind: 'mutate'; attack: string };

// ---------------------------------------------------------------- seeded randomness
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  /** mulberry32 */
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.next() * xs.length)]!;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

// ---------------------------------------------------------------- hostile material
/** Units that are awkward for someone: combining marks, RTL override, zero-width, astral, BOM… */
export const UNICODE_UNITS = [
  'a', 'é', 'e\u0301', '中', '文', '😀', '👩‍👩‍👧', '\u200b', '\u200d', '\u202e', '\u2066', '\ufeff', '\u0085', '\u2028', '\u2029',
  '\ufffd', '𝔘', 'İ', 'ß', 'ﬁ', 'Å', 'Å', '\u00a0', '\u3000', '\t', '\n', '\\', '"', '/', "'", '%00', '%2e%2e%2f', '../',
  '<script>', "' OR 1=1 --", '${jndi:ldap://x}', '{{7*7}}', '$(id)', '`id`', '\u001b[2J', 'ｍｏｄｅｌ', 'мodel',
];

const INJECTIONS = ['../../etc/passwd', '..\\..\\windows', "'; DROP TABLE model_sets; --", '" OR ""="', '<img src=x onerror=alert(1)>', '%s%s%n', '\r\nX-Injected: 1', 'null', 'undefined', 'true', '0', '-1', 'NaN'];

/** Number literals as raw JSON text: some have no JSON.stringify form (1e400, -0, 1.0). */
const NUMBER_LITERALS = ['1e400', '-1e400', '-0', '1.0', '1e-400', '9007199254740993', '-9007199254740993', '1.5', '0.1', '1e21', '-1e21', '123456789012345678901234567890', '2147483648', '-2147483649', '4294967296', '1E2', '0e0'];

export function hostileString(rng: Rng, codePoints: number): string {
  let s = '';
  let n = 0;
  while (n < codePoints) {
    const u = rng.pick(UNICODE_UNITS);
    s += u;
    n += [...u].length;
  }
  return s;
}

/** A sentinel that stands for raw JSON text in the serialized body (numbers JSON cannot make). */
class Raw {
  constructor(readonly text: string) {}
}

function serialize(value: unknown): string {
  const raws: string[] = [];
  const text = JSON.stringify(value, (_k, v) => {
    if (v instanceof Raw) {
      raws.push(v.text);
      return `@@RAW${raws.length - 1}@@`;
    }
    return v;
  });
  return text.replace(/"@@RAW(\d+)@@"/g, (_m, i) => raws[Number(i)]!);
}

// ---------------------------------------------------------------- schema walking
type Schema = JsonSchema & {
  type?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean;
  items?: Schema;
  enum?: unknown[];
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  maxItems?: number;
  /** Free-form objects (training parameters) are bounded by their JSON size (src/http/validate-body.ts). */
  maxJsonBytes?: number;
  anyOf?: Schema[];
};

interface Site {
  /** Keys from the body down to this value. */
  path: (string | number)[];
  schema: Schema;
}

/** A body that satisfies the schema's shape where it can (required fields, first enum value…). */
function plausible(schema: Schema, rng: Rng, hostile: boolean): unknown {
  if (schema.enum) return schema.enum[0];
  switch (schema.type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      const props = schema.properties ?? {};
      for (const [k, s] of Object.entries(props)) {
        if ((schema.required ?? []).includes(k) || rng.chance(0.3)) out[k] = plausible(s, rng, hostile);
      }
      return out;
    }
    case 'string': {
      const min = schema.minLength ?? 0;
      const max = schema.maxLength ?? 64;
      if (hostile) {
        const len = rng.int(Math.max(min, 1), Math.max(min, Math.min(max, 40)));
        const s = hostileString(rng, len);
        if ([...s].length <= max) return s;
      }
      return 'x'.repeat(Math.max(min, Math.min(max, 8)));
    }
    case 'integer':
    case 'number':
      return schema.minimum ?? 0;
    case 'boolean':
      return true;
    case 'array':
      return [];
    default:
      return {};
  }
}

function sitesOf(schema: Schema, path: (string | number)[] = []): Site[] {
  const out: Site[] = [{ path, schema }];
  if (schema.type === 'object' && schema.properties) {
    for (const [k, s] of Object.entries(schema.properties)) out.push(...sitesOf(s, [...path, k]));
  }
  if (schema.type === 'array' && schema.items) out.push(...sitesOf(schema.items, [...path, 0]));
  return out;
}

/** Sets `value` at `path`, creating the containers on the way (with plausible siblings). */
function setAt(body: Record<string, unknown>, root: Schema, path: (string | number)[], value: unknown, rng: Rng): void {
  let cur: any = body;
  let schema: Schema = root;
  for (let i = 0; i < path.length - 1; i++) {
    const k = path[i]!;
    schema = (typeof k === 'number' ? schema.items : schema.properties?.[k]) ?? {};
    if (cur[k] === null || typeof cur[k] !== 'object') cur[k] = plausible(schema, rng, false);
    if (typeof k === 'number' && Array.isArray(cur) && cur.length === 0) cur.push(cur[k]);
    cur = cur[k];
    if (Array.isArray(cur) && cur.length === 0) cur.push(plausible(schema.items ?? {}, rng, false));
  }
  const last = path[path.length - 1]!;
  if (Array.isArray(cur) && typeof last === 'number') cur[Math.min(last, cur.length)] = value;
  else cur[last] = value;
}

function getAt(body: unknown, path: (string | number)[]): unknown {
  let cur: any = body;
  for (const k of path) cur = cur?.[k];
  return cur;
}

const TYPES = ['string', 'integer', 'number', 'boolean', 'array', 'object', 'null'];

/** A value whose JSON type is not `type` (integer counts as number). */
function valueOfOtherType(rng: Rng, type: string | undefined): unknown {
  const others = TYPES.filter((t) => t !== type && !(type === 'number' && t === 'integer') && !(type === 'integer' && t === 'number'));
  switch (rng.pick(others)) {
    case 'string':
      return rng.chance(0.5) ? rng.pick(INJECTIONS) : hostileString(rng, rng.int(0, 20));
    case 'integer':
    case 'number':
      return new Raw(rng.pick(NUMBER_LITERALS));
    case 'boolean':
      return rng.chance(0.5);
    case 'array':
      return rng.chance(0.9) ? [1, 'a', null] : new Array(rng.int(1_000, 50_000)).fill(0);
    case 'object':
      return { nested: { value: rng.pick(INJECTIONS) } };
    default:
      return null;
  }
}

/** One schema violation at a random site; undefined when this site offers none. */
function violate(rng: Rng, site: Site, body: Record<string, unknown>, root: Schema): string | undefined {
  const s = site.schema;
  const options: Array<() => string> = [];
  const at = site.path;
  if (at.length > 0 && s.type) {
    options.push(() => {
      setAt(body, root, at, valueOfOtherType(rng, s.type), rng);
      return 'wrong-type';
    });
  }
  if (at.length > 0 && s.type === 'string' && s.maxLength !== undefined) {
    options.push(() => {
      // Ajv counts code points; one in a hundred is huge (close to the body limit).
      const len = rng.chance(0.01) ? rng.int(200_000, 300_000) : s.maxLength! + rng.int(1, rng.chance(0.2) ? 20_000 : 50);
      setAt(body, root, at, hostileString(rng, len), rng);
      return 'string-too-long';
    });
  }
  if (at.length > 0 && s.type === 'string' && (s.minLength ?? 0) >= 1) {
    options.push(() => {
      setAt(body, root, at, '', rng);
      return 'string-empty';
    });
  }
  if (at.length > 0 && s.enum) {
    options.push(() => {
      const v = String(s.enum![rng.int(0, s.enum!.length - 1)]);
      const twisted = rng.pick([
        v.toUpperCase(), v.toLowerCase(), ` ${v}`, `${v} `, `${v}\u200b`, v.normalize('NFD') + '\u0301', v.replace(/a/g, 'а') + 'ε',
        v.split('').reverse().join(''), `${v},${v}`, '', `${v}\u0000`, `${v}\ufeff`, hostileString(rng, 8),
      ]);
      setAt(body, root, at, twisted, rng);
      return 'enum-not-allowed';
    });
  }
  if (at.length > 0 && (s.type === 'integer' || s.type === 'number')) {
    options.push(() => {
      const lits: string[] = [];
      if (s.maximum !== undefined) lits.push(String(s.maximum + 1), String(s.maximum + 1e6), '1e400', '1e21');
      if (s.minimum !== undefined) lits.push(String(s.minimum - 1), '-1e400', '-1e21', String(s.minimum - 0.5));
      if (s.type === 'integer') lits.push('1.5', '0.000001', '1e-7', '-0.5');
      if (lits.length === 0) lits.push('"1"');
      setAt(body, root, at, new Raw(rng.pick(lits)), rng);
      return 'number-out-of-range';
    });
  }
  if (s.type === 'object' && s.additionalProperties === false) {
    options.push(() => {
      const key = rng.pick([
        'unknownField', 'ModelSetName', 'model\u200bSetName', '', ' ', 'a.b', 'importMeta.bucket', '$where', '\u202efield', '😀',
        'x'.repeat(rng.int(100, 10_000)), hostileString(rng, 12), 'e\u0301', 'é', '__defineGetter__', 'toString', 'hasOwnProperty', 'valueOf',
      ]);
      const target = at.length === 0 ? body : (getAt(body, at) as Record<string, unknown> | undefined);
      if (target && typeof target === 'object' && !Array.isArray(target)) target[key] = rng.pick([1, 'x', null, {}, []]);
      else setAt(body, root, at, { [key]: 1 }, rng);
      return 'unknown-field';
    });
  }
  if (s.type === 'object' && (s.required ?? []).length > 0) {
    options.push(() => {
      const target = at.length === 0 ? body : (getAt(body, at) as Record<string, unknown> | undefined);
      if (!target || typeof target !== 'object') {
        setAt(body, root, at, {}, rng);
      } else delete target[rng.pick(s.required!)];
      return 'missing-required';
    });
  }
  if (at.length > 0 && s.type === 'array') {
    options.push(() => {
      const n = (s.maxItems ?? 1000) + rng.int(1, rng.chance(0.1) ? 50_000 : 20);
      const item = s.items ? plausible(s.items, rng, false) : 1;
      setAt(body, root, at, new Array(n).fill(item), rng);
      return 'array-too-long';
    });
  }
  if (at.length > 0 && s.type === 'object') {
    options.push(() => {
      setAt(body, root, at, rng.pick([[], 'object', 1, null, [{}]]), rng);
      return 'object-expected';
    });
  }
  // Issue 10, class 1: free-form objects past their byte bound, and strings built to make a
  // backtracking pattern (/\s*%?\s*$/) take quadratic time, past their length bound.
  if (at.length > 0 && s.maxJsonBytes !== undefined) {
    options.push(() => {
      const nested = rng.chance(0.5);
      const pad = 'x'.repeat(s.maxJsonBytes! + rng.int(1, 4096));
      setAt(body, root, at, nested ? { a: { b: [pad] } } : { pad }, rng);
      return 'object-too-big';
    });
  }
  const shortString = s.anyOf?.find((b) => b.type === 'string' && b.maxLength !== undefined);
  if (at.length > 0 && shortString) {
    options.push(() => {
      const n = shortString.maxLength! + rng.int(1, rng.chance(0.2) ? 200_000 : 100);
      setAt(body, root, at, rng.pick(['1', '40.5', '']) + rng.pick([' ', '\t', ' %']).repeat(Math.ceil(n / 2)) + 'x', rng);
      return 'regex-bait-too-long';
    });
  }
  if (options.length === 0) return undefined;
  return rng.pick(options)();
}

// ---------------------------------------------------------------- text-level damage
function insertIntoFirstObject(text: string, rng: Rng, member: string): string {
  // Any '{' that opens an object (not one inside a string) will do; pick among the first few.
  const opens: number[] = [];
  let inString = false;
  for (let i = 0; i < text.length && opens.length < 50; i++) {
    const c = text[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === '"') inString = !inString;
    else if (c === '{' && !inString) opens.push(i);
  }
  const at = opens.length ? rng.pick(opens) : 0;
  const rest = text.slice(at + 1);
  const sep = rest.trimStart().startsWith('}') ? '' : ',';
  return text.slice(0, at + 1) + member + sep + rest;
}

function duplicateKeyBody(text: string, rng: Rng): string {
  const keys = [...text.matchAll(/"((?:[^"\\]|\\.)*)"\s*:/g)].map((m) => m[1]!);
  if (keys.length > 0 && rng.chance(0.8)) {
    const k = rng.pick(keys);
    // The same key again (sometimes spelled with an escape: the same key to a JSON reader).
    const spelled = rng.chance(0.3) && k.length > 0 ? `\\u${k.charCodeAt(0).toString(16).padStart(4, '0')}${k.slice(1)}` : k;
    return insertIntoFirstObjectWithKey(text, k, `"${spelled}":${rng.pick(['1', '"x"', 'null', '{}', '[]'])}`);
  }
  return insertIntoFirstObject(text, rng, '"dup":1,"dup":2');
}

/** Inserts `member` into the object that holds key `k` (so the duplicate is a true sibling). */
function insertIntoFirstObjectWithKey(text: string, k: string, member: string): string {
  const at = text.indexOf(`"${k}"`);
  return text.slice(0, at) + member + ',' + text.slice(at);
}

const PROTO_MEMBERS = [
  '"__proto__":{"polluted":"yes"}',
  '"constructor":{"prototype":{"polluted":"yes"}}',
  '"prototype":{"polluted":"yes"}',
  '"\\u005f_proto__":{"polluted":"yes"}',
  '"__proto__":null',
  '"__proto__":[]',
  '"constructor":"x"',
  '"__pro\\u0074o__":{"isAdmin":true}',
];

function deepValue(rng: Rng): string {
  const depth = rng.chance(0.1) ? rng.int(10_000, 100_000) : rng.int(33, 2_000);
  return rng.chance(0.5) ? '['.repeat(depth) + ']'.repeat(depth) : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
}

const SYNTAX: Array<(t: string, rng: Rng) => string> = [
  (t, rng) => t.slice(0, rng.int(1, Math.max(1, t.length - 1))), // truncated
  (t) => t + '}',
  (t) => t + ' x',
  (t) => t + t,
  (t) => t.replace(/"/g, "'"),
  (t) => t.replace(/\{/, '{/* comment */'),
  (t) => (t.length > 2 ? t.slice(0, -1) + ',}' : '{,}'),
  (t) => t.replace(/"([^"\\]+)":/, '$1:'),
  (t) => insertIntoFirstObject(t, new Rng(1), '"n":NaN'),
  (t) => insertIntoFirstObject(t, new Rng(2), '"n":Infinity'),
  (t) => insertIntoFirstObject(t, new Rng(3), '"n":0x10'),
  (t) => insertIntoFirstObject(t, new Rng(4), '"n":01'),
  (t) => insertIntoFirstObject(t, new Rng(5), '"n":+1'),
  (t) => insertIntoFirstObject(t, new Rng(6), '"s":"a\tb"'),
  (t) => insertIntoFirstObject(t, new Rng(7), '"s":"\\x41"'),
  (t) => insertIntoFirstObject(t, new Rng(8), '"s":"\\u12"'),
  (t) => insertIntoFirstObject(t, new Rng(9), '"n":undefined'),
  () => '{',
  () => '}',
  () => '{"a"}',
  () => '{"a":}',
  () => '{:1}',
  () => '\u0000',
  () => '{}\u0000',
];

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** Strings whose escapes decode to what strict JSON refuses: lone surrogates and NUL. */
const BAD_ESCAPES = ['"\\ud800"', '"\\udfff"', '"a\\udc00b"', '"\\ud83d"', '"\\u0000"', '"x\\u0000y"', '"\\ude00\\ud83d"'];

/** Bytes that are not UTF-8: lone continuation bytes, overlong forms, surrogates, truncation. */
const BAD_UTF8 = [[0x80], [0xc0, 0xaf], [0xe0, 0x80, 0xaf], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xff], [0xfe], [0xc3], [0xf0, 0x9f, 0x98]];

// ---------------------------------------------------------------- the corpus
export interface CorpusOptions {
  seed: number;
  actions: readonly ActionDef[];
  bodyLimitBytes: number;
  /** JSON-body cases to make in all (spread over the actions), at least 300 per action. */
  jsonCases: number;
  signatureCases: number;
  routingCases: number;
}

const ajv = new Ajv({ allErrors: false, strict: false, coerceTypes: false, useDefaults: false });
// The server's own keyword, so that a case it refuses is not mistaken for a valid one here.
ajv.addKeyword({ keyword: 'maxJsonBytes', type: 'object', schemaType: 'number', validate: (limit: number, data: unknown) => Buffer.byteLength(JSON.stringify(data)) <= limit });

const q = (action: string): string => `Action=${encodeURIComponent(action)}`;

export function* corpus(opts: CorpusOptions): Generator<Case> {
  const rng = new Rng(opts.seed);
  const jsonActions = opts.actions.filter((a) => !a.rawBody);
  const rawActions = opts.actions.filter((a) => a.rawBody);
  const perAction = Math.max(300, Math.ceil(opts.jsonCases / Math.max(1, jsonActions.length)));

  for (const action of jsonActions) yield* jsonActionCases(rng, action, perAction, opts.bodyLimitBytes);
  for (const action of rawActions) yield* rawActionCases(rng, action, opts.bodyLimitBytes);
  yield* routingCases(rng, opts);
  yield* signatureCases(rng, opts);
}

function withoutUnknownFields(schema: Schema, body: unknown): unknown {
  dropUnknownFields(schema, body, '', []);
  return body;
}

function* jsonActionCases(rng: Rng, action: ActionDef, n: number, limit: number): Generator<Case> {
  const schema = (action.body ?? { type: 'object', properties: {}, additionalProperties: false }) as Schema;
  const validate: ValidateFunction = ajv.compile(schema);
  const sites = sitesOf(schema);
  const path = `${action.route}?${q(action.name)}`;
  const base = (c: Omit<Case, 'method' | 'path' | 'auth'>): Case => ({ method: 'POST', path, auth: { kind: 'good' }, contentType: 'application/json', ...c });

  let made = 0;
  let attempts = 0;
  while (made < n && attempts < n * 5) {
    attempts++;
    const body = plausible(schema, rng, rng.chance(0.5)) as Record<string, unknown>;
    const roll = rng.next();
    if (roll < 0.5) {
      // One schema violation (sometimes two), verified against the schema.
      let category = violate(rng, rng.pick(sites), body, schema);
      if (category && rng.chance(0.2)) violate(rng, rng.pick(sites), body, schema);
      if (!category) continue;
      const text = serialize(body);
      if (Buffer.byteLength(text) > limit) category = 'over-size-limit';
      // The schema accepts it once unknown fields are ignored (BCE's rule, validate-body.ts): not a bad input.
      else if (validate(withoutUnknownFields(schema, JSON.parse(text)))) continue;
      made++;
      yield base({ category: `schema:${category}`, body: Buffer.from(text) });
      continue;
    }
    const text = serialize(body);
    let out: string | Buffer;
    let category: string;
    let contentType = 'application/json';
    if (roll < 0.6) {
      category = 'duplicate-key';
      out = duplicateKeyBody(text, rng);
    } else if (roll < 0.68) {
      category = 'prototype-key';
      out = insertIntoFirstObject(text, rng, rng.pick(PROTO_MEMBERS));
    } else if (roll < 0.74) {
      category = 'deep-nesting';
      out = rng.chance(0.3) ? deepValue(rng) : insertIntoFirstObject(text, rng, `"deep":${deepValue(rng)}`);
    } else if (roll < 0.82) {
      category = 'json-syntax';
      out = rng.pick(SYNTAX)(text, rng);
      if (parses(out)) continue; // the damage happened to leave valid JSON (e.g. on "{}")
    } else if (roll < 0.86) {
      category = 'bad-unicode-escape';
      out = insertIntoFirstObject(text, rng, `${rng.chance(0.5) ? '"k"' : rng.pick(BAD_ESCAPES)}:${rng.pick(BAD_ESCAPES)}`);
      if (out.startsWith('{"k":') && !BAD_ESCAPES.some((e) => (out as string).includes(e))) continue;
    } else if (roll < 0.9) {
      category = 'invalid-utf8';
      const at = Math.max(1, text.indexOf('"') + 1);
      out = Buffer.concat([Buffer.from(text.slice(0, at)), Buffer.from(rng.pick(BAD_UTF8)), Buffer.from(text.slice(at))]);
    } else if (roll < 0.94) {
      category = 'not-an-object';
      out = rng.pick(['[]', '[{}]', `[${text}]`, '"str"', '1', '-1e400', 'null', 'true', 'false', '""', '\ufeff' + text, ' \n\t ', '']);
      // An empty body means {} to an action without required fields (validate-body.ts): not bad input there.
      if (out.trim() === '' && (schema.required ?? []).length === 0) continue;
    } else if (roll < 0.985) {
      category = 'wrong-content-type';
      out = text;
      contentType = rng.pick([
        'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', 'text/json',
        'application/jsonx', 'application/ json', 'json', 'application/octet-stream', 'image/png', 'application/javascript', 'text/html; charset=utf-8',
      ]);
    } else {
      category = 'over-size-limit';
      const pad = ' '.repeat(limit + rng.int(1, 64 * 1024));
      out = insertIntoFirstObject(text, rng, `"pad":"${pad}"`);
    }
    made++;
    yield base({ category, body: Buffer.isBuffer(out) ? out : Buffer.from(out), contentType });
  }
}

function* rawActionCases(rng: Rng, action: ActionDef, limit: number): Generator<Case> {
  const path = `${action.route}?${q(action.name)}`;
  const mk = (category: string, body: string | Buffer, contentType: string): Case => ({
    category: `raw:${category}`,
    method: 'POST',
    path,
    auth: { kind: 'good' },
    contentType,
    body: Buffer.isBuffer(body) ? body : Buffer.from(body),
  });
  for (let i = 0; i < 40; i++) {
    const b = `----fuzz${rng.int(0, 1e9)}`;
    switch (i % 8) {
      case 0:
        yield mk('json-instead-of-multipart', '{"customSpecFile":"x"}', 'application/json');
        break;
      case 1:
        yield mk('text', hostileString(rng, 30), 'text/plain');
        break;
      case 2:
        yield mk('multipart-without-boundary', `--${b}\r\n\r\n`, 'multipart/form-data');
        break;
      case 3:
        yield mk('multipart-wrong-boundary', `--other\r\nContent-Disposition: form-data; name="customSpecFile"; filename="a"\r\n\r\nx\r\n--other--\r\n`, `multipart/form-data; boundary=${b}`);
        break;
      case 4:
        yield mk('multipart-truncated', `--${b}\r\nContent-Disposition: form-data; name="customSpecFile"; filename="a.json"\r\n\r\n{"a":`, `multipart/form-data; boundary=${b}`);
        break;
      case 5:
        yield mk('multipart-garbage', Buffer.from(Array.from({ length: 200 }, () => rng.int(0, 255))), `multipart/form-data; boundary=${b}`);
        break;
      case 6:
        yield mk('empty', '', rng.pick(['multipart/form-data', 'application/json', '']));
        break;
      default:
        yield mk('over-size-limit', `--${b}\r\nContent-Disposition: form-data; name="customSpecFile"; filename="a"\r\n\r\n${'x'.repeat(limit + 10)}\r\n--${b}--\r\n`, `multipart/form-data; boundary=${b}`);
    }
  }
}

function* routingCases(rng: Rng, opts: CorpusOptions): Generator<Case> {
  const routes = [...new Set(opts.actions.map((a) => a.route))];
  const names = opts.actions.map((a) => a.name);
  const body = Buffer.from('{}');
  for (let i = 0; i < opts.routingCases; i++) {
    const route = rng.pick(routes);
    const name = rng.pick(names);
    const kind = i % 10;
    let c: Case;
    switch (kind) {
      case 0: {
        // An Action that does not exist on this route: misspelled, other case, unicode, huge.
        const bad = rng.pick([name.toLowerCase(), name + 's', name.slice(1), `${name}\u200b`, hostileString(rng, 10), 'x'.repeat(rng.int(100, 8000)), `${name}%00`, '../' + name]);
        if (opts.actions.some((a) => a.route === route && a.name === bad)) continue;
        c = { category: 'routing:unknown-action', method: 'POST', path: `${route}?${q(bad)}`, body, auth: { kind: 'good' } };
        break;
      }
      case 1:
        c = { category: 'routing:missing-action', method: 'POST', path: rng.pick([route, `${route}?`, `${route}?Action=`, `${route}?action=${name}`, `${route}?Actions=${name}`]), body, auth: { kind: 'good' } };
        break;
      case 2:
        c = { category: 'routing:action-twice', method: 'POST', path: `${route}?${q(name)}&${q(rng.pick(names))}`, body, auth: { kind: 'good' } };
        break;
      case 3:
        c = { category: 'routing:wrong-method', method: rng.pick(['GET', 'PUT', 'DELETE', 'PATCH']), path: `${route}?${q(name)}`, body, auth: rng.chance(0.5) ? { kind: 'good' } : { kind: 'none' } };
        break;
      case 4:
        c = {
          category: 'routing:unknown-route',
          method: 'POST',
          path: rng.pick(['/v2/models', '/v3/model', '/v2/', '/v2/model/x', '/v2/%2e%2e/model', '/', '/v2/model%00', `/v2/${'a'.repeat(rng.int(1, 4000))}`, '/V2/MODEL']) + `?${q(name)}`,
          body,
          auth: { kind: 'good' },
        };
        break;
      case 5:
        c = { category: 'routing:action-of-other-route', method: 'POST', path: `${route}?${q(name)}`, body, auth: { kind: 'good' } };
        if (opts.actions.some((a) => a.route === route && a.name === name)) {
          const other = routes.find((r) => r !== route);
          if (!other || opts.actions.some((a) => a.route === other && a.name === name)) continue;
          c.path = `${other}?${q(name)}`;
        }
        break;
      case 6:
        // Headers over Node's 16 KiB limit → 431.
        c = { category: 'headers:too-large', method: 'POST', path: `${route}?${q(name)}`, body, auth: { kind: 'good' }, extraHeaders: { 'x-fuzz-padding': 'p'.repeat(rng.int(17_000, 40_000)) } };
        break;
      case 7:
        // Odd but legal header bytes (latin-1) in an unsigned header, with a body that is bad anyway.
        c = { category: 'headers:latin1', method: 'POST', path: `${route}?${q(name)}`, body: Buffer.from('[]'), auth: { kind: 'good' }, extraHeaders: { 'x-fuzz': '\u00e9\u00ff\u00a0caf\u00e9', 'x-bce-request-id': 'é' } };
        break;
      case 8:
        c = { category: 'routing:query-noise', method: 'POST', path: `${route}?${q(rng.pick(names))}x&${'k'.repeat(rng.int(1, 50))}=${encodeURIComponent(hostileString(rng, 10))}&a[b]=1&__proto__[x]=1`, body, auth: { kind: 'good' } };
        break;
      default:
        c = { category: 'routing:unknown-action-with-valid-body', method: 'POST', path: `${route}?Action=Create${rng.int(0, 1e6)}`, body: Buffer.from('{"modelSetName":"fuzz","modelType":"Text2Text"}'), auth: { kind: 'good' } };
    }
    yield c;
  }
}

/** Signature attacks the runner applies (see bad-input.test.ts: applyAttack). */
export const ATTACKS = [
  'wrong-secret', 'flip-signature-char', 'uppercase-signature', 'short-signature', 'expired', 'far-future', 'unknown-access-key',
  'disabled-key', 'wrong-version', 'too-few-parts', 'too-many-parts', 'empty-access-key', 'bad-timestamp', 'bad-expiration',
  'host-not-signed', 'signed-header-missing', 'uppercase-signed-header', 'tampered-date', 'tampered-host', 'tampered-content-type',
  'swapped-action', 'added-query', 'changed-path', 'tampered-body-sha256', 'tampered-body-md5', 'no-authorization',
  'garbage-authorization', 'authorization-twice', 'latin1-access-key', 'huge-authorization',
] as const;

function* signatureCases(rng: Rng, opts: CorpusOptions): Generator<Case> {
  // Bodies a handler would accept, so only the signature stands between them and the data.
  const creators = opts.actions.filter((a) => !a.rawBody && a.body);
  for (let i = 0; i < opts.signatureCases; i++) {
    const action = rng.pick(creators);
    const body = serialize(plausible(action.body as Schema, rng, false));
    const attack = ATTACKS[i % ATTACKS.length]!;
    yield {
      category: `signature:${attack}`,
      method: 'POST',
      path: `${action.route}?${q(action.name)}`,
      body: Buffer.from(body),
      contentType: 'application/json',
      auth: { kind: 'mutate', attack },
    };
  }
  // Issue 10, class 4: big bodies without a valid signature are refused on the headers (the body
  // is never buffered), with a 401 envelope.
  for (let i = 0; i < 20; i++) {
    const action = rng.pick(creators);
    yield {
      category: 'unauthenticated-big-body',
      method: 'POST',
      path: `${action.route}?${q(action.name)}`,
      body: Buffer.alloc(Math.max(1, opts.bodyLimitBytes - rng.int(1, 1000)), 0x20),
      contentType: 'application/json',
      auth: i % 2 === 0 ? { kind: 'none' } : { kind: 'mutate', attack: ATTACKS[i % ATTACKS.length]! },
    };
  }
}
