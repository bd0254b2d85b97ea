// POST /api/models/{ns}/{name}/paths-info/{rev} {paths, expand}: the entries of the given paths
// (missing ones left out). The JS client's downloadFileToCacheDir names the cache blob from it;
// huggingface_hub sends the same fields form-encoded.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ERRORS } from '../../domain/errors/catalogue.js';
import { carriesBody } from '../request-body.js';
import { parseStrictJson } from '../strict-json.js';
import { directoriesOf, directoryEntry, fileEntry, type TreeEntry } from './entries.js';
import { sendHubJson } from './hub-reply.js';
import { authorizedRevision, repoPath, type RepoParams, type HubContext } from './params.js';

const MAX_PATHS = 1000;

export function registerPathsInfo(app: FastifyInstance, hub: HubContext): void {
  const { services } = hub;
  // The token is checked on the headers and the body budget reserved before any body byte is
  // read, as for the signed API (src/http/server.ts): an unauthenticated body is never buffered.
  const admit = async (req: FastifyRequest, reply: FastifyReply) => {
    req.apiAction = 'HubPathsInfo';
    try {
      await hub.reader(req);
      hub.reserveBody(req, reply);
    } catch (err) {
      if (carriesBody(req)) reply.header('connection', 'close');
      throw err;
    }
  };
  app.post('/api/models/:ns/:name/paths-info/:rev', { onRequest: admit }, async (req: FastifyRequest, reply: FastifyReply) => {
    const p = req.params as RepoParams;
    const ask = parseBody(req);
    const r = await authorizedRevision(req, hub, p.rev!);
    const dirs = directoriesOf(r.files);
    const out: TreeEntry[] = [];
    for (const raw of ask.paths) {
      const path = repoPath(raw);
      if (path === null) continue;
      const f = r.byPath.get(path);
      if (f) out.push(fileEntry(f, r, ask.expand));
      else if (dirs.has(path)) out.push(directoryEntry(path, r, ask.expand));
    }
    return sendHubJson(req, reply, out);
  });
}

function parseBody(req: FastifyRequest): { paths: string[]; expand: boolean } {
  const raw = Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
  const type = String(req.headers['content-type'] ?? '');
  let paths: unknown;
  let expand: unknown;
  if (type.startsWith('application/x-www-form-urlencoded')) {
    const form = new URLSearchParams(raw);
    paths = form.getAll('paths');
    expand = form.get('expand');
  } else {
    let body: unknown;
    try {
      body = raw.trim() === '' ? {} : parseStrictJson(raw);
    } catch {
      throw ERRORS.PathsInfoBodyInvalid();
    }
    paths = (body as { paths?: unknown })?.paths;
    expand = (body as { expand?: unknown })?.expand;
  }
  if (typeof paths === 'string') paths = [paths];
  if (!Array.isArray(paths) || !paths.every((x) => typeof x === 'string')) throw ERRORS.FieldInvalid('paths', 'must be a list of file paths');
  if (paths.length > MAX_PATHS) throw ERRORS.TooManyPaths(MAX_PATHS);
  return { paths: paths as string[], expand: expand === true || (typeof expand === 'string' && /^(1|true)$/i.test(expand)) };
}
