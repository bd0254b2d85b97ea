// Short-lived download URLs for registry objects (export archives, a version's blobs), usable with
// plain HTTP like a presigned URL: on S3 they are S3's own presigned GETs (bound only by their
// expiry: S3 cannot be asked to forget one); on the local store they point at modelreg's
// GET /v1/download, carrying an expiry, what they were issued for (a version or an export) and the
// access key that asked, all under one HMAC-SHA256 with a key derived from the master key (so every
// replica verifies them). The route then checks on every request that the version or export still
// exists and the key is still enabled (download-grants.ts), so deleting either kills the URL.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { ObjectStore } from '../../objects/object-store.js';
import { ERRORS } from '../errors/catalogue.js';

export const DOWNLOAD_PATH = '/v1/download';

/** What a URL was issued for: its subject (a version's file, an export's archive) and the access key (its id, never its secret) that asked. */
export interface DownloadGrant {
  subject: 'version' | 'export';
  id: string;
  accessKey: string;
}

export interface DownloadTarget {
  key: string;
  fileName: string;
  grant: DownloadGrant;
}

/** Decides whether a signed, unexpired URL's grant still holds (src/domain/registry/download-grants.ts); throws when not. */
export interface GrantCheck {
  check(grant: DownloadGrant, key: string): Promise<void>;
}

const SUBJECTS: readonly DownloadGrant['subject'][] = ['version', 'export'];

export class DownloadLinks {
  constructor(
    private readonly store: ObjectStore,
    readonly bucket: string,
    private readonly secret: Buffer,
    /** Overrides the request's own origin in local URLs (MODELREG_PUBLIC_URL). */
    private readonly publicUrl: string | undefined,
    readonly ttlSeconds: number,
    private readonly grants: GrantCheck,
  ) {}

  /** A GET URL for `key`, valid for ttlSeconds while `grant` holds. `origin` is where the caller reached this server. */
  async url(origin: string, key: string, fileName: string, grant: DownloadGrant, ttlSeconds = this.ttlSeconds): Promise<string> {
    const presigned = this.store.presignGet ? await this.store.presignGet(this.bucket, key, { expiresSeconds: ttlSeconds, fileName }) : null;
    if (presigned) return presigned;
    const expires = Math.floor(Date.now() / 1000) + ttlSeconds;
    const target = { key, fileName, grant };
    const q = new URLSearchParams({ key, name: fileName, for: `${grant.subject}:${grant.id}`, by: grant.accessKey, expires: String(expires), signature: this.sign(target, expires) });
    return `${(this.publicUrl ?? origin).replace(/\/$/, '')}${DOWNLOAD_PATH}?${q}`;
  }

  /**
   * The object a local download URL names, once its signature, expiry and grant are checked:
   * AccessDenied when altered or from before grants, RequestExpired when stale, DownloadGone /
   * DownloadKeyRevoked when what it was issued for is gone.
   */
  async admit(query: Record<string, unknown>, nowMs = Date.now()): Promise<DownloadTarget> {
    const target = this.verify(query, nowMs);
    await this.grants.check(target.grant, target.key);
    return target;
  }

  /** Signature and expiry only (no database read). */
  verify(query: Record<string, unknown>, nowMs = Date.now()): DownloadTarget {
    const { key, name, expires, signature } = query;
    if (typeof key !== 'string' || typeof name !== 'string' || typeof expires !== 'string' || typeof signature !== 'string' || !/^\d{1,12}$/.test(expires)) {
      throw ERRORS.DownloadUrlIncomplete();
    }
    if (query.for === undefined && query.by === undefined) {
      // A URL issued before URLs named their grant: refused rather than honoured until it expires,
      // since it could not be revoked. A client asks again (`modelreg pull` does so on a 403).
      if (this.signatureMatches(signature, this.signLegacy(key, name, Number(expires)))) throw ERRORS.DownloadUrlOutdated();
      throw ERRORS.DownloadUrlAltered();
    }
    const grant = parseGrant(query.for, query.by);
    if (!grant) throw ERRORS.DownloadUrlIncomplete();
    const target = { key, fileName: name, grant };
    if (!this.signatureMatches(signature, this.sign(target, Number(expires)))) throw ERRORS.DownloadUrlAltered();
    if (Number(expires) * 1000 < nowMs) throw ERRORS.DownloadUrlExpired();
    return target;
  }

  open(key: string, range?: { start: number; end: number }) {
    return this.store.read(this.bucket, key, range);
  }

  remove(key: string) {
    return this.store.delete(this.bucket, key);
  }

  stat(key: string) {
    return this.store.stat(this.bucket, key);
  }

  private signatureMatches(signature: string, expected: string): boolean {
    const want = Buffer.from(expected, 'hex');
    const got = Buffer.from(signature, 'hex');
    return got.length === want.length && timingSafeEqual(got, want);
  }

  /** A JSON array (no field can spill into the next), tagged "v2" so no URL of the old form verifies as a new one. */
  private sign(t: DownloadTarget, expires: number): string {
    const fields = ['v2', t.key, t.fileName, t.grant.subject, t.grant.id, t.grant.accessKey, expires];
    return createHmac('sha256', this.secret).update(JSON.stringify(fields)).digest('hex');
  }

  /** The form before grants: (key, name, expires). Kept only to tell such a URL apart from an altered one. */
  private signLegacy(key: string, name: string, expires: number): string {
    return createHmac('sha256', this.secret).update(`${key}\n${name}\n${expires}`).digest('hex');
  }
}

function parseGrant(forParam: unknown, by: unknown): DownloadGrant | null {
  if (typeof forParam !== 'string' || typeof by !== 'string' || by === '') return null;
  const colon = forParam.indexOf(':');
  const subject = forParam.slice(0, colon) as DownloadGrant['subject'];
  const id = forParam.slice(colon + 1);
  if (colon < 0 || !SUBJECTS.includes(subject) || id === '') return null;
  return { subject, id, accessKey: by };
}
