// The domain services one request may use; built once by src/app.ts.
import type { Catalogues } from './catalogue/catalogues.js';
import type { IamService } from './iam/iam-service.js';
import type { CustomConfService } from './model/custom-conf-service.js';
import type { MetadataService } from './model/metadata-service.js';
import type { SourceLocations } from './model/source-location.js';
import type { ModelSetService } from './model/model-set-service.js';
import type { ModelVersionService } from './model/model-version-service.js';
import type { RegistryFiles } from './registry/registry-files.js';
import type { DownloadLinks } from './registry/download-links.js';
import type { ModelExportService } from './registry/export-service.js';
import type { TrainingService } from './training/training-service.js';
import type { AliasService } from './hub/alias-service.js';
import type { HubService } from './hub/hub-service.js';
import type { ReadTokenService } from './hub/read-token-service.js';

export interface Services {
  iam: IamService;
  modelSets: ModelSetService;
  modelVersions: ModelVersionService;
  training: TrainingService;
  customConfs: CustomConfService;
  /** Editable descriptions, labels and version tags (UpdateModelSet, UpdateModel). */
  metadata: MetadataService;
  /** The operator's catalogues: fine-tunable models, preset model sets. */
  catalogues: Catalogues;
  /** Whether the caller's account may import from a bucket (CheckBucketAccess). */
  buckets: Pick<SourceLocations, 'checkAccess'>;
  /** A version's files as content-addressed blobs (src/jobs/blob-store.ts implements it). */
  registryFiles: RegistryFiles;
  /** Export tasks and per-file download URLs (CreateModelExportTask, DescribeModelFiles). */
  exports: ModelExportService;
  /** Signs and checks the local store's download URLs (GET /v1/download). */
  downloads: DownloadLinks;
  readTokens: ReadTokenService;
  aliases: AliasService;
  hub: HubService;
}
