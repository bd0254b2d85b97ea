// pino, one JSON line per event. Authorization headers and secrets are never logged:
// request logs carry ids, not headers.
import pino, { type Logger } from 'pino';

/** A line waits at most this long in the buffer before it is written (see stdoutDestination). */
export const LOG_FLUSH_MS = 100;
const LOG_BUFFER_BYTES = 4096;

/**
 * stdout, written asynchronously and in batches: lines are gathered up to 4 KB (about 15 request
 * lines) and written together, and a timer writes what is gathered every 100 ms, so a line is out
 * within that bound on a quiet server too. One write per line cost ~17-28 µs of CPU per request
 * (a libuv write request per line, issue 14; bench/README.md); pino writes what is left
 * synchronously when the process exits.
 */
export function stdoutDestination(): pino.DestinationStream {
  const dest = pino.destination({ dest: 1, sync: false, minLength: LOG_BUFFER_BYTES });
  const buffered = dest as unknown as { _len: number; _writing: boolean; destroyed: boolean };
  setInterval(() => {
    if (!buffered.destroyed && !buffered._writing && buffered._len > 0) dest.flush();
  }, LOG_FLUSH_MS).unref();
  return dest;
}

/** `destination` is for tests that read the log; the default is stdout (stdoutDestination). */
export function createLogger(level: string, destination: pino.DestinationStream = stdoutDestination()): Logger {
  return pino({
    level,
    base: { service: 'modelreg' },
    redact: { paths: ['req.headers.authorization', 'secretKey', '*.secretKey', 'headers.authorization'], censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  }, destination);
}
