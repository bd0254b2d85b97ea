// What every Hub route reads from its request: the repo, the revision, the reader's token.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { TokenReader } from '../../domain/hub/read-token-service.js';
import type { ResolvedRevision } from '../../domain/hub/revisions.js';
import type { Services } from '../../domain/services.js';

/** What every Hub route needs: the services, and the reader behind a request's bearer token. */
export interface HubContext {
  services: Services;
  reader(req: FastifyRequest): Promise<TokenReader>;
  /** Reserves the in-flight body budget for a request whose sender is authenticated (src/http/connection-limits.ts). */
  reserveBody(req: FastifyRequest, reply: FastifyReply): void;
}

export interface RepoParams {
  ns: string;
  name: string;
  rev?: string;
  '*'?: string;
}

/** The revision the request names, for the bearer token it carries (errors as hub-service.ts says). */
export async function authorizedRevision(req: FastifyRequest, hub: HubContext, rev: string): Promise<ResolvedRevision> {
  const p = req.params as RepoParams;
  return hub.services.hub.revision(await hub.reader(req), p.ns, p.name, rev);
}

/** Query flags as clients send them: true, True, 1. */
export const truthy = (v: unknown): boolean => typeof v === 'string' && /^(1|true)$/i.test(v);

/** A path inside the repo as clients send it: no leading or trailing '/', no '.' or '..' segments. */
export function repoPath(raw: string | undefined): string | null {
  const p = (raw ?? '').replace(/^\/+|\/+$/g, '');
  if (p.split('/').some((s) => s === '.' || s === '..')) return null;
  return p;
}
