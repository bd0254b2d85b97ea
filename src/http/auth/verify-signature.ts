// Verifies a request's bce-auth-v1 Authorization header. Every rejection names what is wrong
// without ever echoing a secret; the signature comparison is constant-time.
import { createHash, timingSafeEqual } from 'node:crypto';
import { AUTH_VERSION, authStringPrefix } from '../../protocol/bce-v1/canonical-request.js';
import { signatureFor } from '../../protocol/bce-v1/signer.js';
import { ERRORS } from '../../domain/errors/catalogue.js';

export interface ParsedAuthorization {
  accessKey: string;
  timestamp: string;
  expirationSeconds: number;
  signedHeaders: string[];
  signature: string;
  authStringPrefix: string;
}

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const MAX_EXPIRATION_SECONDS = 7 * 24 * 3600;

export function parseAuthorization(header: string | undefined): ParsedAuthorization {
  if (header === undefined || header.trim() === '') {
    throw ERRORS.AuthorizationMissing();
  }
  const parts = header.trim().split('/');
  if (parts.length !== 6 || parts[0] !== AUTH_VERSION) {
    throw ERRORS.AuthorizationMalformed('expected bce-auth-v1/{accessKeyId}/{timestamp}/{expirationSeconds}/{signedHeaders}/{signature}');
  }
  const [, accessKey, timestamp, exp, signedHeaders, signature] = parts as [string, string, string, string, string, string];
  if (!accessKey) throw ERRORS.AuthorizationMalformed('the access key id is empty');
  if (!TIMESTAMP.test(timestamp) || Number.isNaN(Date.parse(timestamp))) {
    throw ERRORS.AuthorizationMalformed('the timestamp must look like 2024-01-02T03:04:05Z (UTC)');
  }
  if (!/^\d{1,9}$/.test(exp) || Number(exp) < 1 || Number(exp) > MAX_EXPIRATION_SECONDS) {
    throw ERRORS.AuthorizationMalformed(`expirationSeconds must be an integer from 1 to ${MAX_EXPIRATION_SECONDS}`);
  }
  if (!/^[0-9a-f]{64}$/.test(signature)) {
    throw ERRORS.AuthorizationMalformed('the signature must be 64 lowercase hex digits');
  }
  const names = signedHeaders === '' ? [] : signedHeaders.split(';');
  if (names.some((n) => !/^[a-z0-9-]+$/.test(n))) {
    throw ERRORS.AuthorizationMalformed('signed header names must be lowercase and separated by ";"');
  }
  if (!names.includes('host')) {
    throw ERRORS.HostNotSigned();
  }
  return {
    accessKey,
    timestamp,
    expirationSeconds: Number(exp),
    signedHeaders: names,
    signature,
    authStringPrefix: authStringPrefix(accessKey, timestamp, exp),
  };
}

export function checkTimeWindow(auth: ParsedAuthorization, now: number, maxSkewSeconds: number): void {
  const signedAt = Date.parse(auth.timestamp);
  if (signedAt > now + maxSkewSeconds * 1000) {
    throw ERRORS.SignedInFuture(auth.timestamp, maxSkewSeconds);
  }
  if (now > signedAt + auth.expirationSeconds * 1000) {
    throw ERRORS.SignatureExpired(auth.timestamp, auth.expirationSeconds);
  }
}

export interface RequestToVerify {
  method: string;
  path: string;
  rawQuery: string;
  headers: Record<string, string>;
  body: Buffer | undefined;
}

export function verifySignature(auth: ParsedAuthorization, secretKey: string, req: RequestToVerify): void {
  for (const name of auth.signedHeaders) {
    if (req.headers[name] === undefined) {
      throw ERRORS.SignedHeaderMissing(name);
    }
  }
  // The Go and Java SDKs sign the host without its port (u.Hostname(), uri.getHost()) while the
  // Host header they send carries it: the signature over the host alone is the one alternative
  // accepted. Everything else signed must match as sent.
  const matches =
    sameHex(expectedSignature(auth, secretKey, req, req.headers), auth.signature) ||
    (auth.signedHeaders.includes('host') && hostsWithoutPort(req.headers.host).some((host) => sameHex(expectedSignature(auth, secretKey, req, { ...req.headers, host }), auth.signature)));
  if (!matches) {
    throw ERRORS.SignatureMismatch();
  }
}

// A module-level function rather than a closure made per request (hot path).
function expectedSignature(auth: ParsedAuthorization, secretKey: string, req: RequestToVerify, headers: Record<string, string>): string {
  return signatureFor({
    secretKey,
    authStringPrefix: auth.authStringPrefix,
    method: req.method,
    path: req.path,
    rawQuery: req.rawQuery,
    headers,
    signedHeaders: auth.signedHeaders,
  });
}

function sameHex(expected: string, given: string): boolean {
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(given, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * The host of a Host header that names a port, as the SDKs spell it without the port:
 * "example.com:8080" → ["example.com"]; "[::1]:8080" → ["[::1]" (Java's getHost), "::1" (Go's Hostname)].
 * [] when the header names no port.
 */
export function hostsWithoutPort(host: string | undefined): string[] {
  const m = /^(\[([0-9A-Fa-f:.]+)\]|[^:\[\]]+):(\d{1,5})$/.exec((host ?? '').trim());
  if (!m) return [];
  return m[2] !== undefined ? [m[1]!, m[2]] : [m[1]!];
}
/** Whether the signature covers the body (so it must be checked once the body has arrived). */
export const signsBody = (auth: ParsedAuthorization): boolean =>
  auth.signedHeaders.includes('x-bce-content-sha256') || auth.signedHeaders.includes('content-md5');

/**
 * The SDKs do not sign the body. A client that does (content-md5 or x-bce-content-sha256 among
 * the signed headers) gets its body checked against the signed digest.
 */
export function checkBodyDigests(auth: ParsedAuthorization, req: Pick<RequestToVerify, 'headers' | 'body'>): void {
  const body = req.body ?? Buffer.alloc(0);
  if (auth.signedHeaders.includes('x-bce-content-sha256')) {
    const want = (req.headers['x-bce-content-sha256'] ?? '').trim().toLowerCase();
    if (createHash('sha256').update(body).digest('hex') !== want) {
      throw ERRORS.BodyDigestMismatch('x-bce-content-sha256');
    }
  }
  if (auth.signedHeaders.includes('content-md5')) {
    const want = (req.headers['content-md5'] ?? '').trim();
    if (createHash('md5').update(body).digest('base64') !== want) {
      throw ERRORS.BodyDigestMismatch('content-md5');
    }
  }
}
