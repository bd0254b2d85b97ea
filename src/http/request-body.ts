// Whether a request announces a body. A route that will not read it answers from the headers and
// closes the connection (the unread bytes must not be taken for the next request).
import type { FastifyRequest } from 'fastify';

/** A non-zero Content-Length, or a chunked body. */
export function carriesBody(req: FastifyRequest): boolean {
  const length = req.headers['content-length'];
  return length !== '0' && (length !== undefined || req.headers['transfer-encoding'] !== undefined);
}
