// BCE signature v1 in Node: the two HMACs over canonical-request.ts's strings. The server's
// verifier (src/http/auth/verify-signature.ts) recomputes signatureFor; modelreg's clients (the
// CLI's ApiClient, tests, benchmarks) sign with signRequest.
import { createHmac } from 'node:crypto';
import {
  DEFAULT_EXPIRATION_SECONDS,
  authStringPrefix,
  authorizationHeader,
  bceTimestamp,
  canonicalRequest,
  headersToSign,
  lowerCaseHeaders,
} from './canonical-request.js';

export const hmacHex = (key: string, data: string): string => createHmac('sha256', key).update(data, 'utf8').digest('hex');

/** The key a request's signature is made with: valid for one access key, timestamp and expiration. */
export const signingKey = (secretKey: string, prefix: string): string => hmacHex(secretKey, prefix);

export function signatureFor(opts: {
  secretKey: string;
  authStringPrefix: string;
  method: string;
  path: string;
  rawQuery: string;
  headers: Record<string, string>;
  signedHeaders: readonly string[];
}): string {
  return hmacHex(signingKey(opts.secretKey, opts.authStringPrefix), canonicalRequest(opts));
}

/** The Authorization header for a request, signed the way the Node SDK signs (headersToSign). */
export function signRequest(opts: {
  accessKey: string;
  secretKey: string;
  method: string;
  path: string;
  rawQuery: string;
  headers: Record<string, string>;
  expirationSeconds?: number;
  date?: Date;
}): string {
  const prefix = authStringPrefix(opts.accessKey, bceTimestamp(opts.date), opts.expirationSeconds ?? DEFAULT_EXPIRATION_SECONDS);
  const lower = lowerCaseHeaders(opts.headers);
  const signed = headersToSign(lower);
  const sig = signatureFor({ secretKey: opts.secretKey, authStringPrefix: prefix, method: opts.method, path: opts.path, rawQuery: opts.rawQuery, headers: lower, signedHeaders: signed });
  return authorizationHeader(prefix, signed, sig);
}
