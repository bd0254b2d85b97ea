// A second import worker on a test server's database that reads the buckets through a slow
// store (a slow disk or network): its imports take long enough to watch their progress.
import path from 'node:path';
import { Transform } from 'node:stream';
import pino from 'pino';
import { ImportJobHandler } from '../../src/jobs/import-job.js';
import { JobWorker } from '../../src/jobs/worker.js';
import { JobsRepo } from '../../src/store/repos/jobs-repo.js';
import { ModelsRepo } from '../../src/store/repos/models-repo.js';
import { AdaptersRepo } from '../../src/store/repos/adapters-repo.js';
import { CustomConfsRepo } from '../../src/store/repos/custom-confs-repo.js';
import { createObjectStore } from '../../src/objects/index.js';
import type { ObjectStore } from '../../src/objects/object-store.js';
import type { TestServer } from './harness.js';

/** A store whose reads deliver about `bytesPerSecond`. */
export function slowStore(inner: ObjectStore, bytesPerSecond: number): ObjectStore {
  const slow = Object.create(inner) as ObjectStore;
  slow.read = async (bucket, key, range) => {
    const src = await inner.read(bucket, key, range);
    const throttle = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        setTimeout(() => cb(null, chunk), Math.ceil((chunk.length / bytesPerSecond) * 1000));
      },
    });
    src.on('error', (err) => throttle.destroy(err));
    return src.pipe(throttle);
  };
  return slow;
}

/** Starts the slow worker (the server itself should run with importConcurrency 0); stop() it after. */
export function startSlowReplica(s: TestServer, bytesPerSecond: number, progressEveryMs = 200): JobWorker {
  const logger = pino({ level: 'silent' });
  const jobs = new JobsRepo(s.app.store.db, s.app.store.dialect);
  const handler = new ImportJobHandler({
    models: new ModelsRepo(s.app.store.db),
    adapters: new AdaptersRepo(s.app.store.db),
    jobs,
    confs: new CustomConfsRepo(s.app.store.db),
    source: slowStore(createObjectStore({ kind: 'local', rootDir: s.app.config.bucketsDir }), bytesPerSecond),
    registry: { store: createObjectStore({ kind: 'local', rootDir: path.join(s.dataDir, 'registry') }), bucket: 'models' },
    blobs: s.app.blobs,
    logger,
    retryDelayMs: 100,
    progressEveryMs,
  });
  const worker = new JobWorker(jobs, handler, { concurrency: 1, leaseMs: 30_000, pollMs: 50, logger });
  worker.start();
  return worker;
}
