// BCE signature v1 (bce-auth-v1) in the browser. Everything but the HMACs comes from
// ./bce-v1-canonical.js, generated from the server's src/protocol/bce-v1/canonical-request.ts
// (scripts/write-console-signer.ts), so the console and the server cannot canonicalize apart.
// HMAC-SHA256 comes from Web Crypto, or from ./sha256.js where the page is not a secure context
// (plain http on a non-localhost host) and crypto.subtle is absent.
//
// Browsers set Host and Content-Length themselves and forbid scripts to touch them, so the
// console signs host (with location.host, which is what the browser sends), content-type and
// x-bce-*; the server checks exactly the headers a request lists as signed.
import * as bce from './bce-v1-canonical.js';
import { hmacSha256, sha256 } from './sha256.js';

export { bceTimestamp, canonicalQueryString, canonicalUri } from './bce-v1-canonical.js';

const utf8 = new TextEncoder();
const toHex = (bytes) => Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, '0')).join('');

export async function hmacHex(key, data) {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) return toHex(hmacSha256(utf8.encode(key), utf8.encode(data)));
  const k = await subtle.importKey('raw', utf8.encode(key), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return toHex(await subtle.sign('HMAC', k, utf8.encode(data)));
}

/** Hex SHA-256 of the body bytes, for the signed x-bce-content-sha256 header. */
export async function sha256Hex(bytes) {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) return toHex(sha256(bytes));
  return toHex(await subtle.digest('SHA-256', bytes));
}

/**
 * The Authorization header for a request, as src/protocol/bce-v1/signer.ts's signRequest makes it.
 * `headers` are the ones to sign: host, content-type and x-bce-* are signed when present and non-empty.
 */
export async function signRequest({ accessKey, secretKey, method, path, rawQuery, headers, date, expirationSeconds = bce.DEFAULT_EXPIRATION_SECONDS }) {
  const prefix = bce.authStringPrefix(accessKey, bce.bceTimestamp(date), expirationSeconds);
  const lower = bce.lowerCaseHeaders(headers);
  const signed = bce.headersToSign(lower);
  const signature = await hmacHex(await hmacHex(secretKey, prefix), bce.canonicalRequest({ method, path, rawQuery, headers: lower, signedHeaders: signed }));
  return bce.authorizationHeader(prefix, signed, signature);
}
