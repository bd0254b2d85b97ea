// Create-time checks of an Import: the path is safe, the bucket exists and is granted to the
// caller's account, something is there to import (source-location.ts), a customSpec names an uploaded file.
// The files themselves are validated by the import job (src/jobs/import-job.ts).
import { ERRORS } from '../errors/catalogue.js';
import { normalizeObjectPath, validateBucketName } from '../../objects/object-path.js';
import type { CustomConfsRepo } from '../../store/repos/custom-confs-repo.js';
import type { ImportMeta } from './create-model-rules.js';
import type { SourceLocations } from './source-location.js';
import type { ImportSource, PreparedSource, VersionSourceContext } from './version-sources.js';

/** The customSpec files uploaded with CreateModelCustomConf (src/store/repos/custom-confs-repo.ts implements it). */
export type CustomSpecFiles = Pick<CustomConfsRepo, 'find'>;

export class ObjectStoreImportSource implements ImportSource {
  constructor(
    private readonly locations: SourceLocations,
    private readonly confs: CustomSpecFiles,
  ) {}

  async prepare(ctx: VersionSourceContext, meta: ImportMeta): Promise<PreparedSource> {
    const bucket = validateBucketName(meta.bucket);
    const objectPath = normalizeObjectPath(meta.objectPath);
    await this.locations.requireFiles(ctx.accountId, bucket, objectPath, 'upload the model directory there first', { orObject: true });
    if (meta.customSpec && !(await this.confs.find(ctx.accountId, meta.customSpec.fileName))) {
      throw ERRORS.CustomConfNotUploaded(meta.customSpec.fileName);
    }
    return {
      jobPayload: {
        bucket,
        objectPath,
        modelFormat: meta.modelFormat,
        modelApplicationType: meta.modelApplicationType,
        transformerVersion: meta.transformerVersion,
        vLLMVersion: meta.vLLMVersion,
        enablePromptAutoConcat: meta.enablePromptAutoConcat,
        hasChatConf: meta.chatConf !== undefined,
        customSpecFile: meta.customSpec?.fileName,
        ...(meta.baseModelId !== undefined ? { baseModelId: meta.baseModelId } : {}),
      },
      sourceInfo: { importModelVersionBosUrl: `bos://${bucket}/${objectPath}` },
    };
  }
}
