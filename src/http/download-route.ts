// GET|HEAD /v1/download?key&name&for&by&expires&signature: the local store's stand-in for a presigned
// URL (src/domain/registry/download-links.ts). The URL itself is the credential, so no BCE signature
// is needed; what it was issued for is checked on every request (the version or export still there,
// the key that asked still enabled: download-grants.ts). Single byte ranges are honoured (206, 416),
// so downloads can resume.
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ERRORS } from '../domain/errors/catalogue.js';
import { DOWNLOAD_PATH } from '../domain/registry/download-links.js';
import type { Services } from '../domain/services.js';

/** One range of a Range header against `size`; null = whole object, 'unsatisfiable' = 416. */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | null | 'unsatisfiable' {
  if (!header) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return null; // malformed or several ranges: the whole object, as RFC 9110 allows
  if (m[1] === '') {
    const n = Number(m[2]);
    if (n === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (start >= size || end < start) return 'unsatisfiable';
  return { start, end };
}

export function registerDownloads(app: FastifyInstance, services: Services): void {
  const handler = async (req: FastifyRequest, reply: FastifyReply) => {
    const links = services.downloads;
    const target = await links.admit(req.query as Record<string, unknown>);
    const info = await links.stat(target.key);
    if (!info) throw ERRORS.DownloadGone();
    const range = parseRange(req.headers.range, info.size);
    const safeName = target.fileName.replace(/[^\w.\-]/g, '_');
    reply.header('accept-ranges', 'bytes');
    reply.header('content-type', 'application/octet-stream');
    reply.header('content-disposition', `attachment; filename="${safeName}"; filename*=UTF-8''${encodeURIComponent(target.fileName)}`);
    if (info.etag) reply.header('etag', `"${info.etag}"`);
    if (range === 'unsatisfiable') {
      reply.header('content-range', `bytes */${info.size}`);
      throw ERRORS.RangeOutsideDownload(String(req.headers.range), info.size);
    }
    const length = range ? range.end - range.start + 1 : info.size;
    reply.header('content-length', String(length));
    if (range) {
      reply.code(206);
      reply.header('content-range', `bytes ${range.start}-${range.end}/${info.size}`);
    }
    // An empty stream, not an empty body: Fastify's HEAD handling then keeps our Content-Length.
    if (req.method === 'HEAD' || length === 0) return reply.send(Readable.from([]));
    return reply.send(await links.open(target.key, range ?? undefined));
  };
  // Fastify answers HEAD with this GET handler too (the handler skips the body for HEAD).
  app.get(DOWNLOAD_PATH, handler);
}
