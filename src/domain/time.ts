// Storage keeps UTC ISO strings with milliseconds (sortable as text on every backend);
// the API shows ISO 8601 with the server's UTC offset and no fraction, as Qianfan does:
// 2023-12-15T16:30:06+08:00.

export const nowIso = (): string => new Date().toISOString();

export function toApiTime(stored: string | Date): string {
  const d = typeof stored === 'string' ? new Date(stored) : stored;
  const offsetMin = -d.getTimezoneOffset();
  const local = new Date(d.getTime() + offsetMin * 60_000);
  const sign = offsetMin >= 0 ? '+' : '-';
  const abs = Math.abs(offsetMin);
  const hh = String(Math.floor(abs / 60)).padStart(2, '0');
  const mm = String(abs % 60).padStart(2, '0');
  return `${local.toISOString().slice(0, 19)}${sign}${hh}:${mm}`;
}
