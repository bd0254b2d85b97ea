// BCE signature v1 (bce-auth-v1), as the official Qianfan SDKs compute it:
//   authStringPrefix = bce-auth-v1/{accessKeyId}/{timestamp}/{expirationSeconds}
//   signingKey       = hex(HMAC-SHA256(secretKey, authStringPrefix))
//   canonicalRequest = METHOD \n canonicalURI \n canonicalQueryString \n canonicalHeaders
//   signature        = hex(HMAC-SHA256(signingKey, canonicalRequest))
//   Authorization    = {authStringPrefix}/{signedHeaders joined by ;}/{signature}
// This file is the text half (everything but the two HMACs, which are in signer.ts): it imports
// nothing, so scripts/write-console-signer.ts can copy it into the browser console as
// console/lib/bce-v1-canonical.js and the console signs by this very code.

export const AUTH_VERSION = 'bce-auth-v1';
/** What the Node SDK (and so modelreg's clients) sign for when the caller does not say. */
export const DEFAULT_EXPIRATION_SECONDS = 1800;

const UNRESERVED = /^[A-Za-z0-9\-._~]*$/;

/** RFC 3986 encoding: encodeURIComponent plus !'()* (what the SDKs' normalize does). */
export function uriEncode(value: string, encodeSlash = true): string {
  // Most names and values need no escaping at all (the common case on every request).
  if (UNRESERVED.test(value)) return value;
  let out = encodeURIComponent(value).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
  if (!encodeSlash) out = out.replace(/%2F/g, '/');
  return out;
}

/**
 * A small memory for pure functions of short strings a client repeats on every request (the path,
 * the query "Action=…"): bounded in entries and in key length, so hostile input cannot grow it.
 */
function memoShort(fn: (s: string) => string): (s: string) => string {
  const memo = new Map<string, string>();
  return (s) => {
    if (s.length > 256) return fn(s);
    let v = memo.get(s);
    if (v === undefined) {
      v = fn(s);
      if (memo.size >= 1000) memo.clear();
      memo.set(s, v);
    }
    return v;
  };
}

export const canonicalUri = memoShort(canonicalUriOf);

function canonicalUriOf(path: string): string {
  let decoded = path;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    // A malformed escape is signed as sent; the signature then simply fails to match.
  }
  const p = uriEncode(decoded, false);
  return p.startsWith('/') ? p : '/' + p;
}

/** From a raw query string ('Action=X&b=1'); authorization is never signed. */
export const canonicalQueryString = memoShort(canonicalQueryStringOf);

function canonicalQueryStringOf(rawQuery: string): string {
  if (!rawQuery) return '';
  const parts: string[] = [];
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

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}

/** `name:value` lines for the signed headers, sorted; values trimmed then encoded. */
export function canonicalHeaders(headers: Record<string, string>, signed: readonly string[]): string {
  return signed
    .map((name) => `${uriEncode(name.toLowerCase())}:${uriEncode((headers[name.toLowerCase()] ?? '').trim())}`)
    .sort()
    .join('\n');
}

/** The string the signing key signs: method, URI, query and the signed headers, one per line. */
export function canonicalRequest(req: { method: string; path: string; rawQuery: string; headers: Record<string, string>; signedHeaders: readonly string[] }): string {
  return [req.method.toUpperCase(), canonicalUri(req.path), canonicalQueryString(req.rawQuery), canonicalHeaders(req.headers, req.signedHeaders)].join('\n');
}

export const bceTimestamp = (d: Date = new Date()): string => d.toISOString().replace(/\.\d+Z$/, 'Z');

export const authStringPrefix = (accessKey: string, timestamp: string, expirationSeconds: number | string): string =>
  `${AUTH_VERSION}/${accessKey}/${timestamp}/${expirationSeconds}`;

export const authorizationHeader = (prefix: string, signedHeaders: readonly string[], signature: string): string => `${prefix}/${signedHeaders.join(';')}/${signature}`;

/** Header names lower-cased, values as strings (the canonical form reads lower-case names). */
export const lowerCaseHeaders = (headers: Record<string, string>): Record<string, string> =>
  Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), String(v)]));

/**
 * The headers a modelreg client signs, as the Node SDK chooses them: host, content-length,
 * content-type, content-md5 and x-bce-*, when present and not empty; sorted. (The browser cannot
 * set content-length, so the console simply does not pass it.)
 */
export function headersToSign(lower: Record<string, string>): string[] {
  return Object.keys(lower)
    .filter((k) => lower[k]!.trim() !== '' && (k === 'host' || k === 'content-length' || k === 'content-type' || k === 'content-md5' || k.startsWith('x-bce-')))
    .sort();
}
