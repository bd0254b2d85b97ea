// Issue 10, class 1: every field of every action has a documented bound, enforced by the schema.
// The cases are generated from the action catalogue, so a new action or field is covered (and
// must be bounded) without touching this file. /healthz is polled throughout and must stay quick.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { ALL_ACTIONS } from '../../../src/http/actions/index.js';
import type { ActionDef, JsonSchema } from '../../../src/http/actions/action.js';
import { allFieldLimits, fieldLimits, type FieldLimit } from '../../../src/http/actions/field-limits.js';
import { parseProgress } from '../../../src/domain/training/task-rules.js';
import { parseVersion } from '../../../src/domain/import/transformers-versions.js';
import { LIMITS_DOC, withTable } from '../../../scripts/write-limits-table.js';
import { signedFetch, startServer, type TestServer } from '../../helpers/harness.js';

/** A smallest valid value for a schema (required fields only). */
function minimal(s: JsonSchema): unknown {
  if (s.anyOf) return 1;
  if (s.enum) return (s.enum as unknown[])[0];
  switch (s.type) {
    case 'string':
      return 'a'.repeat(Math.max(1, (s.minLength as number | undefined) ?? 1));
    case 'integer':
    case 'number':
      return (s.minimum as number | undefined) ?? 0;
    case 'boolean':
      return false;
    case 'array':
      return [];
    case 'object': {
      const out: Record<string, unknown> = {};
      const props = (s.properties ?? {}) as Record<string, JsonSchema>;
      for (const k of (s.required ?? []) as string[]) out[k] = minimal(props[k]!);
      return out;
    }
    default:
      return 'a';
  }
}

/** The body with `path` (a FieldLimit path) set to `value`, parents created minimal. */
function bodyWith(action: ActionDef, path: string, value: unknown): Record<string, unknown> {
  const body = minimal(action.body!) as Record<string, unknown>;
  const parts = path.split('.');
  let obj = body;
  let schema = action.body!;
  for (let i = 0; i < parts.length; i++) {
    const raw = parts[i]!;
    const isArrayItem = raw.endsWith('[]');
    const key = isArrayItem ? raw.slice(0, -2) : raw;
    const child = ((schema.properties ?? {}) as Record<string, JsonSchema>)[key]!;
    if (i === parts.length - 1) {
      obj[key] = isArrayItem ? [value] : value;
      break;
    }
    if (isArrayItem) {
      // An array of objects (tags[].key): one minimal item, and the field set inside it.
      const item = minimal(child.items as JsonSchema) as Record<string, unknown>;
      obj[key] = [item];
      obj = item;
      schema = child.items as JsonSchema;
      continue;
    }
    if (obj[key] === undefined) obj[key] = minimal(child);
    obj = obj[key] as Record<string, unknown>;
    schema = child;
  }
  return body;
}

/** A value of the field's kind exactly at its bound (over = one past it). */
function valueFor(f: FieldLimit, over: boolean): unknown {
  const n = f.max! + (over ? 1 : 0);
  switch (f.kind) {
    case 'string':
    case 'number|string':
      return 'a'.repeat(n);
    case 'array':
      return Array.from({ length: n }, () => 'a');
    case 'object':
      return { k: 'a'.repeat(n - '{"k":""}'.length) };
    default:
      throw new Error(`no value for ${f.kind}`);
  }
}

/** How the validator names the field in its message: labels[] → labels[0]. */
const shownPath = (f: FieldLimit): string => f.path.replace(/\[\]/g, '[0]');

const boundedCases = (): FieldLimit[] => allFieldLimits().filter((f) => f.max !== undefined && ['string', 'number|string', 'array', 'object'].includes(f.kind));

