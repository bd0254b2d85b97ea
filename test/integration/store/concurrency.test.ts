// Races that a single SQLite connection serialises for free but PostgreSQL, with a pool of
// connections, runs for real: both must give the same, clean answers.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { writeTinyCausalLM } from '../../fixtures/model-builder.js';
import { call, parseSdkError, sdk, startServer, type TestServer } from '../../helpers/harness.js';
import { importBody, versionsOf } from '../scale/scale-helpers.js';

const db = process.env.MODELREG_TEST_DATABASE ? 'PostgreSQL' : 'SQLite';
let server: TestServer;

before(async () => {
  server = await startServer();
  await writeTinyCausalLM(path.join(server.app.config.bucketsDir, 'models', 'tiny'));
});
after(() => server.close());

/** The outcome of a call: 'ok', or the error code and status (a 500 shows as InternalError/500). */
async function outcome(action: string, data: Record<string, unknown>): Promise<string> {
  try {
    await sdk(server.url, server.key, '/v2/model', action, data);
    return 'ok';
  } catch (err) {
    const e = parseSdkError(err);
    return `${e.body.code ?? 'no code'}/${e.status}`;
  }
}

test(`${db}: 30 concurrent creates on one set get V1…V30`, async () => {
  const set = await call(server, server.key, 'CreateCustomModelSet', { modelSetName: 'concurrent', modelType: 'Text2Text' });
  await Promise.all(Array.from({ length: 30 }, (_, i) => call(server, server.key, 'CreateCustomModel', importBody(set.modelSetId, `c${i}`))));
  const names = (await versionsOf(server, server.key, set.modelSetId)).map((v) => v.modelName);
  assert.deepEqual(names, Array.from({ length: 30 }, (_, i) => `V${i + 1}`));
});

test(`${db}: DeleteModelSet racing CreateCustomModel: one of them wins cleanly, never a 500`, async () => {
  const seen = new Set<string>();
  for (let round = 0; round < 15; round++) {
    const set = await call(server, server.key, 'CreateCustomModelSet', { modelSetName: `race${round}`, modelType: 'Text2Text' });
    const [created, deleted] = await Promise.all([
      outcome('CreateCustomModel', importBody(set.modelSetId, 'racer')),
      outcome('DeleteModelSet', { modelSetId: set.modelSetId }),
    ]);
    const pair = `create ${created}, delete ${deleted}`;
    seen.add(pair);
    // Either the version was created first (the set is then not empty) or the set went first.
    assert.ok(
      pair === 'create ok, delete ModelSetNotEmpty/400' || pair === 'create ok, delete ModelSetNotEmpty/409' || (deleted === 'ok' && created.startsWith('ModelSetNotFound/')),
      pair,
    );
  }
  assert.ok(seen.size > 0);
});
