// pino, one JSON line per event. Authorization headers and secrets are never logged:
// request logs carry ids, not headers.
import pino, { type Logger } from 'pino';

/** `destination` is for tests that read the log; the default is stdout. */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({
    level,
    base: { service: 'modelreg' },
    redact: { paths: ['req.headers.authorization', 'secretKey', '*.secretKey', 'headers.authorization'], censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  }, destination);
}
