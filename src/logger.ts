// pino, one JSON line per event. Authorization headers and secrets are never logged:
// request logs carry ids, not headers.
import pino, { type Logger } from 'pino';

export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'modelreg' },
    redact: { paths: ['req.headers.authorization', 'secretKey', '*.secretKey', 'headers.authorization'], censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}
