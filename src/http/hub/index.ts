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
import type { HubContext } from './params.js';
import type { TokenReader } from '../../domain/hub/read-token-service.js';
import type { RequestLimits } from '../rate-limit.js';

export function registerHub(
  app: FastifyInstance,
  services: Services,
  toApiError: (err: unknown, req: FastifyRequest) => ApiError,
  limits: RequestLimits,
  reserveBody: (req: FastifyRequest, reply: FastifyReply) => void,
): void {
  const readers = new WeakMap<FastifyRequest, Promise<TokenReader>>();
  const ctx: HubContext = {
    services,
    reserveBody,
    // Once per request (a route may check the token before its body is read, then use it).
    reader: (req) => {
      let r = readers.get(req);
      if (!r) readers.set(req, (r = authenticateReader(req)));
      return r;
    },
  };
  // Failed token checks count against the same per-address limit as failed signatures (a bearer
  // token names no key before it is checked: its failures share one key bucket); a good token
  // gets the per-key request limit under its token id.
  const authenticateReader = (req: FastifyRequest): Promise<TokenReader> =>
    limits.authenticate(req.ip, 'hub-read-token', async () => {
      const auth = req.headers.authorization;
      const r = await services.hub.reader(Array.isArray(auth) ? auth.join(',') : auth);
      // For the request log: the account and the token's id (never the token).
      req.apiPrincipal = { accountId: r.accountId, accountName: r.accountName, accessKey: `readtoken:${r.tokenId}`, policies: [] };
      return { ...r, accessKey: `readtoken:${r.tokenId}` };
    }, (r) => r.accessKey);
  app.register(async (hub) => {
    hub.setErrorHandler((err, req, reply) => sendHubError(req, reply, toApiError(err, req)));
    registerRepoInfo(hub, ctx);
    registerTree(hub, ctx);
    registerPathsInfo(hub, ctx);
    registerResolve(hub, ctx);
    hub.get('/api/whoami-v2', async (req: FastifyRequest, reply: FastifyReply) => {
      req.apiAction = 'HubWhoami';
      const reader = await ctx.reader(req);
      return sendHubJson(req, reply, { type: 'user', id: reader.accountId, name: reader.accountName, auth: { type: 'access_token', accessToken: { displayName: reader.tokenId, role: 'read' } } });
    });
    registerUnsupported(hub);
  });
}
