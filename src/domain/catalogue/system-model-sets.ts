// DescribeSystemModelSets answers the operator's preset catalogue: model sets every account may
// see as "preset" (Qianfan's platform models), e.g. the base models the registry's trainers start
// from. Empty unless the operator configures a file (MODELREG_SYSTEM_MODEL_SETS_FILE).
import { createHash } from 'node:crypto';
import { ERRORS } from '../errors/catalogue.js';

export interface SystemModelSet {
  modelSetId: string;
  modelSetName: string;
  modelType: string;
  description: string;
  labels: string[];
  modelIds: string[];
  modelNames: string[];
  createTime?: string;
  modifyTime?: string;
}

/** Model types as CreateCustomModelSet knows them (the Python SDK's V2 modelType). */
const MODEL_TYPES = ['Text2Text', 'Text2Image', 'TextRepresentation', 'ImageUnderstanding', 'Industry'];

/** JSON schema of the operator's file: an array of preset sets; only name and type are required. */
export const SYSTEM_MODEL_SETS_SCHEMA = {
  type: 'array',
  items: {
    type: 'object',
    required: ['modelSetName', 'modelType'],
    additionalProperties: false,
    properties: {
      modelSetId: { type: 'string', pattern: '^am-[a-z0-9-]{1,60}$' },
      modelSetName: { type: 'string', minLength: 1, maxLength: 128 },
      modelType: { enum: MODEL_TYPES },
      description: { type: 'string', maxLength: 2000 },
      labels: { type: 'array', items: { type: 'string' } },
      modelIds: { type: 'array', items: { type: 'string' } },
      modelNames: { type: 'array', items: { type: 'string' } },
      createTime: { type: 'string' },
      modifyTime: { type: 'string' },
    },
  },
} as const;

/** Fills the defaults; an id not given is derived from the name, so it stays the same across restarts. */
export function normalizeSystemModelSets(raw: Partial<SystemModelSet>[]): SystemModelSet[] {
  const seen = new Set<string>();
  return raw.map((s) => {
    const name = s.modelSetName!;
    const id = s.modelSetId ?? `am-preset-${createHash('sha256').update(name).digest('hex').slice(0, 12)}`;
    if (seen.has(id)) throw new Error(`preset model set ${id} (${name}) is listed twice`);
    seen.add(id);
    return {
      modelSetId: id,
      modelSetName: name,
      modelType: s.modelType!,
      description: s.description ?? '',
      labels: s.labels ?? [],
      modelIds: s.modelIds ?? [],
      modelNames: s.modelNames ?? [],
      ...(s.createTime !== undefined && { createTime: s.createTime }),
      ...(s.modifyTime !== undefined && { modifyTime: s.modifyTime }),
    };
  });
}

export interface PresetPage {
  items: SystemModelSet[];
  marker: string;
  maxKeys: number;
  isTruncated: boolean;
  nextMarker: string;
}

/** Pages in the file's order (reversed with pageReverse); the marker is the first set of the page. */
export function pagePresets(all: SystemModelSet[], opts: { marker?: string; maxKeys: number; pageReverse: boolean }): PresetPage {
  const list = opts.pageReverse ? [...all].reverse() : all;
  let start = 0;
  if (opts.marker) {
    start = list.findIndex((s) => s.modelSetId === opts.marker);
    if (start < 0) throw ERRORS.UnknownMarker(opts.marker, 'a preset model set');
  }
  const items = list.slice(start, start + opts.maxKeys);
  const next = list[start + opts.maxKeys];
  return { items, marker: opts.marker ?? '', maxKeys: opts.maxKeys, isTruncated: next !== undefined, nextMarker: next?.modelSetId ?? '' };
}
