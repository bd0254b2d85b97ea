// An S3-compatible server for tests (s3rver, in-process on 127.0.0.1 with an ephemeral port): used
// by the object-store conformance tests and by every server test that imports from or stores to S3.
import { promises as fsp } from 'node:fs';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import type { S3Config } from '../../src/config.js';

// s3rver ships no type declarations; describe the little we use.
interface S3rverInstance {
  run(): Promise<{ port: number }>;
  close(): Promise<void>;
  httpServer?: Server;
}
type S3rverClass = new (options: { address: string; port: number; directory: string; silent: boolean }) => S3rverInstance;
const S3rver = createRequire(import.meta.url)('s3rver') as S3rverClass;

export interface RunningS3 {
  config: S3Config;
  port: number;
  /** Stops the server at once, cutting open connections (an outage, not a drain). */
  stop(): Promise<void>;
  /** Starts it again on the same port and data directory. */
  restart(): Promise<void>;
  /** Stops it and removes its data. */
  destroy(): Promise<void>;
}

export async function startS3rver(): Promise<RunningS3> {
  const directory = await fsp.mkdtemp(path.join(os.tmpdir(), 'modelreg-s3rver-'));
  let server: S3rverInstance | undefined = new S3rver({ address: '127.0.0.1', port: 0, directory, silent: true });
  const { port } = await server.run();
  const stop = async () => {
    if (!server) return;
    const s = server;
    server = undefined;
    s.httpServer?.closeAllConnections();
    await s.close();
  };
  return {
    port,
    // s3rver accepts only these credentials, and only us-east-1 continuation tokens.
    config: { endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER', forcePathStyle: true },
    stop,
    async restart() {
      if (server) return;
      server = new S3rver({ address: '127.0.0.1', port, directory, silent: true });
      await server.run();
    },
    async destroy() {
      await stop();
      await fsp.rm(directory, { recursive: true, force: true });
    },
  };
}
