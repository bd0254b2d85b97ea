// The error catalogue: one factory per failure the API answers, so that each message is written
// once and each wire code/status is chosen once (ErrorCode in ../errors.ts). Call sites throw
// `ERRORS.ModelVersionNotFound(id)`, never `new ApiError(kind, text)`.
// Factories named after a kind (InvalidParameter, MissingParameter, …) take a message for
// one-off, field-specific texts; a text needed twice gets a named factory here.
import { ApiError, type ErrorKind } from '../errors.js';

const err = (kind: ErrorKind, message: string, headers?: Record<string, string>) => new ApiError(kind, message, headers);
const retryAfter = (seconds: number) => ({ 'retry-after': String(seconds) });
const listed = (items: readonly string[]) => items.join(', ');

export const ERRORS = {
  // ---- one-off texts, by kind (the message names the field and the fix) ----
  InvalidParameter: (message: string) => err('InvalidParameter', message),
  MissingParameter: (message: string) => err('MissingParameter', message),
  InappropriateJSON: (message: string) => err('InappropriateJSON', message),
  Conflict: (message: string) => err('Conflict', message),
  TaskStateConflict: (message: string) => err('TaskStateConflict', message),
  CheckpointNotFound: (message: string) => err('CheckpointNotFound', message),
  /** A field that breaks a rule: "<field> <why>", e.g. "importMeta.bucket must not be empty". */
  FieldInvalid: (field: string, why: string) => err('InvalidParameter', `${field} ${why}`),
  FieldRequired: (field: string) => err('MissingParameter', `${field} is required`),
  FieldUnknown: (field: string) => err('InvalidParameter', `unknown field ${field}`),
  FieldNotOneOf: (field: string, allowed: readonly unknown[]) => err('InvalidParameter', `${field} must be one of: ${allowed.join(', ')}`),
  FieldNotSupported: (field: string, value: string, supported: readonly string[]) =>
    err('InvalidParameter', `${field} "${value}" is not supported; supported: ${listed(supported)}`),
  NothingToUpdate: (fields: string) => err('MissingParameter', `nothing to update: give ${fields}`),
  ModelSetIdOrNameRequired: () => err('MissingParameter', 'modelSetId or modelSetName is required'),
  UnknownMarker: (marker: string, what: string) =>
    err('InvalidParameter', `marker ${marker} does not name ${what}; pass the nextMarker of a previous page`),

  // ---- routing and the request line (src/http/server.ts, client-errors.ts) ----
  MethodNotAllowed: (method: string, path: string) =>
    err('MethodNotAllowed', `${method} is not allowed on ${path}; every action is POST ${path}?Action=<Action>`, { allow: 'POST' }),
  InvalidVersion: (version: string, route: string) => err('InvalidVersion', `API version ${version} is not served; use /v2${route}`),
  RouteNotFound: (method: string, path: string, routes: readonly string[]) =>
    err('RouteNotFound', `no API at ${method} ${path}; the API routes are ${routes.map((r) => 'POST ' + r).join(', ')}`),
  PathSegmentTooLong: () =>
    err('RouteNotFound', 'no API at this path: the path segment is too long; the API routes are POST /v2/<route>?Action=<Action>'),
  MalformedPath: () => err('InvalidURI', 'the request path is not a valid URL (malformed percent-encoding)'),
  HeaderRepeated: (name: string) => err('InvalidParameter', `the ${name} header is given more than once; send it once`),
  InvalidHost: (host: string, allowed: readonly string[]) =>
    err('InvalidHost', `the Host header "${host.slice(0, 100)}" is not a public name of this registry; use one of: ${listed(allowed)}`),
  ActionMissing: (path: string) => err('MissingParameter', `the query parameter Action is required: POST ${path}?Action=<Action>`),
  ActionRepeated: () => err('InvalidParameter', 'the query parameter Action must be given once'),
  UnknownAction: (name: string, path: string, known: readonly string[]) =>
    err('InvalidAction', `unknown Action "${name}" on ${path}; known actions: ${listed(known)}`),
  ActionNotAllowed: (policies: readonly string[], action: string) =>
    err('AccessDenied', `access denied: this key's policies (${listed(policies) || 'none'}) do not allow ${action}`),
  CompressionNotSupported: (action: string) =>
    err(
      'CompressionNotSupported',
      `${action}: modelreg is a model registry and does not run model compression (quantization, sparsification); compress the model with your own tooling and import the result with CreateCustomModel`,
    ),

  // ---- request bodies (strict-json.ts, validate-body.ts) ----
  ContentTypeNotJson: (contentType: string) =>
    err('UnsupportedMediaType', `Content-Type must be application/json, not "${contentType.slice(0, 100)}"`),
  ContentTypeRequired: () => err('UnsupportedMediaType', 'Content-Type must be application/json'),
  BodyTooLarge: (limitBytes: number) => err('PayloadTooLarge', `the request body is larger than the limit of ${limitBytes} bytes`),
  BodyNotUtf8: () => err('InvalidHTTPRequest', 'the request body is not valid UTF-8'),
  BodyHasByteOrderMark: () => err('MalformedJSON', 'the request body starts with a byte order mark; send UTF-8 JSON without one'),
  BodyNotJson: (detail: string) => err('MalformedJSON', `the request body is not valid JSON: ${detail}`),
  BodyNotObject: (got: string) => err('InappropriateJSON', `the request body must be a JSON object, not ${got}`),
  BodyEmpty: (action: string, required: readonly string[]) =>
    err('EmptyBody', `the request body is empty; ${action} needs a JSON object with ${listed(required)} (SDK callers: pass the fields as "data", not "body")`),
  BodyInvalid: () => err('InvalidParameter', 'the request body is invalid'),
  MultipartRequired: (action: string, field: string) =>
    err('UnsupportedMediaType', `${action} takes multipart/form-data with the file in the field ${field}`),
  MultipartUnreadable: () => err('InvalidParameter', 'the multipart body could not be parsed'),
  MultipartFileRequired: (field: string) => err('MissingParameter', `${field} is required (a multipart file field)`),
  /** A string the metadata database refused (src/store/dialect.ts unstorableText): a backstop, each input refuses these itself first. */
  TextNotStorable: (why: 'nul' | 'too-long') =>
    err(
      'InvalidParameter',
      why === 'nul'
        ? 'a text in the request holds the NUL character (\\u0000), which the registry cannot store; remove it and send the request again'
        : 'a text in the request is longer than the registry can store; shorten it (docs/limits.md lists each field\'s limit)',
    ),

  // ---- authentication (src/http/auth) ----
  AuthorizationMissing: () => err('MissingAuthorization', 'the Authorization header is missing; sign the request with bce-auth-v1 (AK/SK)'),
  AuthorizationMalformed: (detail: string) => err('InvalidAuthorization', `malformed Authorization header: ${detail}`),
  HostNotSigned: () => err('InvalidAuthorization', 'the host header must be among the signed headers'),
  ContentSha256NotSigned: () =>
    err(
      'InvalidAuthorization',
      'this registry requires x-bce-content-sha256 (the hex SHA-256 of the body) among the signed headers, so that a captured request cannot be replayed with another body',
    ),
  UnknownAccessKey: () => err('InvalidAccessKey', 'the access key id in the Authorization header is not known to this registry'),
  AccessKeyDisabled: () => err('AccessKeyDisabled', 'this access key is disabled; ask an administrator to enable it or use another key'),
  SignedInFuture: (timestamp: string, maxSkewSeconds: number) =>
    err('RequestExpired', `the request's timestamp ${timestamp} is more than ${maxSkewSeconds}s in the future; check the client's clock`),
  SignatureExpired: (timestamp: string, expirationSeconds: number) =>
    err('RequestExpired', `the signature expired: signed at ${timestamp} for ${expirationSeconds}s; sign the request again`),
  SignedHeaderMissing: (name: string) => err('SignatureDoesNotMatch', `the signed header "${name}" is missing from the request`),
  SignatureMismatch: () =>
    err('SignatureDoesNotMatch', 'the request signature does not match: check the secret key and that the signed headers, path and query were not changed'),
  BodyDigestMismatch: (header: string) => err('SignatureDoesNotMatch', `the body does not match the signed ${header} header`),

  // ---- load shedding (rate-limit.ts, connection-limits.ts) and failures of the server itself ----
  RateLimited: (accessKey: string, perSecond: number, burst: number, headers: Record<string, string>) =>
    err('TooManyRequests', `too many requests for access key ${accessKey} (limit ${perSecond}/s, burst ${burst}); retry later`, headers),
  TooManyFailedAuthentications: (perSecond: number, burst: number, headers: Record<string, string>) =>
    err(
      'TooManyRequests',
      `too many failed authentications from this address or for this access key (limit ${perSecond}/s, burst ${burst}); check the access key and secret key, then retry later`,
      headers,
    ),
  TooManyBodyBytesFromClient: (limit: number) =>
    err(
      'TooManyRequests',
      `too many request bytes in flight from this address (limit ${limit} bytes, MODELREG_MAX_INFLIGHT_BODY_BYTES_PER_CLIENT); retry when earlier requests have finished`,
      retryAfter(1),
    ),
  TooManyBodyBytes: (limit: number) =>
    err('ServiceUnavailable', `the server is receiving too many request bodies at once (limit ${limit} bytes, MODELREG_MAX_INFLIGHT_BODY_BYTES); retry shortly`, retryAfter(1)),
  /** src/sandbox: one account's tasks waiting for a sandbox process are capped (SECURITY.md, section 6). */
  SandboxBacklogFull: (account: string | undefined, limit: number) =>
    err(
      'TooManyRequests',
      `${account === undefined ? 'work without an account' : `account ${account}`} already has ${limit} templates or documents waiting to be checked in the sandbox (limit ${limit}, MODELREG_SANDBOX_WAITING_PER_ACCOUNT); retry when earlier ones have finished`,
      retryAfter(1),
    ),
  StorageFull: (requestId: string) =>
    err('ServiceUnavailable', `the registry's storage is full, so nothing was changed; retry once an administrator has freed space (requestId ${requestId})`, retryAfter(60)),
  InternalError: (requestId: string) => err('InternalError', `internal error; quote requestId ${requestId} when reporting it`),

  // ---- accounts, keys and read tokens (src/domain/iam, src/domain/hub/read-token-service.ts) ----
  InvalidAccountName: (name: string) =>
    err('InvalidParameter', `account name "${name}" must be 1-64 letters, digits, '_', '.', '-', starting with a letter or digit`),
  AccountExists: (name: string) => err('Conflict', `account "${name}" already exists`),
  AccountNotFound: (name: string) => err('ResourceNotFound', `account "${name}" does not exist (create it with: modelreg account create ${name})`),
  AccountIdNotFound: (accountId: string) => err('ResourceNotFound', `account ${accountId} does not exist`),
  PolicyRequired: (known: readonly string[]) => err('InvalidParameter', `a key needs at least one policy: ${listed(known)}`),
  UnknownPolicy: (policy: string, known: readonly string[]) => err('InvalidParameter', `unknown policy "${policy}"; known policies: ${listed(known)}`),
  InvalidAccessKeyFormat: () => err('InvalidParameter', 'an access key must be 8-128 letters, digits, "_" or "-"'),
  InvalidSecretKeyLength: () => err('InvalidParameter', 'a secret key must be 16-256 characters long'),
  AccessKeyExists: (accessKey: string) => err('Conflict', `access key ${accessKey} already exists`),
  AccessKeyNotFound: (accessKey: string) => err('ResourceNotFound', `access key ${accessKey} does not exist`),
  InvalidExpiryFormat: (text: string) => err('InvalidParameter', `expiry "${text}" must look like 30d, 12h, 90m or 3600s`),
  ExpiryOutOfRange: (text: string) => err('InvalidParameter', `expiry must be between 60 seconds and 3650 days, not "${text}"`),
  TokenLifetimeOutOfRange: () => err('InvalidParameter', 'a token must live between 60 seconds and 3650 days'),
  InvalidTokenName: () => err('InvalidParameter', 'a token name must be 1-64 letters, digits, spaces, "_", ".", "@" or "-"'),
  ReadTokenNotFound: (tokenId: string, inAccount: boolean) =>
    err('ResourceNotFound', `read token ${tokenId} does not exist${inAccount ? ' in this account' : ''}`),
  /** `unit` (e.g. "bytes") is appended to the numbers; the addition is named unless it is a single item. */
  QuotaExceeded: (what: string, setting: string, used: number, limit: number, adding: number, unit: string) => {
    const u = unit ? ` ${unit}` : '';
    return err(
      'QuotaExceeded',
      `quota exceeded: ${what} — this account uses ${used}${u} of ${limit}${u}${adding !== 1 || unit ? ` and this would add ${adding}${u}` : ''} (setting ${setting}); delete some or ask an administrator to raise ${setting}`,
    );
  },

  // ---- model sets and versions ----
  InvalidModelSetName: () =>
    err('InvalidParameter', 'modelSetName must be 2-50 characters: letters (Chinese included), digits, "_", "-" or ".", starting with a letter'),
  ModelSetNameTaken: (name: string) => err('ModelSetNameConflict', `a model set named "${name}" already exists in this account`),
  /** `what` names the lookup: `modelSetId am-…`, `modelSetName "x"`. */
  ModelSetNotFoundBy: (what: string) => err('ModelSetNotFound', `model set not found: no ${what} in this account`),
  ModelSetNotFound: (modelSetId: string) => ERRORS.ModelSetNotFoundBy(`modelSetId ${modelSetId}`),
  ModelSetDeleted: (modelSetId: string) => err('ModelSetNotFound', `model set ${modelSetId} was deleted`),
  ModelSetNotEmpty: (modelSetId: string, versions: number) =>
    err(
      'ModelSetNotEmpty',
      `model set ${modelSetId} still has ${versions} version(s); delete them first with DeleteModel, or delete the set with all its versions with DeleteModelSet and deleteVersions: true`,
    ),
  PresetModelSetNotFound: (what: string) =>
    err('ModelSetNotFound', `preset model set not found: no ${what} in the preset catalogue (DescribeSystemModelSets lists it)`),
  ModelVersionNotFound: (modelId: string) => err('ModelNotFound', `model version not found: no modelId ${modelId} in this account`),
  /** A REF (SET/V3, SET@alias) that names no version; `reason` says which part missed. */
  RefNotFound: (reason: string) => err('ModelNotFound', reason),
  InvalidRef: (ref: string) => err('InvalidParameter', `"${ref}" is not a REF: use SET, SET/V3, SET@alias or amv-…`),
  ModelNotReady: (modelId: string, status: string) =>
    err('ModelNotReady', `model version ${modelId} is ${status}${status === 'Creating' ? ' (still importing)' : ''}; only a Ready version's files can be exported or downloaded`),
  BaseHasAdapters: (modelId: string, count: number, names: string) =>
    err('BaseHasAdapters', `model version ${modelId} is the base of ${count} adapter version(s): ${names}; delete them first with DeleteModel`),
  TagKeyRepeated: (key: string) => err('InvalidParameter', `tags: key "${key}" is given twice`),
  TooManyTags: (max: number, got: number) => err('InvalidParameter', `tags: at most ${max} tags per version (got ${got})`),
  InvalidTagKey: (key: string) =>
    err('InvalidParameter', `tags: key "${key.slice(0, 80)}" must be 1-64 characters: letters, digits, _ . : / - and spaces, not starting with a space`),
  FormatDoesNotFitApplicationType: (format: string, applicationType: string, why: string) =>
    err('InvalidParameter', `modelFormat ${format} does not go with modelApplicationType ${applicationType}: ${why}`),

  // ---- aliases (src/domain/hub/alias-service.ts) ----
  AliasNotFound: (setName: string, alias: string) => err('ResourceNotFound', `model set ${setName} has no alias "${alias}"`),
  AliasTargetInOtherSet: (modelId: string, itsSetId: string) =>
    err('InvalidParameter', `model version ${modelId} belongs to another model set (${itsSetId}); an alias points at a version of its own set`),
  AliasTargetNotReady: (name: string, modelId: string, status: string) =>
    err('InvalidParameter', `model version ${name} (${modelId}) is ${status}; an alias can only point at a Ready version`),
  VersionHasAliases: (name: string, modelId: string, aliases: readonly string[]) =>
    err(
      'ModelVersionHasAliases',
      `model version ${name} (${modelId}) is what alias${aliases.length > 1 ? 'es' : ''} ${listed(aliases)} point${aliases.length > 1 ? '' : 's'} at; move them with SetModelSetAlias or delete them with DeleteModelSetAlias first`,
    ),

  // ---- custom chat templates (CreateModelCustomConf) ----
  CustomConfTooLarge: (bytes: number, max: number) =>
    err('InvalidParameter', `customSpecFile is ${bytes} bytes; the limit is ${max} (MODELREG_QUOTA_TEMPLATE_MAX_BYTES)`),
  CustomConfNotTemplate: (why: string) => err('InvalidParameter', `customSpecFile is not a valid Jinja chat template: ${why}`),
  CustomConfNotFound: (fileName: string) => err('ResourceNotFound', `custom template not found: no fileName ${fileName} in this account`),
  CustomConfNotUploaded: (fileName: string) =>
    err('InvalidParameter', `importMeta.customSpec.fileName "${fileName}" is not a file uploaded with CreateModelCustomConf by this account`),

  // ---- buckets and the files in them (imports, checkpoints, stored blobs) ----
  BucketNotGranted: (bucket: string) => err('AccessDenied', `access denied: bucket "${bucket}" is not granted to this account`),
  RegistryBucketNotASource: (bucket: string) =>
    err('AccessDenied', `access denied: bucket "${bucket}" is the registry's own storage (MODELREG_REGISTRY_BUCKET), never a source; import from a bucket of your own`),
  /** `advice` says what to do before retrying (e.g. "upload the checkpoint before reporting it"). */
  BucketNotInRegistry: (bucket: string, storeKind: string, advice: string) =>
    err('BucketNotFound', `bucket "${bucket}" does not exist in the registry's object store (${storeKind}); ${advice}`),
  NoFilesUnder: (bucket: string, objectPath: string, advice: string) => err('InvalidParameter', `no files under bos://${bucket}/${objectPath}; ${advice}`),
  NotSha256: (text: string) => err('InvalidParameter', `"${text}" is not a lower-case hex sha256`),
  StoredFileNotFound: (sha256: string) => err('ResourceNotFound', `no stored file with sha256 ${sha256} in this account`),

  // ---- downloads (src/domain/registry, src/http/download-route.ts) ----
  DownloadUrlIncomplete: () => err('AccessDenied', 'this download URL is incomplete: it needs key, name, for, by, expires and signature, each once'),
  DownloadUrlAltered: () => err('AccessDenied', 'this download URL was altered or was not issued by this registry'),
  DownloadUrlOutdated: () =>
    err('AccessDenied', 'this download URL was issued before this registry tied URLs to what they were issued for, and is no longer honoured; ask for a new one (DescribeModelExportTask, DescribeModelFiles)'),
  DownloadUrlExpired: () => err('RequestExpired', 'this download URL has expired; ask for a new one (DescribeModelExportTask, DescribeModelFiles)'),
  DownloadGone: () => err('ResourceNotFound', 'the file behind this download URL no longer exists (its version or export was deleted)'),
  DownloadKeyRevoked: (accessKey: string) =>
    err('AccessDenied', `access key ${accessKey}, which asked for this download URL, is disabled or deleted, so its URLs no longer work; ask for a new one with an enabled key`),
  RangeOutsideDownload: (range: string, size: number) => err('RangeNotSatisfiable', `Range ${range} is outside the file's ${size} bytes`),

  // ---- the Hugging Face Hub-compatible API (src/http/hub, src/domain/hub) ----
  RepoAuthRequired: () =>
    err('RepoAuthRequired', 'Repository not found or not readable anonymously: modelreg serves downloads to read tokens only; set HF_TOKEN to a token from `modelreg token create`'),
  /** The exact message huggingface_hub (Python) treats as "your token is invalid", not "repo not found". */
  InvalidReadToken: () => err('InvalidReadToken', 'Invalid credentials in Authorization header'),
  RepoNotFound: (ns: string, name: string) => err('RepoNotFound', `Repository not found: ${ns}/${name} does not exist or this token may not read it`),
  RevisionNotFound: (rev: string, reason: string) => err('RevisionNotFound', `Invalid rev id: ${rev}: ${reason}`),
  HubDirectoryNotFound: (path: string, repo: string, rev: string) => err('EntryNotFound', `${path} is not a directory of ${repo} at ${rev}`),
  HubFileNotFound: (path: string, repo: string, rev: string) => err('EntryNotFound', `Entry not found: ${path} is not a file of ${repo} at ${rev}`),
  HubRangeNotSatisfiable: (size: number) =>
    err('RangeNotSatisfiable', `the requested range is outside the file's ${size} bytes`, { 'content-range': `bytes */${size}` }),
  HubWriteUnsupported: (method: string, path: string) =>
    err(
      'HubWriteUnsupported',
      `modelreg's Hub API is read-only: ${method} ${path.slice(0, 200)} (uploads, commits, repo creation) is not supported; add versions with CreateCustomModel (modelreg import) instead`,
    ),
  HubRouteNotFound: (path: string) => err('RouteNotFound', `modelreg does not serve ${path.slice(0, 200)}; its Hub API serves model downloads only (docs/hub.md)`),
  PathsInfoBodyInvalid: () => err('InvalidParameter', 'the body must be JSON {"paths": [...], "expand": true|false} or the same fields form-encoded'),
  TooManyPaths: (max: number) => err('InvalidParameter', `at most ${max} paths per request`),

  // ---- fine-tuning jobs, tasks and checkpoints (src/domain/training) ----
  FineTuningJobNotFound: (jobId: string) => err('FineTuningJobNotFound', `fine-tuning job not found: no jobId ${jobId} in this account`),
  /** `field` is the request field that named the task (taskId, incrementTaskId, …). */
  FineTuningTaskNotFound: (taskId: string, field = 'taskId') => err('FineTuningTaskNotFound', `fine-tuning task not found: no ${field} ${taskId} in this account`),
  TrainTaskNotFound: (taskId: string) => err('FineTuningTaskNotFound', `training task not found: no trainMeta.taskId ${taskId} in this account`),
  TrainVersionExists: (setId: string, v: { id: string; name: string; status: string }, taskId: string, step: number) =>
    err(
      'TrainVersionExists',
      `model set ${setId} already has version ${v.name} (${v.id}, ${v.status}) published from training task ${taskId} step ${step}; use it, or delete it with DeleteModel to publish this checkpoint again`,
    ),
  CheckpointExists: (taskId: string, step: number, where: string) =>
    err('Conflict', `fine-tuning task ${taskId} already has a checkpoint at step ${step} (${where}); a reported checkpoint cannot be replaced`),
  TaskEnded: (taskId: string, status: string, only: string) => err('TaskStateConflict', `fine-tuning task ${taskId} already ended ${status}; ${only}`),
  InvalidRunProgress: (value: unknown) =>
    err('InvalidParameter', `runProgress must be a percentage from 0 to 100, like 40 or "40%" (got ${String(JSON.stringify(value)).slice(0, 40)})`),
} as const;

export type ErrorFactory = keyof typeof ERRORS;
