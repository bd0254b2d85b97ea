// The one error type meaning "the imported files are not a usable model" (or the import request does
// not fit them). Its message is shown to the user as the version's failure reason, so it must say
// which file is wrong and what to do. Anything else thrown by the inspection (AbortError, store or
// network errors) is infrastructure trouble, not a verdict on the model, and may be retried.
export class ModelValidationError extends Error {
  /** Path (relative to objectPath) of the offending file, when one file is to blame. */
  readonly file?: string;

  constructor(message: string, file?: string) {
    super(message);
    this.name = 'ModelValidationError';
    if (file !== undefined) this.file = file;
  }
}

export const invalid = (message: string, file?: string): never => {
  throw new ModelValidationError(message, file);
};
