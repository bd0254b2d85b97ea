// DescribeSystemModelSets answers the operator's preset catalogue: model sets every account may
// see as "preset" (Qianfan's platform models), e.g. the base models the registry's trainers start
// from. Empty unless the operator configures a file (MODELREG_SYSTEM_MODEL_SETS_FILE).
import { createHash } from 'node:crypto';
import { rowsToRead, toPage, unknownMarker, type Page, type PageRequest } from '../paging.js';

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

/**
 * Pages in the file's order (reversed with pageReverse); the marker is the first set of the page.
 * The catalogue is the operator's file, held in memory: the page is a slice, by the common rule.
 */
export function pagePresets(all: SystemModelSet[], req: PageRequest): Page<SystemModelSet> {
  const list = req.pageReverse ? [...all].reverse() : all;
  let start = 0;
  if (req.marker !== undefined) {
    start = list.findIndex((s) => s.modelSetId === req.marker);
    if (start < 0) throw unknownMarker(req.marker, 'a preset model set');
  }
  return toPage(list.slice(start, start + rowsToRead(req)), req, (s) => s.modelSetId);
}
