// Every kind of failure the API can report, with its wire code and HTTP status. Errors are made by
// the factories in errors/catalogue.ts (ERRORS.X(...)), which hold the messages.
// The HTTP layer renders an ApiError as {requestId, code, message}; anything else is a 500.

export const ErrorCode = {
  InvalidParameter: { code: 'InvalidParameter', status: 400 },
  MissingParameter: { code: 'MissingParameter', status: 400 },
  InappropriateJSON: { code: 'InappropriateJSON', status: 400 },
  EmptyBody: { code: 'MissingParameter', status: 400 },
  InvalidAction: { code: 'InvalidAction', status: 400 },
  UnsupportedMediaType: { code: 'UnsupportedMediaType', status: 415 },
  PayloadTooLarge: { code: 'RequestEntityTooLarge', status: 413 },
  MethodNotAllowed: { code: 'MethodNotAllowed', status: 405 },
  RouteNotFound: { code: 'NotFound', status: 404 },
  // BCE's common error table (docs/sdk-compatibility.md): JSON that is not well-formed, a body
  // or URI that cannot be read.
  MalformedJSON: { code: 'MalformedJSON', status: 400 },
  InvalidHTTPRequest: { code: 'InvalidHTTPRequest', status: 400 },
  InvalidURI: { code: 'InvalidURI', status: 400 },
  InvalidVersion: { code: 'InvalidVersion', status: 404 },
  // Qianfan's model-compression tasks: known actions that modelreg, a registry, does not run.
  CompressionNotSupported: { code: 'ModelCompressionNotSupported', status: 400 },
  // authentication and authorization, with the codes and statuses of BCE's common error table
  MissingAuthorization: { code: 'InvalidHTTPAuthHeader', status: 400 },
  InvalidAuthorization: { code: 'InvalidHTTPAuthHeader', status: 400 },
  InvalidAccessKey: { code: 'InvalidAccessKeyId', status: 403 },
  SignatureDoesNotMatch: { code: 'SignatureDoesNotMatch', status: 400 },
  RequestExpired: { code: 'RequestExpired', status: 400 },
  InvalidHost: { code: 'InvalidHost', status: 400 },
  AccessKeyDisabled: { code: 'AccessKeyDisabled', status: 403 },
  AccessDenied: { code: 'AccessDenied', status: 403 },
  // resources
  ModelSetNotFound: { code: 'ModelSetNotFound', status: 404 },
  ModelNotFound: { code: 'ModelNotFound', status: 404 },
  ResourceNotFound: { code: 'ResourceNotFound', status: 404 },
  BucketNotFound: { code: 'BucketNotFound', status: 404 },
  ModelSetNameConflict: { code: 'ModelSetNameAlreadyExists', status: 409 },
  ModelSetNotEmpty: { code: 'ModelSetNotEmpty', status: 409 },
  Conflict: { code: 'Conflict', status: 409 },
  RangeNotSatisfiable: { code: 'InvalidRange', status: 416 },
  ModelNotReady: { code: 'ModelNotReady', status: 409 },
  // fine-tuning jobs, tasks and their checkpoints (/v2/finetuning, Train versions)
  FineTuningJobNotFound: { code: 'FineTuningJobNotFound', status: 404 },
  FineTuningTaskNotFound: { code: 'FineTuningTaskNotFound', status: 404 },
  CheckpointNotFound: { code: 'CheckpointNotFound', status: 404 },
  TaskStateConflict: { code: 'TaskStateConflict', status: 409 },
  TrainVersionExists: { code: 'ModelVersionAlreadyExists', status: 409 },
  BaseHasAdapters: { code: 'ModelHasAdapters', status: 409 },
  // Hugging Face Hub-compatible reads (src/http/hub): the code is what HF clients read from X-Error-Code
  RepoNotFound: { code: 'RepoNotFound', status: 404 },
  RepoAuthRequired: { code: 'RepoNotFound', status: 401 },
  InvalidReadToken: { code: 'InvalidCredentials', status: 401 },
  RevisionNotFound: { code: 'RevisionNotFound', status: 404 },
  EntryNotFound: { code: 'EntryNotFound', status: 404 },
  HubWriteUnsupported: { code: 'UploadNotSupported', status: 405 },
  // aliases
  ModelVersionHasAliases: { code: 'ModelVersionHasAliases', status: 409 },
  TooManyRequests: { code: 'RequestLimitExceeded', status: 429 },
  // a per-account quota (src/domain/quotas.ts): the message names the quota, the use and the setting
  QuotaExceeded: { code: 'QuotaExceeded', status: 403 },
  ServiceUnavailable: { code: 'ServiceUnavailable', status: 503 },
  InternalError: { code: 'InternalError', status: 500 },
} as const;

export type ErrorKind = keyof typeof ErrorCode;

/**
 * The X-Bce-Error-Message the real gateway sends for these, word for word: the Python SDK
 * (python/qianfan/resources/requestor/base.py) turns exactly these into its hints that the
 * access key or the secret key is wrong. Every other error's header is "<code>, cause: <message>".
 */
const BCE_HEADER_MESSAGES: Partial<Record<ErrorKind, string>> = {
  InvalidAccessKey: 'NotFound, cause: Could not find credential.',
  SignatureDoesNotMatch: 'SignatureDoesNotMatch, cause: Fail to authn user: Signature does not match',
};

export class ApiError extends Error {
  readonly code: string;
  readonly status: number;
  /** Extra response headers, e.g. Retry-After for rate limiting. */
  readonly headers: Record<string, string>;
  /** What X-Bce-Error-Message says (the body keeps the precise message). */
  readonly bceMessage: string;

  constructor(kind: ErrorKind, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.name = 'ApiError';
    this.code = ErrorCode[kind].code;
    this.status = ErrorCode[kind].status;
    this.headers = headers;
    this.bceMessage = BCE_HEADER_MESSAGES[kind] ?? `${this.code}, cause: ${message}`;
  }
}
