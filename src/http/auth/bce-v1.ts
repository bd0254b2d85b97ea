// BCE signature v1 (bce-auth-v1), as the official Qianfan SDKs compute it:
//   authStringPrefix = bce-auth-v1/{accessKeyId}/{timestamp}/{expirationSeconds}
//   signingKey       = hex(HMAC-SHA256(secretKey, authStringPrefix))
//   canonicalRequest = METHOD \n canonicalURI \n canonicalQueryString \n canonicalHeaders
//   signature        = hex(HMAC-SHA256(signingKey, canonicalRequest))
//   Authorization    = {authStringPrefix}/{signedHeaders joined by ;}/{signature}
// Shared by the server's verifier and our own clients (CLI, tests, benchmarks).
import { createHmac } from 'node:crypto';

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

export const hmacHex = (key: string, data: string): string => createHmac('sha256', key).update(data, 'utf8').digest('hex');

export function signatureFor(opts: {
  secretKey: string;
  authStringPrefix: string;
  method: string;
  path: string;
  rawQuery: string;
  headers: Record<string, string>;
  signedHeaders: readonly string[];
}): string {
  const signingKey = hmacHex(opts.secretKey, opts.authStringPrefix);
  const canonicalRequest = [
    opts.method.toUpperCase(),
    canonicalUri(opts.path),
    canonicalQueryString(opts.rawQuery),
    canonicalHeaders(opts.headers, opts.signedHeaders),
  ].join('\n');
  return hmacHex(signingKey, canonicalRequest);
}

export const bceTimestamp = (d: Date = new Date()): string => d.toISOString().replace(/\.\d+Z$/, 'Z');

/** Signs a request the way the Node SDK does: host, content-length, content-type and x-bce-*. */
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
  const timestamp = bceTimestamp(opts.date);
  const prefix = `bce-auth-v1/${opts.accessKey}/${timestamp}/${opts.expirationSeconds ?? 1800}`;
  const lower = Object.fromEntries(Object.entries(opts.headers).map(([k, v]) => [k.toLowerCase(), String(v)]));
  const signed = Object.keys(lower)
    .filter((k) => lower[k]!.trim() !== '' && (k === 'host' || k === 'content-length' || k === 'content-type' || k === 'content-md5' || k.startsWith('x-bce-')))
    .sort();
  const sig = signatureFor({ secretKey: opts.secretKey, authStringPrefix: prefix, method: opts.method, path: opts.path, rawQuery: opts.rawQuery, headers: lower, signedHeaders: signed });
  return `${prefix}/${signed.join(';')}/${sig}`;
}
