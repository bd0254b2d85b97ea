// pino, one JSON line per event. Authorization headers and secrets are never logged:
// request logs carry ids, not headers.
import pino, { type Logger } from 'pino';

/**
 * `destination` is for tests that read the log; the default is stdout, written asynchronously:
 * lines logged while a write is under way go out together in the next one (one write per batch,
 * not per request line), and pino flushes what is left when the process exits.
 */
export function createLogger(level: string, destination: pino.DestinationStream = pino.destination({ dest: 1, sync: false })): Logger {
  return pino({
    level,
    base: { service: 'modelreg' },
    redact: { paths: ['req.headers.authorization', 'secretKey', '*.secretKey', 'headers.authorization'], censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  }, destination);
}