describe('field limits (catalogue)', () => {
  test('every string, array and free-form object of every action has a maximum', () => {
    const unbounded = allFieldLimits().filter((f) => f.unbounded);
    assert.deepEqual(
      unbounded.map((f) => `${f.action}.${f.path}`),
      [],
      'give these fields a maxLength / maxItems / maxJsonBytes (S.str, S.arr, S.freeObject in src/http/actions/action.ts)',
    );
    for (const a of ALL_ACTIONS) assert.ok(a.rawBody || a.body, `${a.name} has no body schema`);
  });

  test('docs/limits.md holds the table generated from the catalogue', () => {
    const doc = fs.readFileSync(LIMITS_DOC, 'utf8');
    assert.equal(doc, withTable(doc), 'docs/limits.md is out of date: run node --import tsx scripts/write-limits-table.ts');
  });

  test('the parsers that see long client strings are linear (the old patterns took minutes on these)', () => {
    const t0 = performance.now();
    assert.throws(() => parseProgress('1' + ' '.repeat(200_000) + 'x'));
    assert.throws(() => parseProgress(' '.repeat(200_000) + '%x'));
    assert.equal(parseVersion('4' + ' '.repeat(200_000) + 'x'), null);
    assert.equal(parseVersion('4.' + '1.'.repeat(100_000) + ' x'), null);
    // Generous: the quadratic patterns needed tens of seconds here.
    assert.ok(performance.now() - t0 < 2_000, `took ${Math.round(performance.now() - t0)} ms`);
    assert.equal(parseProgress(' 40.5 % '), 40);
    assert.equal(parseProgress('40%'), 40);
    assert.deepEqual(parseVersion(' v4.41.0.dev0 '), { release: [4, 41, 0], phase: -1 });
  });
});

describe('field limits (server)', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer();
  });
  after(() => server.close());

  test('each field at its maximum passes the schema, one past it is a clear 400; /healthz stays quick', async () => {
    let polling = true;
    let slowest = 0;
    let polls = 0;
    const poller = (async () => {
      while (polling) {
        const t0 = performance.now();
        const res = await fetch(`${server.url}/healthz`);
        await res.text();
        slowest = Math.max(slowest, performance.now() - t0);
        polls++;
        await new Promise((r) => setTimeout(r, 25));
      }
    })();
    const cases = boundedCases();
    assert.ok(cases.length > 40, `only ${cases.length} bounded fields found`);
    try {
      for (const f of cases) {
        const action = ALL_ACTIONS.find((a) => a.name === f.action)!;
        const send = (over: boolean) =>
          signedFetch(server.url, server.key, { route: f.route, query: `Action=${f.action}`, body: JSON.stringify(bodyWith(action, f.path, valueFor(f, over))) });
        const at = await send(false);
        const label = `${f.action} ${f.path} = ${f.max}`;
        assert.notEqual(at.status, 500, `${label}: ${at.text}`);
        assert.ok(!(at.status === 400 && /at most/.test(at.body?.message ?? '')), `${label} was refused as too long: ${at.text}`);
        const beyond = await send(true);
        assert.equal(beyond.status, 400, `${f.action} ${f.path} = ${f.max}+1 → ${beyond.status} ${beyond.text}`);
        assert.equal(beyond.body.code, 'InvalidParameter');
        assert.ok(beyond.body.message.includes(shownPath(f)) && /at most/.test(beyond.body.message), `${f.action} ${f.path}: ${beyond.body.message}`);
      }
      // The instance: a 200 KB runProgress (a backtracking regex froze the loop ~60 s).
      const huge = await signedFetch(server.url, server.key, {
        route: '/v2/finetuning',
        query: 'Action=UpdateFineTuningTaskStatus',
        body: JSON.stringify({ taskId: 'ft-task-x', runStatus: 'Running', runProgress: '1' + ' '.repeat(200_000) + 'x' }),
      });
      assert.equal(huge.status, 400);
      assert.match(huge.body.message, /runProgress must be at most 16 characters/);
    } finally {
      polling = false;
      await poller;
    }
    assert.ok(polls > 5, `only ${polls} health checks ran`);
    // Generous for a shared machine; the attack froze it for a minute.
    assert.ok(slowest < 3_000, `/healthz took ${Math.round(slowest)} ms at worst`);
  });

  test('every action is covered by at least one generated case or has no bounded field', () => {
    for (const a of ALL_ACTIONS) {
      if (a.rawBody) continue;
      const fields = fieldLimits(a);
      for (const f of fields) if (['string', 'array'].includes(f.kind)) assert.ok(f.max !== undefined, `${a.name}.${f.path}`);
    }
  });
});
