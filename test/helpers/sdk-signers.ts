// The requests the official Qianfan SDKs (github.com/baidubce/bce-qianfan-sdk, read at commit
// 6cacf6002140a3249c1c8d557def462c29c129c5) build for a console call, rebuilt here from their
// sources so the tests can replay them: which headers each sends, which it signs, and how it
// spells the host it signs. Written independently of src/http/auth (a shared bug would hide).
// The Node SDK needs no replica: the tests run the real npm package.
import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { Key, RawResponse } from './harness.js';

/** A request exactly as it goes on the wire: every header as sent, Host included. */
export interface WireRequest {
  path: string;
  query: string;
  headers: Record<string, string>;
  body: string;
}

export type SdkName = 'python' | 'go' | 'java';

const hmacHex = (key: string, data: string): string => createHmac('sha256', key).update(data, 'utf8').digest('hex');

/** RFC 3986 unreserved characters stay, everything else is %XX (baidubce normalize_string, Go util.UriEncode, Java normalize). */
const rfc3986 = (s: string, encodeSlash = true): string => {
  const out = encodeURIComponent(s).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
  return encodeSlash ? out : out.replace(/%2F/g, '/');
};

const timestamp = (d: Date): string => d.toISOString().replace(/\.\d+Z$/, 'Z');

export interface SignOptions {
  date?: Date;
  /** Sign this host instead of the one the SDK would (a tamper case). */
  signedHost?: string;
}

/**
 * Python SDK: resources/console/utils.py:69 adds `request-source: qianfan_py_sdk_v<VERSION>`;
 * resources/requestor/console_requestor.py:94-99 sets Content-Type and `Host: <netloc>` (the
 * base URL's host WITH its port) and calls iam_sign; resources/auth/iam.py:37-53 signs with
 * baidubce's bce_v1_signer.sign, headers_to_sign = every header name lower-cased (a Python set,
 * so the Authorization lists them in no particular order), expiration IAM_SIGN_EXPIRATION_SEC
 * (python/qianfan/consts.py:306, 300 s), x-bce-date from get_canonical_time. The signer's canonical request:
 * method, the path as given, the sorted normalized query, and sorted `name:value` lines of
 * the signed (and every x-bce-*) header with stripped, normalized values.
 */
export function pythonRequest(baseUrl: string, key: Key, route: string, action: string, data: unknown, opts: SignOptions = {}): WireRequest {
  const u = new URL(baseUrl);
  const date = timestamp(opts.date ?? new Date());
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    Host: u.host,
    'request-source': 'qianfan_py_sdk_v0.4.12',
    'x-bce-date': date,
  };
  const signedHeaders = { ...headers, ...(opts.signedHost !== undefined && { Host: opts.signedHost }) };
  const prefix = `bce-auth-v1/${key.accessKey}/${date}/300`;
  // A set's iteration order: deliberately not sorted, as Python may produce it.
  const names = ['host', 'request-source', 'content-type', 'x-bce-date'];
  const canonicalHeaders = Object.entries(signedHeaders)
    .map(([k, v]) => `${rfc3986(k.trim().toLowerCase())}:${rfc3986(String(v).trim())}`)
    .sort()
    .join('\n');
  const canonicalRequest = ['POST', route, `${rfc3986('Action')}=${rfc3986(action)}`, canonicalHeaders].join('\n');
  const signature = hmacHex(hmacHex(key.secretKey, prefix), canonicalRequest);
  return {
    path: route,
    query: `Action=${action}`,
    headers: { ...headers, Authorization: `${prefix}/${names.join(';')}/${signature}` },
    body: JSON.stringify(data),
  };
}

/**
 * Go SDK: go/qianfan/requestor.go:298-335 (prepareRequest) adds `request-source:
 * qianfan_go_sdk_v0.0.15` (version.go:29-30) and Content-Type; requestor.go:241-293 (sign) sets
 * the signed `Host` to u.Hostname() — WITHOUT the port — and x-bce-date, signs every header
 * (bce-sdk-go BceV1Signer: sorted signed-header list, canonical URI from the path, query from
 * Params = {Action}), expiration QIANFAN_IAM_SIGN_EXPIRATION_SEC (config.go:31, 300 s).
 * net/http then sends the URL's host, port included, as the Host header.
 */
