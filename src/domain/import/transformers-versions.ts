// The Transformers runtime the user picks (transformerVersion) must be at least the version that
// saved the checkpoint (config.json `transformers_version`): newer checkpoints may use model types,
// config keys or rope settings an older library does not know, and would fail at deploy time.
// Which versions exist is the catalogue's (domain/catalogue/engines.ts); that the chosen one is
// among them is a request rule, checked before the job runs.
import { NEWEST_TRANSFORMERS_VERSION, TRANSFORMER_VERSIONS } from '../catalogue/engines.js';
import { ModelValidationError } from './model-validation-error.js';

export interface ParsedVersion {
  release: number[];
  /** -1 for pre-releases (devN, aN, bN, rcN), +1 for post-releases, 0 otherwise. */
  phase: -1 | 0 | 1;
}

const MAX_VERSION_LENGTH = 64;

/** PEP 440-ish: '4.36.2', 'v4.41.0.dev0', '4.40.0rc1', '4.38.2.post1', '4.39.3+local'. */
export function parseVersion(v: string): ParsedVersion | null {
  // The value comes from a client's config.json: bounded and trimmed before any pattern sees it
  // (a lazy group before /\s*$/ backtracks quadratically on long whitespace).
  if (v.length > MAX_VERSION_LENGTH) return null;
  const m = /^v?(\d+(?:\.\d+)*)(.*)$/i.exec(v.trim());
  if (!m) return null;
  const release = (m[1] as string).split('.').map(Number);
  const rest = (m[2] as string).replace(/\+.*$/, '').toLowerCase();
  let phase: ParsedVersion['phase'] = 0;
  if (rest === '') phase = 0;
  else if (/^[.-]?(dev|a|alpha|b|beta|rc|c|pre|preview)\.?\d*/.test(rest)) phase = -1;
  else if (/^[.-]?(post|rev|r)\.?\d*$/.test(rest)) phase = 1;
  else return null;
  return { release, phase };
}

export function compareVersions(a: ParsedVersion, b: ParsedVersion): number {
  const n = Math.max(a.release.length, b.release.length);
  for (let i = 0; i < n; i++) {
    const d = (a.release[i] ?? 0) - (b.release[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return Math.sign(a.phase - b.phase);
}

/**
 * Fails when config.json was written by a Transformers newer than `chosen`; returns warnings when
 * the check cannot be made (no or unparsable transformers_version).
 */
export function checkTransformersVersion(chosen: string, configVersion: string | undefined): string[] {
  if (configVersion === undefined) {
    return [`config.json has no transformers_version; cannot check it against transformerVersion ${chosen}`];
  }
  const saved = parseVersion(configVersion);
  if (!saved) {
    const shown = configVersion.length > MAX_VERSION_LENGTH ? `${configVersion.slice(0, MAX_VERSION_LENGTH)}… (${configVersion.length} characters)` : configVersion;
    return [`config.json transformers_version '${shown}' is not a version number; not checked against transformerVersion ${chosen}`];
  }
  const want = parseVersion(chosen);
  if (!want || compareVersions(saved, want) <= 0) return [];
  const enough = TRANSFORMER_VERSIONS.find((s) => compareVersions(parseVersion(s) as ParsedVersion, saved) >= 0);
  const advice = enough
    ? `choose transformerVersion ${enough} or later`
    : `none of the supported versions (${TRANSFORMER_VERSIONS.join(', ')}) is that new; re-save the model with transformers ≤ ${NEWEST_TRANSFORMERS_VERSION} or import it with modelFormat HuggingFace.vLLM`;
  throw new ModelValidationError(
    `config.json was saved by transformers ${configVersion}, newer than the chosen transformerVersion ${chosen}; ${advice}`,
    'config.json',
  );
}
