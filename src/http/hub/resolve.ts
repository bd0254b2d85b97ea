// GET|HEAD /{ns}/{name}/resolve/{rev}/{path} (and /raw/, answered the same): one file of a
// revision. On the S3 store a 302 to a short-lived presigned URL, so file bytes never pass through
// a replica; on the local store the file itself, with Range support.
import path from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ERRORS } from '../../domain/errors/catalogue.js';
import { parseRange } from './range.js';
import { authorizedRevision, repoPath, type RepoParams, type HubContext } from './params.js';

/** Lifetime of the presigned URLs resolve redirects to: long enough to start a download, short enough not to be shared around. */
export const PRESIGN_SECONDS = 300;

export function registerResolve(app: FastifyInstance, hub: HubContext): void {
  const { services } = hub;
  const handler = async (req: FastifyRequest, reply: FastifyReply) => {
    req.apiAction = 'HubResolve';
    const p = req.params as RepoParams;
    const r = await authorizedRevision(req, hub, p.rev!);
    const filePath = repoPath(p['*']);
    const file = filePath === null ? undefined : r.byPath.get(filePath);
    if (!file) throw ERRORS.HubFileNotFound(String(p['*']), `${p.ns}/${p.name}`, String(p.rev));
    const etag = `"${file.sha256}"`;
    reply.headers({
      'x-request-id': req.apiRequestId,
      'x-repo-commit': r.commit,
      etag,
      'x-linked-etag': etag,
      'x-linked-size': String(file.size),
      'accept-ranges': 'bytes',
    });
    const fileName = path.posix.basename(file.path);
    const url = await services.registryFiles.presignBlob(r.version.account_id, file.sha256, { expiresSeconds: PRESIGN_SECONDS, fileName });
    if (url) return reply.code(302).header('location', url).header('cache-control', 'no-store').send();

    reply.header('content-type', 'application/octet-stream').header('content-disposition', contentDisposition(fileName));
    if (req.headers['if-none-match'] === etag) return reply.code(304).send();
    const rangeHeader = typeof req.headers.range === 'string' ? req.headers.range : undefined;
    if (file.size === 0) {
      // An empty file has no byte to range over; the JS client still reads the size from a
      // Content-Range of a 206, so an empty range answers 206 "bytes */0" rather than 416.
      if (rangeHeader) reply.code(206).header('content-range', 'bytes */0');
      return reply.header('content-length', '0').send(req.method === 'HEAD' ? undefined : '');
    }
    const range = parseRange(rangeHeader, file.size);
    if (range !== 'whole') {
      reply.code(206).header('content-range', `bytes ${range.start}-${range.end}/${file.size}`).header('content-length', String(range.end - range.start + 1));
    } else {
      reply.header('content-length', String(file.size));
    }
    if (req.method === 'HEAD') return reply.send();
    // Always a bounded range: the store then reads min(its chunk, what is left), instead of
    // allocating a multi-MiB read buffer for a small file.
    const stream = await services.registryFiles.openBlob(r.version.account_id, file.sha256, range === 'whole' ? { start: 0, end: file.size - 1 } : range);
    return reply.send(stream);
  };
  for (const kind of ['resolve', 'raw']) {
    app.route({ method: ['GET', 'HEAD'], url: `/:ns/:name/${kind}/:rev/*`, exposeHeadRoute: false, handler });
  }
}

function contentDisposition(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `inline; filename*=UTF-8''${encodeURIComponent(name)}; filename="${ascii}"`;
}
