// Storage keeps UTC ISO strings with milliseconds (sortable as text on every backend);
// the API shows ISO 8601 with the server's UTC offset and no fraction, as Qianfan does:
// 2023-12-15T16:30:06+08:00.

export const nowIso = (): string => new Date().toISOString();

// Answers show the same stored times over and over (a listing's rows, a described version):
// remembered, bounded. The offset is the one of that instant, so a remembered string stays right
// for as long as the process's time zone does (Node follows process.env.TZ when it is set).
const apiTimes = new Map<string, string>();
let apiTimesZone: string | undefined;

export function toApiTime(stored: string | Date): string {
  if (typeof stored !== 'string') return formatApiTime(stored);
  const zone = process.env.TZ;
  if (zone !== apiTimesZone) {
    apiTimes.clear();
    apiTimesZone = zone;
  }
  let v = apiTimes.get(stored);
  if (v === undefined) {
    v = formatApiTime(new Date(stored));
    if (apiTimes.size >= 10_000) apiTimes.clear();
    apiTimes.set(stored, v);
  }
  return v;
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
