// The metadata database's refusals of a tenant's string, as an API error. Every input refuses NUL
// (and over-long text) at its own boundary with a message naming the field; this is the backstop
// for an input that does not yet, so that PostgreSQL's refusal is a 400 and not a 500, as the same
// request is on SQLite (which stores the string). asApiError (from-object-store.ts) consults it.
import { unstorableText } from '../../store/dialect.js';
import type { ApiError } from '../errors.js';
import { ERRORS } from './catalogue.js';

/** The API error for a string the database could not store, or undefined for any other error. */
export function fromMetadataStore(err: unknown): ApiError | undefined {
  const why = unstorableText(err);
  return why === null ? undefined : Object.assign(ERRORS.TextNotStorable(why), { cause: err });
}

/** Whether the database refused a string (the error handler logs these: the input lacks its own check). */
export const refusedText = (err: unknown): boolean => unstorableText(err) !== null;
