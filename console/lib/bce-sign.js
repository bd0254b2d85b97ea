// BCE signature v1 (bce-auth-v1) in the browser: the same canonicalization as the server's
// src/http/auth/bce-v1.ts. HMAC-SHA256 comes from Web Crypto, or from ./sha256.js where the
// page is not a secure context (plain http on a non-localhost host) and crypto.subtle is absent.
//
// Browsers set Host and Content-Length themselves and forbid scripts to touch them, so the
// console signs host (with location.host, which is what the browser sends), content-type and
// x-bce-date; the server checks exactly the headers a request lists as signed.
import { hmacSha256, sha256 } from './sha256.js';

const utf8 = new TextEncoder();
const toHex = (bytes) => Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, '0')).join('');

/** RFC 3986 encoding: encodeURIComponent plus !'()* (what the SDKs' normalize does). */
export function uriEncode(value, encodeSlash = true) {
  let out = encodeURIComponent(value).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
  if (!encodeSlash) out = out.replace(/%2F/g, '/');
  return out;
}

export function canonicalUri(path) {
  let decoded = path;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    // signed as sent
  }
  const p = uriEncode(decoded, false);
  return p.startsWith('/') ? p : '/' + p;
}

const safeDecode = (s) => {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
};

export function canonicalQueryString(rawQuery) {
  if (!rawQuery) return '';
  const parts = [];
  for (const pair of rawQuery.split('&')) {
    if (!pair) continue;
    const eq = pair.indexOf('=');
    const k = safeDecode(eq < 0 ? pair : pair.slice(0, eq));
    const v = eq < 0 ? '' : safeDecode(pair.slice(eq + 1));
    if (k.toLowerCase() === 'authorization') continue;
    parts.push(`${uriEncode(k)}=${uriEncode(v)}`);
  }
  return parts.sort().join('&');
}

export function canonicalHeaders(headers, signed) {
  return signed
    .map((name) => `${uriEncode(name.toLowerCase())}:${uriEncode((headers[name.toLowerCase()] ?? '').trim())}`)
    .sort()
    .join('\n');
}

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

export const bceTimestamp = (d = new Date()) => d.toISOString().replace(/\.\d+Z$/, 'Z');

/**
 * The Authorization header for a request. `headers` are the ones to sign (lower-case names):
 * host, content-type and x-bce-* are signed when present and non-empty.
 */
export async function signRequest({ accessKey, secretKey, method, path, rawQuery, headers, date, expirationSeconds = 1800 }) {
  const prefix = `bce-auth-v1/${accessKey}/${bceTimestamp(date)}/${expirationSeconds}`;
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), String(v)]));
  const signed = Object.keys(lower)
    .filter((k) => lower[k].trim() !== '' && (k === 'host' || k === 'content-type' || k.startsWith('x-bce-')))
    .sort();
  const canonical = [method.toUpperCase(), canonicalUri(path), canonicalQueryString(rawQuery), canonicalHeaders(lower, signed)].join('\n');
  const signingKey = await hmacHex(secretKey, prefix);
  return `${prefix}/${signed.join(';')}/${await hmacHex(signingKey, canonical)}`;
}
