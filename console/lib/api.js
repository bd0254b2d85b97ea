// The console's API client: signed POST <route>?Action=<Action> calls to the server it was
// loaded from, unwrapping the {requestId, result} / {requestId, code, message} envelopes.
import { bceTimestamp, signRequest } from './bce-sign.js';

export class ApiError extends Error {
  constructor(status, code, message, requestId) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.requestId = requestId;
  }

  /** 401: the key is unknown, its signature is wrong or expired; the session is over. */
  get isAuthFailure() {
    return this.status === 401;
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

  async call(route, action, data = {}) {
    const body = JSON.stringify(data);
    const rawQuery = `Action=${encodeURIComponent(action)}`;
    const headers = { host: this.host, 'content-type': 'application/json', 'x-bce-date': bceTimestamp() };
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
    if (!res.ok) throw new ApiError(res.status, parsed.code ?? 'Error', parsed.message ?? text, parsed.requestId);
    return parsed.result;
  }

  model(action, data) {
    return this.call('/v2/model', action, data);
  }

  finetuning(action, data) {
    return this.call('/v2/finetuning', action, data);
  }
}
