// Turns a signed request into the Principal (account + key + policies) it acts as. Runs on the
// headers alone, before the body is read (BCE v1 signs no body): an unauthenticated client never
// gets the server to buffer its body. A signature that covers the body (x-bce-content-sha256 or
// content-md5 signed) is checked against it by checkSignedBody once the body has arrived.
import type { FastifyRequest } from 'fastify';
import { AUTH_VERSION } from '../../protocol/bce-v1/canonical-request.js';
import { ERRORS } from '../../domain/errors/catalogue.js';
import type { IamService, Principal } from '../../domain/iam/iam-service.js';
import { checkBodyDigests, checkTimeWindow, parseAuthorization, signsBody, verifySignature, type ParsedAuthorization } from './verify-signature.js';

export interface Authenticated {
  principal: Principal;
  /** Set when the signature covers the body: check it with checkSignedBody after reading. */
  bodyAuth?: ParsedAuthorization;
}

export interface AuthOptions {
  maxSkewSeconds: number;
  /** Refuse requests whose signature does not cover x-bce-content-sha256 (no body swapping on replay). */
  requireContentSha256?: boolean;
}

/** The access key id a request names, unverified (for per-key failure counting); undefined if unparsable. */
export function claimedAccessKey(req: FastifyRequest): string | undefined {
  const h = headerValue(req.headers.authorization);
  const parts = h?.trim().split('/');
  return parts && parts.length === 6 && parts[0] === AUTH_VERSION && parts[1] ? parts[1].slice(0, 128) : undefined;
}

export async function authenticate(req: FastifyRequest, iam: IamService, opts: AuthOptions): Promise<Authenticated> {
  const auth = parseAuthorization(headerValue(req.headers.authorization));
  checkTimeWindow(auth, Date.now(), opts.maxSkewSeconds);
  if (opts.requireContentSha256 && !auth.signedHeaders.includes('x-bce-content-sha256')) {
    throw ERRORS.ContentSha256NotSigned();
  }
  const key = await iam.resolveKey(auth.accessKey);
  // Unknown key: the message does not echo the key id back (it may be a pasted secret).
  if (!key) throw ERRORS.UnknownAccessKey();
  const q = req.url.indexOf('?');
  verifySignature(auth, key.secretKey, {
    method: req.method,
    path: q < 0 ? req.url : req.url.slice(0, q),
    rawQuery: q < 0 ? '' : req.url.slice(q + 1),
    headers: signedHeaderValues(req.headers, auth.signedHeaders),
    body: undefined,
  });
  // Checked after the signature so that a disabled key's state is only told to its holder.
  if (!key.enabled) throw ERRORS.AccessKeyDisabled();
  return { principal: key.principal, bodyAuth: signsBody(auth) ? auth : undefined };
}

/** The second half of a body-signing request's check, once its body has been read. */
export function checkSignedBody(req: FastifyRequest, auth: ParsedAuthorization): void {
  checkBodyDigests(auth, { headers: signedHeaderValues(req.headers, auth.signedHeaders), body: Buffer.isBuffer(req.body) ? req.body : undefined });
}

const headerValue = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v.join(',') : v);

/** The signed headers' values (the only ones the checks read), repeated ones joined by ",". */
function signedHeaderValues(h: FastifyRequest['headers'], names: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of names) {
    const v = h[k];
    if (v !== undefined) out[k] = Array.isArray(v) ? v.join(',') : String(v);
  }
  return out;
}
