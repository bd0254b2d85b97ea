// The two answer shapes of the Qianfan console API.
import type { FastifyReply } from 'fastify';
import { ApiError } from '../domain/errors.js';

export function sendResult(reply: FastifyReply, requestId: string, result: unknown): FastifyReply {
  return reply.code(200).header('content-type', 'application/json; charset=utf-8').send({ requestId, result });
}

export function sendError(reply: FastifyReply, requestId: string, err: ApiError): FastifyReply {
  for (const [k, v] of Object.entries(err.headers)) reply.header(k, v);
  return reply
    .code(err.status)
    .header('content-type', 'application/json; charset=utf-8')
    .send({ requestId, code: err.code, message: err.message });
}
