// A read that stops delivering must end: a wedged disk, a hung NFS mount, an S3 server that keeps the
// socket open but sends nothing. The guard fails the stream when the consumer has asked for data and
// none has arrived for `ms`; a consumer that is merely slow (backpressure) never trips it.
import { Readable } from 'node:stream';
import { ObjectStoreError } from './object-store-error.js';

export class StallError extends ObjectStoreError {
  readonly code = 'ESTALLED';
  constructor(what: string, ms: number) {
    super('Stalled', `reading ${what} stalled: no data for ${ms} ms`);
    this.name = 'StallError';
  }
}

export function withStallTimeout(src: Readable, ms: number, what: string): Readable {
  if (!(ms > 0)) return src;
  let timer: NodeJS.Timeout | undefined;
  const disarm = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
  };
  const guarded: Readable = new Readable({
    highWaterMark: src.readableHighWaterMark,
    read() {
      if (!timer) timer = setTimeout(() => guarded.destroy(new StallError(what, ms)), ms);
      src.resume();
    },
    destroy(err, cb) {
      disarm();
      src.destroy();
      cb(err);
    },
  });
  src.pause();
  src.on('data', (chunk) => {
    disarm();
    if (!guarded.push(chunk)) src.pause();
    else timer = setTimeout(() => guarded.destroy(new StallError(what, ms)), ms);
  });
  src.once('end', () => {
    disarm();
    guarded.push(null);
  });
  src.once('error', (err) => guarded.destroy(err));
  return guarded;
}
