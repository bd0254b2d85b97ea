// JSON documents stored as text (a version's details and source, a set's labels, failure parameters)
// are the same text request after request: parsed once per distinct text (bounded: 1000 texts of up
// to 16 KiB; longer ones are parsed each time). The parsed values are shared between answers, so
// whoever reads them (views, presenters) must not change them.
const parsed = new Map<string, unknown>();

export function parseStored<T>(s: string | null | undefined, fallback: T): T {
  if (!s) return fallback;
  if (s.length > 16_384) return JSON.parse(s) as T;
  let v = parsed.get(s);
  if (v === undefined) {
    v = JSON.parse(s);
    if (parsed.size >= 1000) parsed.clear();
    parsed.set(s, v);
  }
  return v as T;
}
