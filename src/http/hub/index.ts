// The Hugging Face Hub-compatible download API (docs/hub.md): what transformers, vLLM and
// huggingface-cli call when HF_ENDPOINT points at modelreg. Read-only; bearer read tokens.
// Routes: /api/… and /{ns}/{name}/resolve|raw/…; /v2/*, /console/ and /healthz are static
// prefixes of their own and always win over the {ns} parameter.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../../domain/errors.js';
import type { Services } from '../../domain/services.js';
import { sendHubError, sendHubJson } from './hub-reply.js';
import { registerPathsInfo } from './paths-info.js';
import { registerRepoInfo } from './repo-info.js';
import { registerResolve } from './resolve.js';
import { registerTree } from './tree.js';
import { registerUnsupported } from './unsupported.js';

export function registerHub(app: FastifyInstance, services: Services, toApiError: (err: unknown, req: FastifyRequest) => ApiError): void {
  app.register(async (hub) => {
    hub.setErrorHandler((err, req, reply) => sendHubError(req, reply, toApiError(err, req)));
    registerRepoInfo(hub, services);
    registerTree(hub, services);
    registerPathsInfo(hub, services);
    registerResolve(hub, services);
    hub.get('/api/whoami-v2', async (req: FastifyRequest, reply: FastifyReply) => {
      req.apiAction = 'HubWhoami';
      const auth = req.headers.authorization;
      const reader = await services.hub.reader(Array.isArray(auth) ? auth.join(',') : auth);
      return sendHubJson(req, reply, { type: 'user', id: reader.accountId, name: reader.accountName, auth: { type: 'access_token', accessToken: { displayName: reader.tokenId, role: 'read' } } });
    });
    registerUnsupported(hub);
  });
}
