// The error catalogue: every failure the API can report, with its wire code and HTTP status.
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
  // authentication (401) and authorization (403)
  MissingAuthorization: { code: 'MissingAuthorizationHeader', status: 401 },
  InvalidAuthorization: { code: 'InvalidAuthorization', status: 401 },
  InvalidAccessKey: { code: 'InvalidAccessKeyId', status: 401 },
  SignatureDoesNotMatch: { code: 'SignatureDoesNotMatch', status: 401 },
  RequestExpired: { code: 'RequestExpired', status: 401 },
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
  ServiceUnavailable: { code: 'ServiceUnavailable', status: 503 },
  InternalError: { code: 'InternalError', status: 500 },
} as const;

export type ErrorKind = keyof typeof ErrorCode;

export class ApiError extends Error {
  readonly code: string;
  readonly status: number;
  /** Extra response headers, e.g. Retry-After for rate limiting. */
  readonly headers: Record<string, string>;

  constructor(kind: ErrorKind, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.name = 'ApiError';
    this.code = ErrorCode[kind].code;
    this.status = ErrorCode[kind].status;
    this.headers = headers;
  }
}

export const fail = (kind: ErrorKind, message: string): never => {
  throw new ApiError(kind, message);
};
