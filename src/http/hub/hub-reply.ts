// How Hub-compatible endpoints answer: JSON bodies as the Hub sends them, and errors as HF
// clients read them ({"error": …} plus X-Error-Code / X-Error-Message headers).
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../../domain/errors.js';

export function sendHubError(req: FastifyRequest, reply: FastifyReply, err: ApiError): FastifyReply {
  for (const [k, v] of Object.entries(err.headers)) reply.header(k, v);
  // Header values must be one line of visible ASCII.
  const headerMessage = err.message.replace(/[^\x20-\x7e]/g, '?').slice(0, 500);
  reply.code(err.status).header('x-request-id', req.apiRequestId).header('x-error-code', err.code).header('x-error-message', headerMessage);
  if (req.method === 'HEAD') return reply.header('content-type', 'application/json; charset=utf-8').send();
  return reply.header('content-type', 'application/json; charset=utf-8').send({ error: err.message });
}

export function sendHubJson(req: FastifyRequest, reply: FastifyReply, body: unknown): FastifyReply {
  return reply.code(200).header('x-request-id', req.apiRequestId).header('content-type', 'application/json; charset=utf-8').send(body);
}

/** The absolute URL of this server as the client reached it (for Link headers). */
export function selfOrigin(req: FastifyRequest): string {
  return `${req.protocol}://${req.host}`;
}
