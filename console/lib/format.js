// Display helpers: sizes, counts, times, JSON.
import { getLang } from '../i18n.js';

export function formatBytes(n) {
  if (typeof n !== 'number' || !Number.isFinite(n)) return String(n ?? '');
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${n} B` : `${v.toFixed(v >= 100 ? 0 : v >= 10 ? 1 : 2)} ${units[i]}`;
}

/** 7615616512 → "7.62B" (parameter counts are told in billions/millions). */
export function formatCount(n) {
  if (typeof n !== 'number' || !Number.isFinite(n)) return String(n ?? '');
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)}B`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}K`;
  return String(n);
}

export function formatTime(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return new Intl.DateTimeFormat(getLang(), { dateStyle: 'medium', timeStyle: 'long' }).format(d);
}

export const prettyJson = (v) => JSON.stringify(v, null, 2);

/** The advanced config arrives as a JSON string; show it indented when it parses. */
export function prettyJsonString(s) {
  try {
    return prettyJson(JSON.parse(s));
  } catch {
    return s;
  }
}

/** 95 → "1 min 35 s" (estimates). */
export function formatDuration(seconds) {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}
