// GET /api/models/{ns}/{name}/tree/{rev}[/{path}]?recursive=&expand=&limit=&cursor=: one page of
// the revision's files and directories; the next page's absolute URL is in Link rel="next".
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ERRORS } from '../../domain/errors/catalogue.js';
import { listTree } from './entries.js';
import { selfOrigin, sendHubJson } from './hub-reply.js';
import { authorizedRevision, repoPath, truthy, type RepoParams, type HubContext } from './params.js';

export const TREE_PAGE_SIZE = 1000;

export function registerTree(app: FastifyInstance, hub: HubContext): void {
  const { services } = hub;
  const handler = async (req: FastifyRequest, reply: FastifyReply) => {
    req.apiAction = 'HubTree';
    const p = req.params as RepoParams;
    const q = req.query as Record<string, unknown>;
    const r = await authorizedRevision(req, hub, p.rev!);
    const dir = repoPath(p['*']);
    const entries = dir === null ? null : listTree(r, dir, truthy(q.recursive), truthy(q.expand));
    if (!entries) throw ERRORS.HubDirectoryNotFound(String(p['*']), `${p.ns}/${p.name}`, String(p.rev));
    const limit = pageNumber(q.limit, TREE_PAGE_SIZE, 'limit') || TREE_PAGE_SIZE;
    const from = pageNumber(q.cursor, 0, 'cursor');
    const next = from + Math.min(limit, TREE_PAGE_SIZE);
    if (next < entries.length) {
      // The next page names the commit, not the revision: an alias moved meanwhile cannot mix versions.
      const u = new URL(req.url, selfOrigin(req));
      u.pathname = `/api/models/${encodeURIComponent(p.ns)}/${encodeURIComponent(p.name)}/tree/${r.commit}${dir ? '/' + dir.split('/').map(encodeURIComponent).join('/') : ''}`;
      u.searchParams.set('cursor', String(next));
      reply.header('link', `<${u.href}>; rel="next"`);
    }
    return sendHubJson(req, reply, entries.slice(from, next));
  };
  app.get('/api/models/:ns/:name/tree/:rev', handler);
  app.get('/api/models/:ns/:name/tree/:rev/*', handler);
}

function pageNumber(v: unknown, fallback: number, what: string): number {
  if (v === undefined || v === '') return fallback;
  if (typeof v !== 'string' || !/^\d{1,9}$/.test(v)) throw ERRORS.FieldInvalid(what, 'must be a non-negative integer');
  return Number(v);
}
