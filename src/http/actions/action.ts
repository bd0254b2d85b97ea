// What one API action is: its route, its Action name, whether it reads or writes (for IAM),
// the JSON schema of its body, and the handler that calls the domain.
import type { AccessKind } from '../../domain/iam/policies.js';
import type { Principal } from '../../domain/iam/iam-service.js';
import type { Services } from '../../domain/services.js';

export type Route = '/v2/model' | '/v2/finetuning';

export interface ActionContext {
  principal: Principal;
  services: Services;
  requestId: string;
  /** scheme://host the client reached this server at (for download URLs the answer carries). */
  origin?: string;
  /** Only for actions declared with rawBody: the body bytes and their content type. */
  raw?: { contentType: string; body: Buffer };
}

export type JsonSchema = Record<string, unknown>;

export interface ActionDef<B = any> {
  route: Route;
  name: string;
  access: AccessKind;
  /** JSON schema of the body (an object schema). Ignored when rawBody is set. */
  body?: JsonSchema;
  /** The handler parses the body itself (multipart uploads). */
  rawBody?: boolean;
  handle(ctx: ActionContext, body: B): Promise<unknown>;
}

export const defineAction = <B>(def: ActionDef<B>): ActionDef<B> => def;

/** Small schema helpers so action files stay readable. */
export const S = {
  str: (min = 0, max = 1024, extra: JsonSchema = {}) => ({ type: 'string', minLength: min, maxLength: max, ...extra }),
  int: (min?: number, max?: number) => ({ type: 'integer', ...(min !== undefined && { minimum: min }), ...(max !== undefined && { maximum: max }) }),
  bool: () => ({ type: 'boolean' }),
  enumOf: (values: readonly string[]) => ({ type: 'string', enum: [...values] }),
  obj: (properties: Record<string, JsonSchema>, required: string[] = []) => ({ type: 'object', properties, required, additionalProperties: false }),
  arr: (items: JsonSchema, maxItems = 100) => ({ type: 'array', items, maxItems }),
  /** A free-form object stored as given (training parameters): bounded by its JSON size instead. */
  freeObject: (maxJsonBytes = 16 * 1024, extra: JsonSchema = {}) => ({ type: 'object', maxJsonBytes, ...extra }),
  /** A percentage as 40 or "40%" (training progress): the string form is short by schema. */
  progress: () => ({ anyOf: [{ type: 'number' }, { type: 'string', maxLength: 16 }] }),
  page: () => ({
    marker: { type: 'string', maxLength: 128 },
    maxKeys: { type: 'integer', minimum: 1, maximum: 1000000 },
    pageReverse: { type: 'boolean' },
  }),
};
