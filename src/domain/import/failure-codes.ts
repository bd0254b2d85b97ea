// The stable codes of a failed version's reason, with the parameters each carries. The English
// sentence (failureReason) stays what the SDKs always read; the code and its parameters
// (failureCode, failureParams) let a client say the same in the user's language. Every code here
// has an English and a Chinese message in the console (console/i18n-codes.js; a test checks it).
// Codes are never renamed or reused: add new ones.

export const FAILURE_CODES = {
  // the request does not fit the files, or names something unsupported
  UnsupportedModelFormat: ['modelFormat', 'supported'],
  UnsupportedApplicationType: ['applicationType', 'supported'],
  FormatDoesNotFitApplicationType: ['modelFormat', 'applicationType'],
  EngineVersionRequired: ['field', 'modelFormat', 'supported'],
  UnsupportedTransformersVersion: ['version', 'supported'],
  UnsupportedVllmVersion: ['version', 'supported'],
  TransformersVersionTooOld: ['configVersion', 'version', 'suggested'],
  UnsupportedArchitecture: ['architecture', 'engine', 'version'],
  ChatConfAndCustomSpec: [],
  WrongFormatForFiles: ['location', 'modelFormat', 'file', 'detail'],
  // what is (not) there
  BucketNotFound: ['bucket'],
  NoFiles: ['location'],
  MissingConfig: ['location'],
  MissingWeights: ['location', 'detail'],
  MissingTokenizer: ['location'],
  MissingFile: ['file', 'location', 'detail'],
  MissingCustomCode: ['file', 'location'],
  FileTooLarge: ['file', 'size', 'limit'],
  FileChanged: ['file', 'location'],
  FileTruncated: ['file'],
  // a file is there but not valid
  InvalidConfig: ['file', 'detail'],
  InvalidJson: ['file', 'detail'],
  InvalidSafetensors: ['file', 'detail'],
  InvalidShardIndex: ['file', 'detail'],
  InvalidChatTemplate: ['file', 'detail'],
  InvalidTokenizer: ['file', 'detail'],
  InvalidPipeline: ['file', 'detail'],
  InvalidFile: ['file', 'detail'],
  ContextTooSmall: ['contextLength'],
  // adapters (PEFT LoRA) and their base
  InvalidAdapter: ['file', 'detail'],
  AdapterPickle: ['file', 'detail'],
  AdapterDoesNotFitBase: ['file', 'detail'],
  AdapterBaseNotUsable: ['detail'],
  AdapterNotSupportedByEngine: ['engine', 'version', 'file', 'detail'],
  BaseGone: ['base'],
  // the registry, not the files
  StorageFull: ['detail'],
  StorageQuotaExceeded: ['detail'],
  CustomSpecGone: ['file'],
  ImportInterrupted: ['url', 'attempts'],
  ImportGaveUp: ['url', 'attempts', 'detail'],
  // none of the above: the English sentence, as detail
  InvalidModel: ['detail'],
} as const satisfies Record<string, readonly string[]>;

export type FailureCode = keyof typeof FAILURE_CODES;
export type FailureParams = Record<string, string | number>;

/** A failure reason: the English sentence, and its code and parameters. */
export interface CodedReason {
  code: FailureCode;
  params: FailureParams;
}

/** The code and parameters of a reason (parameters left undefined are dropped). */
export const reason = (code: FailureCode, params: Record<string, string | number | readonly string[] | undefined> = {}): CodedReason => ({
  code,
  params: Object.fromEntries(
    Object.entries(params)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : (v as string | number)]),
  ),
});

/**
 * A reason's sentence as stored and shown: it quotes strings from the tenant's files, so control
 * characters become "?" (NUL above all, which PostgreSQL cannot store in text: the failure could
 * not be recorded and the import never ended); line breaks and tabs stay.
 */
export const storableReason = (text: string): string => text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '?');
