// Short-lived download URLs for registry objects (export archives, a version's blobs), usable with
// plain HTTP like a presigned URL: on S3 they are S3's own presigned GETs; on the local store they
// point at modelreg's GET /v1/download, carrying an expiry and an HMAC-SHA256 over
// (key, file name, expiry) under a key derived from the master key (so every replica verifies them).
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { ObjectStore } from '../../objects/object-store.js';
import { ERRORS } from '../errors/catalogue.js';

export const DOWNLOAD_PATH = '/v1/download';

export interface DownloadTarget {
  key: string;
  fileName: string;
}

export class DownloadLinks {
  constructor(
    private readonly store: ObjectStore,
    readonly bucket: string,
    private readonly secret: Buffer,
    /** Overrides the request's own origin in local URLs (MODELREG_PUBLIC_URL). */
    private readonly publicUrl: string | undefined,
    readonly ttlSeconds: number,
  ) {}

  /** A GET URL for `key`, valid for ttlSeconds. `origin` is where the caller reached this server. */
  async url(origin: string, key: string, fileName: string, ttlSeconds = this.ttlSeconds): Promise<string> {
    const presigned = this.store.presignGet ? await this.store.presignGet(this.bucket, key, { expiresSeconds: ttlSeconds, fileName }) : null;
    if (presigned) return presigned;
    const expires = Math.floor(Date.now() / 1000) + ttlSeconds;
    const q = new URLSearchParams({ key, name: fileName, expires: String(expires), signature: this.sign(key, fileName, expires) });
    return `${(this.publicUrl ?? origin).replace(/\/$/, '')}${DOWNLOAD_PATH}?${q}`;
  }

  /** The object a local download URL names; AccessDenied when altered, RequestExpired when stale. */
  verify(query: Record<string, unknown>, nowMs = Date.now()): DownloadTarget {
    const { key, name, expires, signature } = query;
    if (typeof key !== 'string' || typeof name !== 'string' || typeof expires !== 'string' || typeof signature !== 'string' || !/^\d{1,12}$/.test(expires)) {
      throw ERRORS.DownloadUrlIncomplete();
    }
    const want = Buffer.from(this.sign(key, name, Number(expires)), 'hex');
    const got = Buffer.from(signature, 'hex');
    if (got.length !== want.length || !timingSafeEqual(got, want)) throw ERRORS.DownloadUrlAltered();
    if (Number(expires) * 1000 < nowMs) throw ERRORS.DownloadUrlExpired();
    return { key, fileName: name };
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

  private sign(key: string, name: string, expires: number): string {
    return createHmac('sha256', this.secret).update(`${key}\n${name}\n${expires}`).digest('hex');
  }
}
