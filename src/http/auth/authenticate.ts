// Turns a signed request into the Principal (account + key + policies) it acts as.
import type { FastifyRequest } from 'fastify';
import { ApiError } from '../../domain/errors.js';
import type { IamService, Principal } from '../../domain/iam/iam-service.js';
import { checkTimeWindow, parseAuthorization, verifySignature } from './verify-signature.js';

export async function authenticate(req: FastifyRequest, iam: IamService, maxSkewSeconds: number): Promise<Principal> {
  const auth = parseAuthorization(headerValue(req.headers.authorization));
  checkTimeWindow(auth, Date.now(), maxSkewSeconds);
  const key = await iam.resolveKey(auth.accessKey);
  // Unknown key: the message does not echo the key id back (it may be a pasted secret).
  if (!key) throw new ApiError('InvalidAccessKey', 'the access key id in the Authorization header is not known to this registry');
  const q = req.url.indexOf('?');
  verifySignature(auth, key.secretKey, {
    method: req.method,
    path: q < 0 ? req.url : req.url.slice(0, q),
    rawQuery: q < 0 ? '' : req.url.slice(q + 1),
    headers: flatHeaders(req.headers),
    body: Buffer.isBuffer(req.body) ? req.body : undefined,
  });
  // Checked after the signature so that a disabled key's state is only told to its holder.
  if (!key.enabled) throw new ApiError('AccessKeyDisabled', 'this access key is disabled; ask an administrator to enable it or use another key');
  return key.principal;
}

const headerValue = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v.join(',') : v);

function flatHeaders(h: FastifyRequest['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) {
    if (v !== undefined) out[k] = Array.isArray(v) ? v.join(',') : String(v);
  }
  return out;
}
