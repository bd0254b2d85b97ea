// Everything else under /api/: uploads, commits, repo creation, search… A write gets a clear
// "read-only" error; an unknown read a clear "not supported", both as HF clients read errors.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../../domain/errors.js';
import { sendHubError } from './hub-reply.js';

export function registerUnsupported(app: FastifyInstance): void {
  app.all('/api/*', async (req: FastifyRequest, reply: FastifyReply) => {
    const path = req.url.split('?')[0] ?? '';
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return sendHubError(
        req,
        reply.header('allow', 'GET, HEAD'),
        new ApiError('HubWriteUnsupported', `modelreg's Hub API is read-only: ${req.method} ${path.slice(0, 200)} (uploads, commits, repo creation) is not supported; add versions with CreateCustomModel (modelreg import) instead`),
      );
    }
    return sendHubError(req, reply, new ApiError('RouteNotFound', `modelreg does not serve ${path.slice(0, 200)}; its Hub API serves model downloads only (docs/hub.md)`));
  });
}
