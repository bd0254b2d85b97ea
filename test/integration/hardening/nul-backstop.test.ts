// The backstop behind the NUL checks of each input (nul-sweep.test.ts): when a string the metadata
// database cannot store reaches it anyway, PostgreSQL's refusal is a 400 InvalidParameter (not a
// 500), and a background job whose result it refuses ends at once with a reason instead of being
// retried until its attempts run out. SQLite stores such strings, so there they are simply stored.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import { ApiError } from '../../../src/domain/errors.js';
import { asApiError } from '../../../src/domain/errors/from-object-store.js';
import { JobWorker } from '../../../src/jobs/worker.js';
import { createLogger } from '../../../src/logger.js';
import { JobsRepo } from '../../../src/store/repos/jobs-repo.js';
import { startServer, type TestServer } from '../../helpers/harness.js';
import { eventually } from '../pipeline/pipeline-helpers.js';

describe('strings the database cannot store: the backstop', () => {
  let server: TestServer;
  let postgres: boolean;
  before(async () => {
    // No export worker of the server's own: the test's worker is the only one to claim its export job.
    server = await startServer({ exportConcurrency: 0 });
    postgres = server.app.store.dialect === 'postgres';
  });
  after(() => server?.close());

  /** What the database does with `query`: its value, or the API error its refusal is answered with. */
  async function attempt(query: ReturnType<typeof sql<{ v: string }>>): Promise<{ value?: string; error?: ApiError; raw?: unknown }> {
    try {
      const r = await query.execute(server.app.store.db);
      return { value: String(r.rows[0]?.v) };
    } catch (err) {
      return { error: asApiError(err), raw: err };
    }
  }

  test('NUL in text, and \\u0000 in JSON, refused by PostgreSQL: a 400 InvalidParameter saying what to do', async () => {
    const text = await attempt(sql<{ v: string }>`select ${'a\u0000b'} as v`);
    const json = await attempt(postgres ? sql<{ v: string }>`select (${'{"a":"\\u0000"}'}::jsonb ->> 'a') as v` : sql<{ v: string }>`select json_extract(${'{"a":"\\u0000"}'}, '$.a') as v`);
    if (!postgres) {
      assert.equal(text.value, 'a\u0000b', 'SQLite stores NUL');
      assert.equal(json.value, '\u0000');
      return;
    }
    for (const [what, got] of [['text', text], ['jsonb', json]] as const) {
      assert.ok(got.error instanceof ApiError, `${what}: ${String(got.raw)}`);
      assert.equal(got.error.status, 400, what);
      assert.equal(got.error.code, 'InvalidParameter', what);
      assert.match(got.error.message, /NUL character \(\\u0000\).*remove it/, what);
    }
  });

  test('other database errors stay unmapped (a logged 500)', async () => {
    const r = await attempt(sql<{ v: string }>`select * from no_such_table`);
    assert.ok(r.raw, 'the query fails');
    assert.equal(r.error, undefined);
  });

  test('a job whose result the database refuses ends at once, failed with a reason, not retried', async () => {
    const repo = new JobsRepo(server.app.store.db, server.app.store.dialect);
    const id = `job-nul-${process.pid}`;
    const now = new Date().toISOString();
    await server.app.store.db
      .insertInto('jobs')
      .values({ id, kind: 'export', subject_id: 'nothing', account_id: 'nobody', status: 'queued', attempts: 0, payload: '{}', lease_owner: null, lease_expires_at: null, last_error: null, created_at: now, updated_at: now })
      .execute();
    let runs = 0;
    const worker = new JobWorker(
      repo,
      {
        kind: 'export',
        // A handler that records text from the tenant's files without cleaning it first.
        run: async (job, ctx) => {
          runs++;
          await repo.setProgress(job.id, ctx.owner, 'a\u0000b');
          await repo.finish(job.id, ctx.owner, 'done', null, new Date().toISOString());
        },
      },
      // A lease short enough that a job left running would be claimed again within the wait below.
      { concurrency: 1, leaseMs: 300, pollMs: 50, logger: createLogger('silent') },
    );
    worker.start();
    try {
      const row = () => server.app.store.db.selectFrom('jobs').select(['status', 'attempts', 'last_error']).where('id', '=', id).executeTakeFirstOrThrow();
      await eventually('the job ends', async () => !['queued', 'running'].includes((await row()).status), 10_000);
      await sleep(1_000);
      const r = await row();
      if (postgres) {
        assert.equal(r.status, 'failed');
        assert.match(r.last_error ?? '', /NUL character/);
      } else {
        assert.equal(r.status, 'done');
      }
      assert.equal(r.attempts, 1);
      assert.equal(runs, 1, 'run once, not retried');
    } finally {
      await worker.stop();
    }
  });
});
