// The two answer shapes of the Qianfan console API.
import type { FastifyReply } from 'fastify';
import { ApiError } from '../domain/errors.js';

export function sendResult(reply: FastifyReply, requestId: string, result: unknown): FastifyReply {
  return reply.code(200).header('content-type', 'application/json; charset=utf-8').send({ requestId, result });
}

export function sendError(reply: FastifyReply, requestId: string, err: ApiError): FastifyReply {
  for (const [k, v] of Object.entries(err.headers)) reply.header(k, v);
  for (const [k, v] of Object.entries(bceErrorHeaders(err.code, err.bceMessage))) reply.header(k, v);
  return reply
    .code(err.status)
    .header('content-type', 'application/json; charset=utf-8')
    .send({ requestId, code: err.code, message: err.message });
}

/**
 * BCE clients read an error from these headers as well as the body (the Python SDK's hints,
 * the Go SDK's IAM errors). Header values must be printable ASCII on one line: anything else
 * becomes "?", and long messages are cut (the body keeps the whole message).
 */
export function bceErrorHeaders(code: string, message: string): Record<string, string> {
  const safe = message.replace(/[^\x20-\x7e]/g, '?');
  return { 'x-bce-error-code': code, 'x-bce-error-message': safe.length > 512 ? safe.slice(0, 511) + '?' : safe };
}
