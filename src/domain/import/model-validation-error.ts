// The one error type meaning "the imported files are not a usable model" (or the import request does
// not fit them). Its message is shown to the user as the version's failure reason, so it must say
// which file is wrong and what to do. Anything else thrown by the inspection (AbortError, store or
// network errors) is infrastructure trouble, not a verdict on the model, and may be retried.
import { reason as coded, type CodedReason, type FailureCode } from './failure-codes.js';

export class ModelValidationError extends Error {
  /** Path (relative to objectPath) of the offending file, when one file is to blame. */
  readonly file?: string;
  /** The stable code and parameters of the reason (failure-codes.ts), for clients that translate. */
  reason: CodedReason;

  constructor(message: string, file?: string, reason?: CodedReason) {
    super(message);
    this.name = 'ModelValidationError';
    if (file !== undefined) this.file = file;
    this.reason = reason ?? (file !== undefined ? coded('InvalidFile', { file, detail: message }) : coded('InvalidModel', { detail: message }));
  }

  /** Gives the reason its code; the file and the English sentence (as detail) are its parameters, with `params`. */
  as(code: FailureCode, params: Record<string, string | number | readonly string[] | undefined> = {}): this {
    this.reason = coded(code, { file: this.file, detail: this.message, ...params });
    return this;
  }
}

export const invalid = (message: string, file?: string, reason?: CodedReason): never => {
  throw new ModelValidationError(message, file, reason);
};
