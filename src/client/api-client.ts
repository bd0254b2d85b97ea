// A signed client for modelreg's (and Qianfan's) console API, used by the CLI and benchmarks.
// It signs exactly as the official Node SDK does (host, content-length, content-type, x-bce-*).
import { createHash, randomBytes } from 'node:crypto';
import { bceTimestamp } from '../protocol/bce-v1/canonical-request.js';
import { signRequest } from '../protocol/bce-v1/signer.js';

export interface Credentials {
  accessKey: string;
  secretKey: string;
}

export class ApiCallError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly requestId?: string,
    /** The request field a parameter error is about (X-Modelreg-Error-Field), e.g. "importMeta.bucket". */
    readonly field?: string,
  ) {
    super(message);
    this.name = 'ApiCallError';
  }
}

export class ApiClient {
  constructor(
    readonly baseUrl: string,
    private readonly creds: Credentials,
  ) {}

  async call<T = any>(route: string, action: string, data: unknown = {}): Promise<T> {
    return this.send<T>(route, action, Buffer.from(JSON.stringify(data)), 'application/json');
  }

  /** A multipart/form-data call with one file field (CreateModelCustomConf's customSpecFile). */
  async callWithFile<T = any>(route: string, action: string, field: string, fileName: string, content: Buffer): Promise<T> {
    const boundary = `----modelreg${randomBytes(12).toString('hex')}`;
    const safeName = fileName.replace(/["\r\n\\]/g, '_');
    const body = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${safeName}"\r\nContent-Type: application/octet-stream\r\n\r\n`),
      content,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    return this.send<T>(route, action, body, `multipart/form-data; boundary=${boundary}`);
  }

  private async send<T>(route: string, action: string, body: Buffer, contentType: string): Promise<T> {
    const u = new URL(this.baseUrl);
    const path = (u.pathname.replace(/\/$/, '') + route).replace(/\/{2,}/g, '/');
    const headers: Record<string, string> = {
      host: u.host,
      'content-type': contentType,
      'content-length': String(body.length),
      'x-bce-date': bceTimestamp(),
      // Signed, so a captured request cannot be replayed with another body (MODELREG_REQUIRE_CONTENT_SHA256).
      'x-bce-content-sha256': createHash('sha256').update(body).digest('hex'),
    };
    const query = `Action=${encodeURIComponent(action)}`;
    headers.authorization = signRequest({ ...this.creds, method: 'POST', path, rawQuery: query, headers });
    const { host: _h, 'content-length': _l, ...send } = headers;
    let res: Response;
    try {
      res = await fetch(`${u.origin}${path}?${query}`, { method: 'POST', headers: send, body: new Uint8Array(body) });
    } catch (err) {
      throw new ApiCallError(0, 'ConnectionFailed', `cannot reach ${this.baseUrl}: ${(err as Error).cause ?? (err as Error).message}`);
    }
    const text = await res.text();
    let parsed: any;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new ApiCallError(res.status, 'InvalidResponse', `${this.baseUrl} answered ${res.status} with a body that is not JSON`);
    }
    if (!res.ok) throw new ApiCallError(res.status, parsed.code ?? 'Error', parsed.message ?? text, parsed.requestId, res.headers.get('x-modelreg-error-field') ?? undefined);
    return parsed.result as T;
  }
}
