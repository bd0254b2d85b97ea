// The Range header of a file download: one byte range (RFC 9110 §14.1.2). Several ranges are
// answered with the whole file (allowed, and no Hub client asks for several).
import { ERRORS } from '../../domain/errors/catalogue.js';

export type RangeAsk = { start: number; end: number } | 'whole';

export function parseRange(header: string | undefined, size: number): RangeAsk {
  if (header === undefined) return 'whole';
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return 'whole';
  let start: number;
  let end: number;
  if (m[1] === '') {
    // bytes=-N: the last N bytes.
    const n = Number(m[2]);
    if (n === 0) throw unsatisfiable(size);
    start = Math.max(0, size - n);
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
    if (m[2] !== '' && Number(m[2]) < start) return 'whole';
  }
  if (!Number.isSafeInteger(start) || start >= size) throw unsatisfiable(size);
  return { start, end };
}

const unsatisfiable = ERRORS.HubRangeNotSatisfiable;
