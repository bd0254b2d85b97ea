// Everything else under /api/: uploads, commits, repo creation, search… A write gets a clear
// "read-only" error; an unknown read a clear "not supported", both as HF clients read errors.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ERRORS } from '../../domain/errors/catalogue.js';
import { sendHubError } from './hub-reply.js';

export function registerUnsupported(app: FastifyInstance): void {
  app.all('/api/*', async (req: FastifyRequest, reply: FastifyReply) => {
    const path = req.url.split('?')[0] ?? '';
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return sendHubError(
        req,
        reply.header('allow', 'GET, HEAD'),
        ERRORS.HubWriteUnsupported(req.method, path),
      );
    }
    return sendHubError(req, reply, ERRORS.HubRouteNotFound(path));
  });
}