export function goRequest(baseUrl: string, key: Key, route: string, action: string, data: unknown, opts: SignOptions = {}): WireRequest {
  const u = new URL(baseUrl);
  const date = timestamp(opts.date ?? new Date());
  const signed: Record<string, string> = {
    'request-source': 'qianfan_go_sdk_v0.0.15',
    'Content-Type': 'application/json',
    Host: opts.signedHost ?? u.hostname,
    'x-bce-date': date,
  };
  const names = Object.keys(signed).map((k) => k.toLowerCase()).sort();
  const canonicalHeaders = Object.entries(signed)
    .map(([k, v]) => `${rfc3986(k.toLowerCase())}:${rfc3986(v.trim())}`)
    .sort()
    .join('\n');
  const prefix = `bce-auth-v1/${key.accessKey}/${date}/300`;
  const canonicalRequest = ['POST', rfc3986(route, false), `Action=${rfc3986(action)}`, canonicalHeaders].join('\n');
  const signature = hmacHex(hmacHex(key.secretKey, prefix), canonicalRequest);
  const { Host: _signedHost, ...rest } = signed;
  return {
    path: route,
    query: `Action=${action}`,
    headers: { ...rest, Host: u.host, Authorization: `${prefix}/${names.join(';')}/${signature}` },
    body: JSON.stringify(data),
  };
}

/**
 * Java SDK: QianfanClient.java:167-180 posts to `<base><route>?Action=<action>` with a JSON body;
 * core/auth/IAMAuth.java:73-92 signs only `host` and `x-bce-date` (HEADER_TO_SIGN, line 39),
 * with host = uri.getHost() — WITHOUT the port — the path as uri.getPath(), and the query with
 * only its values normalized (lines 100-114); expiration QIANFAN_IAM_SIGN_EXPIRATION_SEC
 * (QianfanConfig.java:50, 1800 s). X-Bce-Date is added beside Authorization (lines 65-67);
 * the HTTP client sends Host with the port.
 */
export function javaRequest(baseUrl: string, key: Key, route: string, action: string, data: unknown, opts: SignOptions = {}): WireRequest {
  const u = new URL(baseUrl);
  const date = timestamp(opts.date ?? new Date());
  const host = opts.signedHost ?? u.hostname;
  const prefix = `bce-auth-v1/${key.accessKey}/${date}/1800`;
  const canonicalHeaders = [`host:${rfc3986(host, false)}`, `x-bce-date:${rfc3986(date, false)}`].sort().join('\n');
  const canonicalRequest = ['POST', route, `Action=${rfc3986(action)}`, canonicalHeaders].join('\n');
  const signature = hmacHex(hmacHex(key.secretKey, prefix), canonicalRequest);
  return {
    path: route,
    query: `Action=${action}`,
    headers: { 'Content-Type': 'application/json', Host: u.host, Authorization: `${prefix}/host;x-bce-date/${signature}`, 'X-Bce-Date': date },
    body: JSON.stringify(data),
  };
}

export const SDK_REQUESTS: Record<SdkName, typeof pythonRequest> = { python: pythonRequest, go: goRequest, java: javaRequest };

/** Sends a WireRequest with exactly its headers (fetch would choose Host itself). */
export function sendWire(baseUrl: string, req: WireRequest): Promise<RawResponse> {
  const u = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const body = Buffer.from(req.body);
    const r = http.request(
      { host: u.hostname, port: u.port, method: 'POST', path: `${req.path}${req.query ? '?' + req.query : ''}`, headers: { ...req.headers, 'Content-Length': String(body.length) }, setHost: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const headers = new Headers();
          for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(', ') : v);
          let parsed: unknown;
          try {
            parsed = JSON.parse(text);
          } catch {
            parsed = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers, body: parsed, text });
        });
      },
    );
    r.on('error', reject);
    r.end(body);
  });
}
