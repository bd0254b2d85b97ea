// Pins the error catalogue (src/domain/errors/catalogue.ts): every factory answers a code of the
// documented table (docs/errors.md) with its status, the table has no code nobody answers, the codes
// BCE's common error table defines keep BCE's statuses, and no two factories say the same thing.
// Also: errors are made only through the catalogue, and object-store errors map to the documented codes.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { ApiError, ErrorCode, type ErrorKind } from '../../../src/domain/errors.js';
import { ERRORS } from '../../../src/domain/errors/catalogue.js';
import { asApiError } from '../../../src/domain/errors/from-object-store.js';
import { ObjectStoreError, type ObjectStoreErrorKind } from '../../../src/objects/object-store-error.js';

const root = path.resolve(import.meta.dirname, '../../..');

/** code → statuses, from the table under "## Codes" in docs/errors.md. */
function documentedCodes(): Map<string, Set<number>> {
  const doc = readFileSync(path.join(root, 'docs/errors.md'), 'utf8');
  const section = doc.slice(doc.indexOf('## Codes'), doc.indexOf('\n## ', doc.indexOf('## Codes') + 1));
  const table = new Map<string, Set<number>>();
  for (const m of section.matchAll(/^\| `(\w+)` \| (\d{3}) \|/gm)) {
    const statuses = table.get(m[1]!) ?? new Set<number>();
    statuses.add(Number(m[2]));
    table.set(m[1]!, statuses);
  }
  return table;
}

/** BCE's common error table (shared/reference/bce-common-errors.md), the rows modelreg answers. */
const BCE_COMMON: Record<string, number> = {
  AccessDenied: 403,
  InappropriateJSON: 400,
  InternalError: 500,
  InvalidAccessKeyId: 403,
  InvalidHTTPAuthHeader: 400,
  InvalidHTTPRequest: 400,
  InvalidURI: 400,
  MalformedJSON: 400,
  InvalidVersion: 404,
  RequestExpired: 400,
  // "rows to confirm" in the reference, answered as BOS's page and the usual table have them
  SignatureDoesNotMatch: 400,
  ServiceUnavailable: 503,
};

/**
 * An argument that serves as any type a factory takes (text, number, list, flag, version row):
 * it prints as «aN» wherever it ends up in a message.
 */
function sample(i: number): any {
  const token = `«a${i}»`;
  return Object.assign([token], { id: token, name: token, status: token, toString: () => token });
}

type Factory = (...args: any[]) => ApiError;
const factories = Object.entries(ERRORS as unknown as Record<string, Factory>).map(([name, make]) => {
  const made = make(...Array.from({ length: Math.max(make.length, 6) }, (_, i) => sample(i)));
  return { name, made };
});

describe('the error catalogue', () => {
  test('every factory makes an ApiError with a documented code and status', () => {
    const documented = documentedCodes();
    assert.ok(documented.size > 30, 'docs/errors.md has its table of codes');
    for (const { name, made } of factories) {
      assert.ok(made instanceof ApiError, `ERRORS.${name} makes an ApiError`);
      assert.ok(documented.get(made.code)?.has(made.status), `ERRORS.${name}: ${made.status} ${made.code} is in docs/errors.md`);
    }
  });

  test('every documented code, and every kind of ErrorCode, is answered by some factory', () => {
    const answered = new Set(factories.map(({ made }) => `${made.status} ${made.code}`));
    for (const [code, statuses] of documentedCodes()) {
      for (const status of statuses) assert.ok(answered.has(`${status} ${code}`), `docs/errors.md lists ${status} ${code}, which no factory answers`);
    }
    for (const kind of Object.keys(ErrorCode) as ErrorKind[]) {
      const { code, status } = ErrorCode[kind];
      assert.ok(answered.has(`${status} ${code}`), `ErrorCode.${kind} (${status} ${code}) has no factory`);
    }
  });

  test("the codes of BCE's common error table keep BCE's statuses", () => {
    for (const { code, status } of Object.values(ErrorCode)) {
      if (code in BCE_COMMON) assert.equal(status, BCE_COMMON[code], `${code} is ${BCE_COMMON[code]} in BCE's common table`);
    }
  });

  test('no two factories make the same message', () => {
    const seen = new Map<string, string>();
    for (const { name, made } of factories) {
      // A factory that passes its message through (InvalidParameter(message), …) has no text of its own.
      if (/^«a\d+»$/.test(made.message)) continue;
      const text = made.message.replace(/«a\d+»/g, '«»');
      assert.ok(!seen.has(text), `ERRORS.${name} and ERRORS.${seen.get(text)} both say "${made.message}"`);
      seen.set(text, name);
    }
  });

  test('errors are made through the catalogue: no `new ApiError(` elsewhere in src/', () => {
    const allowed = ['src/domain/errors/catalogue.ts', 'src/domain/errors/from-object-store.ts'];
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const entry of readdirSync(path.join(root, dir))) {
        const rel = `${dir}/${entry}`;
        if (statSync(path.join(root, rel)).isDirectory()) walk(rel);
        else if (rel.endsWith('.ts') && !allowed.includes(rel)) {
          if (readFileSync(path.join(root, rel), 'utf8').includes('new ApiError(')) offenders.push(rel);
        }
      }
    };
    walk('src');
    assert.deepEqual(offenders, []);
  });

  test('object stores never make API errors', () => {
    for (const file of readdirSync(path.join(root, 'src/objects'))) {
      assert.doesNotMatch(readFileSync(path.join(root, 'src/objects', file), 'utf8'), /from '[^']*domain\/errors/, `src/objects/${file} imports the API's errors`);
    }
  });
});

describe('object-store errors on the wire', () => {
  const wire: Record<ObjectStoreErrorKind, string | undefined> = {
    InvalidName: 'InvalidParameter',
    Refused: 'InvalidParameter',
    NotFound: 'ResourceNotFound',
    BucketNotFound: 'BucketNotFound',
    Conflict: 'Conflict',
    AccessDenied: 'AccessDenied',
    Unavailable: 'ServiceUnavailable',
    NoSpace: undefined,
    Stalled: undefined,
  };
  test('each kind is answered with its documented code and the store’s own message', () => {
    const documented = documentedCodes();
    for (const [kind, code] of Object.entries(wire) as [ObjectStoreErrorKind, string | undefined][]) {
      const api = asApiError(new ObjectStoreError(kind, `the store says ${kind}`));
      assert.equal(api?.code, code, kind);
      if (api) {
        assert.equal(api.message, `the store says ${kind}`);
        assert.ok(documented.get(api.code)?.has(api.status), `${kind} → ${api.status} ${api.code} is documented`);
      }
    }
  });
  test('only outages, full disks and stalls are not refusals (an import retries those)', () => {
    const notRefusals = (Object.keys(wire) as ObjectStoreErrorKind[]).filter((k) => !new ObjectStoreError(k, '').isRefusal);
    assert.deepEqual(notRefusals.sort(), ['NoSpace', 'Stalled', 'Unavailable']);
  });
});
