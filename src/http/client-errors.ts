// Errors raised before a request reaches a route, answered in the API's envelope like the rest:
//  - Node's HTTP parser (malformed request line or headers, oversized headers, a client too slow
//    to send its request): written on the raw socket, then the connection is closed (what
//    follows on it cannot be trusted);
//  - Fastify's router (a malformed or overlong path).
import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ERRORS } from '../domain/errors/catalogue.js';
import { bceErrorHeaders } from './envelope.js';

interface Answer {
  status: number;
  reason: string;
  code: string;
  message: string;
}

function answerFor(code: string | undefined): Answer {
  switch (code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { status: 408, reason: 'Request Timeout', code: 'RequestTimeout', message: 'the request was not received in time; send the whole request without pausing' };
    case 'HPE_HEADER_OVERFLOW':
      return { status: 431, reason: 'Request Header Fields Too Large', code: 'RequestHeaderFieldsTooLarge', message: 'the request headers are too large' };
    default:
      return { status: 400, reason: 'Bad Request', code: 'InvalidHTTPRequest', message: 'the request is not valid HTTP/1.1 (malformed request line, header or body framing)' };
  }
}

export function clientErrorHandler(this: FastifyInstance, err: Error & { code?: string }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const a = answerFor(err.code);
  const requestId = randomUUID();
  this.log.debug({ requestId, code: err.code, status: a.status }, 'client error');
  // Once a response has begun on this connection, another one cannot be written.
  const pending = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (socket.writable && !pending?.headersSent) {
    const body = JSON.stringify({ requestId, code: a.code, message: a.message });
    const bce = bceErrorHeaders(a.code, `${a.code}, cause: ${a.message}`);
    socket.write(
      `HTTP/1.1 ${a.status} ${a.reason}\r\nContent-Type: application/json; charset=utf-8\r\nX-Bce-Error-Code: ${bce['x-bce-error-code']}\r\nX-Bce-Error-Message: ${bce['x-bce-error-message']}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(err);
}

/** Router errors raised before any route runs (Fastify's frameworkErrors): the envelope too. */
export function frameworkErrorHandler(err: Error & { code?: string }, _req: FastifyRequest, reply: FastifyReply): void {
  const requestId = randomUUID();
  const e =
    err.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? ERRORS.PathSegmentTooLong()
      : ERRORS.MalformedPath();
  const body = { code: e.code, message: e.message };
  void reply
    .code(e.status)
    .headers(bceErrorHeaders(e.code, e.bceMessage))
    .header('content-type', 'application/json; charset=utf-8')
    .send({ requestId, code: body.code, message: body.message });
}

/** Headers that must appear once: a second copy would let a proxy and modelreg each read another. */
const SINGLE = new Set(['host', 'authorization', 'content-type', 'x-bce-date', 'x-bce-content-sha256', 'content-md5']);

/**
 * RFC 9110/9112: a request with more than one Host is a 400. Node keeps the first of some
 * duplicated headers and joins others; either way the signed value may not be what a proxy in
 * front of modelreg saw, so such requests are refused outright.
 */
export function rejectAmbiguousHeaders(rawHeaders: string[]): void {
  let seen: Set<string> | undefined;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!.toLowerCase();
    if (!SINGLE.has(name)) continue;
    seen ??= new Set();
    if (seen.has(name)) throw ERRORS.HeaderRepeated(name);
    seen.add(name);
  }
}
