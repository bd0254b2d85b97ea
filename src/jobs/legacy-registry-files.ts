// TEMPORARY (hub branch only; delete once the cas branch's RegistryFiles is merged): RegistryFiles
// over today's layout, where a Ready version's files are listed in model_versions.details and
// copied under <registry bucket>/<account>/<version>/attempt-N/<path> (details.storage.prefix).
import { createHash, createHmac } from 'node:crypto';
import type { Readable } from 'node:stream';
import { SignatureV4 } from '@smithy/signature-v4';
import { sql } from 'kysely';
import type { S3Config } from '../config.js';
import type { ManifestFile, RegistryFiles } from '../domain/registry/registry-files.js';
import type { ModelsRepo } from '../store/repos/models-repo.js';
import type { RegistryLocation } from './registry-copy.js';

interface Details { files?: ManifestFile[]; storage?: { bucket: string; prefix: string } }

const toBytes = (d: string | ArrayBuffer | ArrayBufferView): string | Uint8Array =>
  typeof d === 'string' ? d : d instanceof ArrayBuffer ? new Uint8Array(d) : new Uint8Array(d.buffer, d.byteOffset, d.byteLength);

class NodeSha256 {
  private readonly h;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.h = secret ? createHmac('sha256', toBytes(secret)) : createHash('sha256');
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.h.update(toBytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.h.digest());
  }
}

export class LegacyRegistryFiles implements RegistryFiles {
  private readonly signer?: SignatureV4;

  constructor(
    private readonly models: ModelsRepo,
    private readonly registry: RegistryLocation,
    private readonly s3?: S3Config,
  ) {
    if (s3?.accessKeyId && s3.secretAccessKey) {
      this.signer = new SignatureV4({ service: 's3', region: s3.region, credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey }, sha256: NodeSha256, uriEscapePath: false });
    }
  }

  async manifest(versionId: string): Promise<ManifestFile[]> {
    const v = await this.models.findVersionById(versionId);
    if (!v || v.status !== 'Ready' || !v.details) return [];
    const d = JSON.parse(v.details) as Details;
    return (d.files ?? []).map((f) => ({ path: f.path, size: f.size, sha256: f.sha256 })).sort((a, b) => (a.path < b.path ? -1 : 1));
  }

  async openBlob(accountId: string, sha256: string, range?: { start: number; end: number }): Promise<Readable> {
    const key = await this.keyOf(accountId, sha256);
    return this.registry.store.read(this.registry.bucket, key, range);
  }

  async presignBlob(accountId: string, sha256: string, opts: { expiresSeconds: number; fileName: string }): Promise<string | null> {
    if (this.registry.store.kind !== 's3' || !this.s3?.endpoint || !this.signer) return null;
    const key = await this.keyOf(accountId, sha256);
    const u = new URL(this.s3.endpoint);
    const path = `/${this.registry.bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;
    const signed = await this.signer.presign(
      {
        method: 'GET',
        protocol: u.protocol,
        hostname: u.hostname,
        port: u.port ? Number(u.port) : undefined,
        path,
        query: { 'response-content-disposition': `attachment; filename="${opts.fileName.replace(/["\\\r\n]/g, '_')}"` },
        headers: { host: u.host },
      },
      { expiresIn: opts.expiresSeconds },
    );
    const q = Object.entries(signed.query ?? {})
      .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
      .join('&');
    return `${u.protocol}//${u.host}${path}?${q}`;
  }

  /** The stored copy of a file with this sha256 in some Ready version of the account. */
  private async keyOf(accountId: string, sha256: string): Promise<string> {
    const rows = await this.models.db
      .selectFrom('model_versions')
      .select(['details'])
      .where('account_id', '=', accountId)
      .where('status', '=', 'Ready')
      .where(sql<boolean>`details like ${'%' + sha256 + '%'}`)
      .execute();
    for (const r of rows) {
      const d = JSON.parse(r.details ?? '{}') as Details;
      const f = d.files?.find((x) => x.sha256 === sha256);
      if (f && d.storage) return `${d.storage.prefix}/${f.path}`;
    }
    const err = new Error(`no stored file with sha256 ${sha256}`) as NodeJS.ErrnoException;
    err.code = 'ENOENT';
    throw err;
  }
}
