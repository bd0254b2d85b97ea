// Raw HTTP/1.1 over a TCP socket, for requests no HTTP client will send: lying content-lengths,
// stalled bodies, broken framing. Also reads back every response on the connection.
import net from 'node:net';
import { signRequest } from '../../../src/http/auth/bce-v1.js';
import type { Key } from '../../helpers/harness.js';

export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
  json: any;
}

export interface Exchange {
  answers: RawAnswer[];
  /** The server closed the connection (rather than our own deadline ending it). */
  closedByServer: boolean;
  elapsedMs: number;
}

/** The request head for a signed POST, with whatever content-length or framing the test wants. */
export function signedHead(
  url: string,
  key: Key,
  opts: { action: string; route?: string; contentLength?: number | string; chunked?: boolean; contentType?: string; date?: Date },
): string {
  const u = new URL(url);
  const route = opts.route ?? '/v2/model';
  const query = `Action=${opts.action}`;
  const headers: Record<string, string> = {
    host: u.host,
    'content-type': opts.contentType ?? 'application/json',
    'x-bce-date': (opts.date ?? new Date()).toISOString().replace(/\.\d+Z$/, 'Z'),
  };
  if (opts.contentLength !== undefined) headers['content-length'] = String(opts.contentLength);
  headers.authorization = signRequest({ accessKey: key.accessKey, secretKey: key.secretKey, method: 'POST', path: route, rawQuery: query, headers, date: opts.date });
  if (opts.chunked) headers['transfer-encoding'] = 'chunked';
  return `POST ${route}?${query} HTTP/1.1\r\n` + Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('') + '\r\n';
}

/**
 * Writes `parts` in order (a number is a pause in ms), then waits for the server to close the
 * connection or `deadlineMs` to pass, and returns every response read.
 */
export function exchange(url: string, parts: Array<string | Buffer | number>, deadlineMs = 5_000): Promise<Exchange> {
  const u = new URL(url);
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(u.port), u.hostname);
    const chunks: Buffer[] = [];
    let closedByServer = false;
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ answers: parseResponses(Buffer.concat(chunks)), closedByServer, elapsedMs: Date.now() - started });
    };
    const timer = setTimeout(finish, deadlineMs);
    socket.on('data', (d) => chunks.push(d));
    socket.on('end', () => {
      closedByServer = true;
      finish();
    });
    socket.on('close', () => {
      if (!finished) closedByServer = true;
      finish();
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      // The server may reset a connection it has given up on while we are still writing.
      if (err.code === 'ECONNRESET' || err.code === 'EPIPE') {
        closedByServer = true;
        finish();
      } else if (!finished) {
        finished = true;
        clearTimeout(timer);
        reject(err);
      }
    });
    socket.on('connect', async () => {
      for (const p of parts) {
        if (finished) return;
        if (typeof p === 'number') await new Promise((r) => setTimeout(r, p));
        else if (!socket.destroyed) socket.write(p);
      }
    });
  });
}

/** Splits a byte stream into HTTP/1.1 responses (content-length framed, as the server sends). */
export function parseResponses(buf: Buffer): RawAnswer[] {
  const out: RawAnswer[] = [];
  let at = 0;
  while (at < buf.length) {
    const headEnd = buf.indexOf('\r\n\r\n', at);
    if (headEnd < 0) break;
    const lines = buf.subarray(at, headEnd).toString('latin1').split('\r\n');
    const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '')?.[1] ?? NaN);
    const headers: Record<string, string> = {};
    for (const l of lines.slice(1)) {
      const c = l.indexOf(':');
      if (c > 0) headers[l.slice(0, c).trim().toLowerCase()] = l.slice(c + 1).trim();
    }
    const len = Number(headers['content-length'] ?? 0);
    const body = buf.subarray(headEnd + 4, headEnd + 4 + len).toString('utf8');
    let json: any;
    try {
      json = JSON.parse(body);
    } catch {
      json = undefined;
    }
    out.push({ status, headers, body, json });
    at = headEnd + 4 + len;
  }
  return out;
}
