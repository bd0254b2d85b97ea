// GET /api/models/{ns}/{name}[/revision/{rev}]: the repo at a revision (sha, siblings; sizes and
// sha256 with ?blobs=true). huggingface_hub's model_info and the JS modelInfo call this.
import type { FastifyInstance } from 'fastify';
import { repoInfo } from './entries.js';
import { sendHubJson } from './hub-reply.js';
import { authorizedRevision, truthy, type RepoParams, type HubContext } from './params.js';

export function registerRepoInfo(app: FastifyInstance, hub: HubContext): void {
  const { services } = hub;
  const handler = async (req: import('fastify').FastifyRequest, reply: import('fastify').FastifyReply) => {
    req.apiAction = 'HubRepoInfo';
    const p = req.params as RepoParams;
    const r = await authorizedRevision(req, hub, p.rev ?? 'main');
    return sendHubJson(req, reply, repoInfo(`${p.ns}/${p.name}`, r, truthy((req.query as Record<string, unknown>).blobs)));
  };
  app.get('/api/models/:ns/:name', handler);
  app.get('/api/models/:ns/:name/revision/:rev', handler);
}
