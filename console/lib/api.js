// The console's API client: signed POST <route>?Action=<Action> calls to the server it was
// loaded from, unwrapping the {requestId, result} / {requestId, code, message} envelopes.
import { bceTimestamp, sha256Hex, signRequest } from './bce-sign.js';

const AUTH_FAILURES = new Set(['InvalidHTTPAuthHeader', 'InvalidAccessKeyId', 'SignatureDoesNotMatch', 'RequestExpired']);

export class ApiError extends Error {
  constructor(status, code, message, requestId, field) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.requestId = requestId;
    /** The request field a parameter error is about (X-Modelreg-Error-Field), e.g. "modelSetName". */
    this.field = field ?? null;
  }

  /** The key is unknown, its signature is wrong or expired: the session is over. BCE's codes for
   * these answer 400 or 403 (docs/sdk-compatibility.md), so the code tells, not the status. */
  get isAuthFailure() {
    return AUTH_FAILURES.has(this.code);
  }
}

export class Api {
  /**
   * @param {{accessKey: string, secretKey: string}} creds  the secret only signs; it is never sent
   * @param {{origin?: string, host?: string}} where        defaults to the page's own server
   */
  constructor(creds, where = {}) {
    this.creds = creds;
    this.origin = where.origin ?? location.origin;
    this.host = where.host ?? location.host;
  }

  call(route, action, data = {}) {
    return this.send(route, action, JSON.stringify(data), 'application/json');
  }

  /** A multipart/form-data call with one file field (CreateModelCustomConf's customSpecFile). */
  callWithFile(route, action, field, file) {
    const boundary = `----modelreg${Array.from(crypto.getRandomValues(new Uint8Array(12)), (b) => b.toString(16).padStart(2, '0')).join('')}`;
    const name = (file.name || 'template').replace(/["\r\n\\]/g, '_');
    const body = new Blob([
      `--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${name}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
      file,
      `\r\n--${boundary}--\r\n`,
    ]);
    // The boundary is ours, so the content type is known before sending and can be signed.
    return this.send(route, action, body, `multipart/form-data; boundary=${boundary}`);
  }

  async send(route, action, body, contentType) {
    const rawQuery = `Action=${encodeURIComponent(action)}`;
    // The body's digest is signed too, so a captured request cannot be replayed with another body
    // (a server with MODELREG_REQUIRE_CONTENT_SHA256 refuses requests that do not sign it).
    const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : new Uint8Array(await body.arrayBuffer());
    body = bytes;
    const headers = { host: this.host, 'content-type': contentType, 'x-bce-date': bceTimestamp(), 'x-bce-content-sha256': await sha256Hex(bytes) };
    const authorization = await signRequest({ ...this.creds, method: 'POST', path: route, rawQuery, headers });
    const { host: _host, ...send } = headers;
    let res;
    try {
      res = await fetch(`${this.origin}${route}?${rawQuery}`, {
        method: 'POST',
        headers: { ...send, authorization },
        body,
        credentials: 'omit',
        cache: 'no-store',
      });
    } catch (err) {
      throw new ApiError(0, 'NetworkError', `cannot reach the server: ${err.message}`);
    }
    const text = await res.text();
    let parsed;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new ApiError(res.status, 'InvalidResponse', `the server answered ${res.status} with a body that is not JSON`);
    }
    if (!res.ok) throw new ApiError(res.status, parsed.code ?? 'Error', parsed.message ?? text, parsed.requestId, res.headers.get('x-modelreg-error-field'));
    return parsed.result;
  }

  model(action, data) {
    return this.call('/v2/model', action, data);
  }

  finetuning(action, data) {
    return this.call('/v2/finetuning', action, data);
  }
}
