// Verifies a request's bce-auth-v1 Authorization header. Every rejection names what is wrong
// without ever echoing a secret; the signature comparison is constant-time.
import { createHash, timingSafeEqual } from 'node:crypto';
import { ApiError } from '../../domain/errors.js';
import { AUTH_VERSION, authStringPrefix } from '../../protocol/bce-v1/canonical-request.js';
import { signatureFor } from '../../protocol/bce-v1/signer.js';

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
    throw new ApiError('MissingAuthorization', 'the Authorization header is missing; sign the request with bce-auth-v1 (AK/SK)');
  }
  const parts = header.trim().split('/');
  if (parts.length !== 6 || parts[0] !== AUTH_VERSION) {
    throw new ApiError('InvalidAuthorization', 'malformed Authorization header: expected bce-auth-v1/{accessKeyId}/{timestamp}/{expirationSeconds}/{signedHeaders}/{signature}');
  }
  const [, accessKey, timestamp, exp, signedHeaders, signature] = parts as [string, string, string, string, string, string];
  if (!accessKey) throw new ApiError('InvalidAuthorization', 'malformed Authorization header: the access key id is empty');
  if (!TIMESTAMP.test(timestamp) || Number.isNaN(Date.parse(timestamp))) {
    throw new ApiError('InvalidAuthorization', 'malformed Authorization header: the timestamp must look like 2024-01-02T03:04:05Z (UTC)');
  }
  if (!/^\d{1,9}$/.test(exp) || Number(exp) < 1 || Number(exp) > MAX_EXPIRATION_SECONDS) {
    throw new ApiError('InvalidAuthorization', `malformed Authorization header: expirationSeconds must be an integer from 1 to ${MAX_EXPIRATION_SECONDS}`);
  }
  if (!/^[0-9a-f]{64}$/.test(signature)) {
    throw new ApiError('InvalidAuthorization', 'malformed Authorization header: the signature must be 64 lowercase hex digits');
  }
  const names = signedHeaders === '' ? [] : signedHeaders.split(';');
  if (names.some((n) => !/^[a-z0-9-]+$/.test(n))) {
    throw new ApiError('InvalidAuthorization', 'malformed Authorization header: signed header names must be lowercase and separated by ";"');
  }
  if (!names.includes('host')) {
    throw new ApiError('InvalidAuthorization', 'the host header must be among the signed headers');
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
    throw new ApiError('RequestExpired', `the request's timestamp ${auth.timestamp} is more than ${maxSkewSeconds}s in the future; check the client's clock`);
  }
  if (now > signedAt + auth.expirationSeconds * 1000) {
    throw new ApiError('RequestExpired', `the signature expired: signed at ${auth.timestamp} for ${auth.expirationSeconds}s; sign the request again`);
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
      throw new ApiError('SignatureDoesNotMatch', `the signed header "${name}" is missing from the request`);
    }
  }
  // The Go and Java SDKs sign the host without its port (u.Hostname(), uri.getHost()) while the
  // Host header they send carries it: the signature over the host alone is the one alternative
  // accepted. Everything else signed must match as sent.
  const matches =
    sameHex(expectedSignature(auth, secretKey, req, req.headers), auth.signature) ||
    (auth.signedHeaders.includes('host') && hostsWithoutPort(req.headers.host).some((host) => sameHex(expectedSignature(auth, secretKey, req, { ...req.headers, host }), auth.signature)));
  if (!matches) {
    throw new ApiError('SignatureDoesNotMatch', 'the request signature does not match: check the secret key and that the signed headers, path and query were not changed');
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
      throw new ApiError('SignatureDoesNotMatch', 'the body does not match the signed x-bce-content-sha256 header');
    }
  }
  if (auth.signedHeaders.includes('content-md5')) {
    const want = (req.headers['content-md5'] ?? '').trim();
    if (createHash('md5').update(body).digest('base64') !== want) {
      throw new ApiError('SignatureDoesNotMatch', 'the body does not match the signed content-md5 header');
    }
  }
}
