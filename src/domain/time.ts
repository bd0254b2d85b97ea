// Storage keeps UTC ISO strings with milliseconds (sortable as text on every backend);
// the API shows ISO 8601 with the server's UTC offset and no fraction, as Qianfan does:
// 2023-12-15T16:30:06+08:00.

export const nowIso = (): string => new Date().toISOString();

// Answers show the same stored times over and over (a listing's rows, a described version):
// remembered, bounded, with the UTC offset they were made with, which is checked on each use
// (cheaply, from the instant in milliseconds) so that a change of time zone (TZ) counts at once.
const apiTimes = new Map<string, { ms: number; offset: number; text: string }>();

export function toApiTime(stored: string | Date): string {
  if (typeof stored !== 'string') return formatApiTime(stored);
  const hit = apiTimes.get(stored);
  if (hit && new Date(hit.ms).getTimezoneOffset() === hit.offset) return hit.text;
  const d = new Date(stored);
  const text = formatApiTime(d);
  if (apiTimes.size >= 10_000) apiTimes.clear();
  apiTimes.set(stored, { ms: d.getTime(), offset: d.getTimezoneOffset(), text });
  return text;
}

function formatApiTime(d: Date): string {
  const offsetMin = -d.getTimezoneOffset();
  const local = new Date(d.getTime() + offsetMin * 60_000);
  const sign = offsetMin >= 0 ? '+' : '-';
  const abs = Math.abs(offsetMin);
  const hh = String(Math.floor(abs / 60)).padStart(2, '0');
  const mm = String(abs % 60).padStart(2, '0');
  return `${local.toISOString().slice(0, 19)}${sign}${hh}:${mm}`;
}
