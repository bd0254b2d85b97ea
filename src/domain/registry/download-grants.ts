// Whether a local download URL's grant still holds, checked on every GET/HEAD of /v1/download:
// the access key that asked is still enabled (IamService's cache, which sees a key disabled on any
// replica at the next request), and the version (Ready) or the export (Done, still this archive)
// still exists in that key's account. Primary-key reads only.
import type { ModelsRepo } from '../../store/repos/models-repo.js';
import type { ExportsRepo } from '../../store/repos/exports-repo.js';
import type { IamService } from '../iam/iam-service.js';
import { ERRORS } from '../errors/catalogue.js';
import type { DownloadGrant, GrantCheck } from './download-links.js';

export type GrantVersions = Pick<ModelsRepo, 'versionStates'>;
export type GrantExports = Pick<ExportsRepo, 'get'>;
export type GrantKeys = Pick<IamService, 'resolveKey'>;

export class DownloadGrants implements GrantCheck {
  constructor(
    private readonly versions: GrantVersions,
    private readonly exports: GrantExports,
    private readonly keys: GrantKeys,
  ) {}

  async check(grant: DownloadGrant, key: string): Promise<void> {
    const asker = await this.keys.resolveKey(grant.accessKey);
    if (!asker?.enabled) throw ERRORS.DownloadKeyRevoked(grant.accessKey);
    const accountId = asker.principal.accountId;
    let versionId = grant.id;
    if (grant.subject === 'export') {
      const e = await this.exports.get(grant.id);
      if (!e || e.account_id !== accountId || e.status !== 'Done' || e.object_key !== key) throw ERRORS.DownloadGone();
      // Its archive is dropped after the version goes, on a best-effort basis: the version decides.
      versionId = e.version_id;
    }
    const [v] = await this.versions.versionStates([versionId]);
    if (!v || v.account_id !== accountId || v.status !== 'Ready') throw ERRORS.DownloadGone();
  }
}
