// What one API action is: its route, its Action name, whether it reads or writes (for IAM),
// the JSON schema of its body, and the handler that calls the domain.
import type { AccessKind } from '../../domain/iam/policies.js';
import type { Principal } from '../../domain/iam/iam-service.js';
import type { Services } from '../../domain/services.js';
import type { FromSchema, JSONSchema } from 'json-schema-to-ts';

export type Route = '/v2/model' | '/v2/finetuning';

export interface ActionContext {
  principal: Principal;
  services: Services;
  requestId: string;
  /** scheme://host the client reached this server at (for download URLs the answer carries). */
  origin: string;
  /** Only for actions declared with rawBody: the body bytes and their content type. */
  raw?: { contentType: string; body: Buffer };
}

/** A JSON schema as the validator and the limits table walk it. */
export type JsonSchema = Record<string, unknown>;
/** The same, as json-schema-to-ts reads it: what an action's literal schema must fit. */
type SchemaNode = Exclude<JSONSchema, boolean>;

/** What a request body of this schema is, as TypeScript sees it: derived, never written by hand. */
export type BodyOf<Schema extends SchemaNode> = FromSchema<Schema>;

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

interface ActionHead {
  route: Route;
  name: string;
  access: AccessKind;
}

/**
 * An action whose handler receives the body its schema admits (the type follows the schema, so
 * the two cannot disagree), or, with rawBody, one that reads the raw bytes itself.
 */
export function defineAction<const Schema extends SchemaNode>(
  // NoInfer: Schema is read from `body` alone; letting TypeScript also infer it back through
  // FromSchema from the handler's parameter costs ~10M type instantiations per action.
  def: ActionHead & { body: Schema; handle(ctx: ActionContext, body: NoInfer<BodyOf<Schema>>): Promise<unknown> },
): ActionDef<BodyOf<Schema>>;
export function defineAction(def: ActionHead & { rawBody: true; handle(ctx: ActionContext): Promise<unknown> }): ActionDef<undefined>;
export function defineAction(def: ActionDef): ActionDef {
  return def;
}

/**
 * Small schema helpers so action files stay readable. Each keeps its literal type (type: 'string',
 * the enum's values, the required names) for BodyOf.
 */
export const S = {
  str: (min = 0, max = 1024) => ({ type: 'string', minLength: min, maxLength: max }) as const,
  int: (min?: number, max?: number) =>
    ({ type: 'integer', ...(min !== undefined && { minimum: min }), ...(max !== undefined && { maximum: max }) }) as { readonly type: 'integer'; readonly minimum?: number; readonly maximum?: number },
  bool: () => ({ type: 'boolean' }) as const,
  enumOf: <const V extends readonly string[]>(values: V) => ({ type: 'string', enum: [...values] as readonly string[] as V }) as const,
  obj: <const P extends Record<string, SchemaNode>, const R extends readonly (keyof P & string)[] = []>(properties: P, required: R = [] as unknown as R) =>
    ({ type: 'object', properties, required, additionalProperties: false }) as const,
  arr: <const I extends SchemaNode>(items: I, maxItems = 100) => ({ type: 'array', items, maxItems }) as const,
  /** A free-form object stored as given (training parameters): bounded by its JSON size instead. */
  freeObject: <const E extends SchemaNode = {}>(maxJsonBytes = 16 * 1024, extra: E = {} as E) => ({ type: 'object', maxJsonBytes, ...extra }) as const,
  /** A percentage as 40 or "40%" (training progress): the string form is short by schema. */
  progress: () => ({ anyOf: [{ type: 'number' }, { type: 'string', maxLength: 16 }] }) as const,
  page: () =>
    ({
      marker: { type: 'string', maxLength: 128 },
      maxKeys: { type: 'integer', minimum: 1, maximum: 1000000 },
      pageReverse: { type: 'boolean' },
    }) as const,
};
