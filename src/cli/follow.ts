// Following a version until its import ends (Ready or Fail), with a status line on stderr when
// stderr is a terminal.
import type { ApiClient } from '../client/api-client.js';
import { MODEL_ROUTE } from './model-sets.js';
import { CliError, EXIT, formatBytes, formatFields, formatTable } from './output.js';
import { ProgressBar } from './progress.js';

const SPIN = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export interface FollowOptions {
  /** Give up (exit 4) after this long; undefined waits as long as it takes. */
  timeoutMs?: number;
  intervalMs?: number;
  tty?: boolean;
}

export async function followVersion(client: ApiClient, modelId: string, opts: FollowOptions = {}): Promise<any> {
  const started = Date.now();
  const interval = opts.intervalMs ?? 1000;
  const tty = opts.tty ?? Boolean(process.stderr.isTTY);
  let frame = 0;
  let bar: ProgressBar | undefined;
  try {
    for (;;) {
      const m = await client.call(MODEL_ROUTE, 'DescribeModel', { modelId });
      if (m.status !== 'Creating') return m;
      const elapsed = Date.now() - started;
      if (opts.timeoutMs !== undefined && elapsed >= opts.timeoutMs) {
        throw new CliError(`${m.modelSetName} ${m.modelName} (${modelId}) is still Creating after ${Math.round(elapsed / 1000)}s; follow it with: modelreg versions wait ${modelId}`, EXIT.timeout);
      }
      if (tty) {
        const p = m.importProgress;
        const label = `${m.modelSetName} ${m.modelName}`;
        if (p && typeof p.bytesTotal === 'number' && p.bytesTotal > 0 && (p.phase === 'copying' || p.phase === 'finishing')) {
          // The same bar as the upload's, fed with the server's figures.
          bar ??= new ProgressBar(p.bytesTotal, label);
          bar.update(p.bytesDone ?? 0, describePhase(p), true);
        } else {
          process.stderr.write(`\r\x1b[2K${SPIN[frame++ % SPIN.length]} ${label} (${modelId}) ${p ? describePhase(p) : 'Creating'} ${Math.round(elapsed / 1000)}s`);
        }
      }
      await new Promise((r) => setTimeout(r, opts.timeoutMs === undefined ? interval : Math.min(interval, Math.max(1, opts.timeoutMs - elapsed))));
    }
  } finally {
    if (tty) process.stderr.write('\r\x1b[2K');
  }
}

/** One phrase for DescribeModel's importProgress. */
export function describePhase(p: any): string {
  switch (p?.phase) {
    case 'queued':
      return p.jobsAhead > 0 ? `queued, ${p.jobsAhead} import(s) ahead` : 'queued, next to start';
    case 'retrying':
      return `waiting to retry${p.lastError ? ` (${p.lastError})` : ''}`;
    case 'validating':
      return 'reading and validating';
    case 'copying':
      return `validating and copying${typeof p.etaSeconds === 'number' ? `, about ${formatDuration(p.etaSeconds)} left` : ''}`;
    case 'finishing':
      return 'finishing';
    default:
      return 'Creating';
  }
}

export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${Math.round(seconds)}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m${String(Math.round(seconds % 60)).padStart(2, '0')}s`;
  return `${Math.floor(seconds / 3600)}h${String(Math.floor((seconds % 3600) / 60)).padStart(2, '0')}m`;
}

/** The end of an import for people: exit 3 with the reason when it failed. */
export function failIfFailed(m: any): void {
  if (m.status === 'Fail') {
    throw new CliError(`${m.modelSetName} ${m.modelName} (${m.modelId}) failed: ${m.failureReason ?? 'no reason given'}`, EXIT.importFailed);
  }
}

/** A version for people: its main fields, then its files. */
export function formatVersion(m: any): string {
  const tl = m.tokenLimitations?.trivial;
  const engine = m.transformerVersion ? `transformers ${m.transformerVersion}` : m.vLLMVersion ? `vLLM ${m.vLLMVersion}` : undefined;
  const source = m.sourceInfo ? [m.sourceInfo.sourceType, m.sourceInfo.importModelVersionBosUrl ?? m.sourceInfo.trainTaskId].filter(Boolean).join(' ') : undefined;
  let out = formatFields([
    ['Version', `${m.modelSetName} / ${m.modelName} (${m.modelId})`],
    ['Model set', m.modelSetId],
    ['Status', m.status],
    ['Failure reason', m.failureReason],
    ['Progress', m.importProgress ? [describePhase(m.importProgress), typeof m.importProgress.bytesTotal === 'number' && m.importProgress.bytesTotal > 0 ? `${formatBytes(m.importProgress.bytesDone ?? 0)}/${formatBytes(m.importProgress.bytesTotal)} (${m.importProgress.percent ?? 0}%)` : ''].filter(Boolean).join(' ') : undefined],
    ['Source', source],
    ['Description', m.description],
    ['Application type', m.modelApplicationType],
    ['Format', [m.modelFormat, engine && `(${engine})`].filter(Boolean).join(' ')],
    ['Architecture', [m.architecture, m.modelType && `(${m.modelType})`].filter(Boolean).join(' ')],
    ['Parameters', typeof m.parameterCount === 'number' ? m.parameterCount.toLocaleString('en-US') : undefined],
    ['Dtype', m.dtype],
    ['Context length', m.contextLength],
    ['Token limits', tl ? `input ${tl.inputTokens}, output ${tl.outputTokens}, characters ${tl.characterLimit}` : undefined],
    ['Total size', typeof m.totalBytes === 'number' ? formatBytes(m.totalBytes) : undefined],
    ['Chat template', m.chatTemplateSource],
    ['Created', m.createTime],
    ['Modified', m.modifyTime],
  ]);
  if (m.warnings?.length) out += `Warnings:\n${m.warnings.map((w: unknown) => `  - ${typeof w === 'string' ? w : JSON.stringify(w)}`).join('\n')}\n`;
  if (m.files?.length) out += '\n' + formatTable(['FILE', 'SIZE', 'SHA256'], m.files.map((f: any) => [f.path, formatBytes(f.size), f.sha256 ?? '']));
  return out;
}
