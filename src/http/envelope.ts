// The two answer shapes of the Qianfan console API.
import type { FastifyReply } from 'fastify';
import { ApiError } from '../domain/errors.js';

/** Names the request field of a parameter error (docs/extensions.md). */
export const ERROR_FIELD_HEADER = 'x-modelreg-error-field';

export function sendResult(reply: FastifyReply, requestId: string, result: unknown): FastifyReply {
  // Serialized here, once: the envelope around JSON.stringify(result), as a string Fastify sends
  // as is (its own serializer would walk the envelope again). An undefined result is left out, as
  // JSON.stringify would.
  const inner = JSON.stringify(result);
  const body = inner === undefined ? `{"requestId":${JSON.stringify(requestId)}}` : `{"requestId":${JSON.stringify(requestId)},"result":${inner}}`;
  return reply.code(200).header('content-type', 'application/json; charset=utf-8').send(body);
}

/**
 * `field`: the request field a parameter error is about (error-field.ts). It goes in the
 * X-Modelreg-Error-Field header, so the body stays BCE's {requestId, code, message} for the SDKs.
 */
export function sendError(reply: FastifyReply, requestId: string, err: ApiError, field?: string): FastifyReply {
  for (const [k, v] of Object.entries(err.headers)) reply.header(k, v);
  for (const [k, v] of Object.entries(bceErrorHeaders(err.code, err.bceMessage))) reply.header(k, v);
  if (field) reply.header(ERROR_FIELD_HEADER, field);
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
