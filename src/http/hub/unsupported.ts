// Everything else under /api/: uploads, commits, repo creation, search… A write gets a clear
// "read-only" error; an unknown read a clear "not supported", both as HF clients read errors.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ERRORS } from '../../domain/errors/catalogue.js';
import { carriesBody } from '../request-body.js';
import { sendHubError } from './hub-reply.js';

export function registerUnsupported(app: FastifyInstance): void {
  const answer = async (req: FastifyRequest, reply: FastifyReply) => {
    const path = req.url.split('?')[0] ?? '';
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      // Answered from the headers (onRequest): the body of a write is never read, nor kept.
      if (carriesBody(req)) reply.header('connection', 'close');
      return sendHubError(
        req,
        reply.header('allow', 'GET, HEAD'),
        ERRORS.HubWriteUnsupported(req.method, path),
      );
    }
    return sendHubError(req, reply, ERRORS.HubRouteNotFound(path));
  };
  app.all('/api/*', { onRequest: answer }, answer);
}
