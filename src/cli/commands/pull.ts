// modelreg pull REF [DIR]: downloads a Ready version's files, verified, into DIR (default
// ./<SET>-<Vn>). REF is amv-…, SET/Vn, SET@alias, or SET (its newest Ready version). See docs/cli.md.
import path from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { ApiCallError, type ApiClient } from '../../client/api-client.js';
import { clientOptions, resolveClient, type ClientFlags } from '../client-options.js';
import { findSet, MODEL_ROUTE } from '../model-sets.js';
import { CliError, formatBytes, printJson } from '../output.js';
import { formatDuration, ProgressBar } from '../progress.js';
import { pullFiles, type RemoteFile } from '../pull.js';

function positiveInt(v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v.trim()) || n < 1 || n > 64) throw new InvalidArgumentError('expected a whole number from 1 to 64');
  return n;
}

function rate(v: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmg]?)i?b?$/i.exec(v.trim());
  if (!m) throw new InvalidArgumentError('expected bytes per second, e.g. 50M or 1.5G');
  const mult = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[m[2]!.toLowerCase() as '' | 'k' | 'm' | 'g'];
  return Math.floor(Number(m[1]) * mult);
}

/** The version a REF names: amv-…, SET/Vn, SET@alias, or SET (newest Ready). */
export async function resolveRef(client: ApiClient, ref: string): Promise<string> {
  if (/^amv-[0-9a-z]+$/i.test(ref)) return ref;
  // SET@alias: the version the alias points at now (DescribeModelSet lists the set's aliases).
  const at = ref.lastIndexOf('@');
  if (at > 0) {
    const alias = ref.slice(at + 1);
    const set = await findSet(client, ref.slice(0, at));
    const hit = ((set.aliases ?? []) as { alias: string; modelId: string }[]).find((a) => a.alias === alias);
    if (!hit) throw new CliError(`model set ${set.modelSetName} has no alias "${alias}" (it has ${(set.aliases ?? []).map((a: { alias: string }) => a.alias).join(', ') || 'none'})`, 1);
    return hit.modelId;
  }
  const slash = ref.lastIndexOf('/');
  const setName = slash >= 0 ? ref.slice(0, slash) : ref;
  const wanted = slash >= 0 ? ref.slice(slash + 1) : undefined;
  if (setName === '' || wanted === '') throw new CliError(`"${ref}" is not a version: give amv-…, SET/V3 or SET`, 2);
  const set = await findSet(client, setName);
  const versions: any[] = set.modelVersionList ?? [];
  if (wanted !== undefined) {
    const v = versions.find((x) => String(x.modelName).toLowerCase() === wanted.toLowerCase());
    if (!v) throw new CliError(`model set ${set.modelSetName} has no version ${wanted} (it has ${versions.map((x) => x.modelName).join(', ') || 'none'})`, 1);
    return v.modelId;
  }
  const ready = versions.filter((x) => x.status === 'Ready');
  if (ready.length === 0) throw new CliError(`model set ${set.modelSetName} has no Ready version to pull`, 1);
  return ready[ready.length - 1].modelId;
}

export function registerPull(program: Command): void {
  clientOptions(
    program
      .command('pull <ref> [dir]')
      .description("download a Ready version's files, verified by sha256 (REF: amv-…, SET/V3, SET@alias, or SET for its newest Ready version)")
      .option('--parallel <n>', 'files downloaded at once', positiveInt, 4)
      .option('--max-rate <bytes>', 'limit the total download speed (bytes per second; K, M, G suffixes)', rate),
  ).action(async (ref: string, dirArg: string | undefined, o: ClientFlags & { parallel: number; maxRate?: number }) => {
    const { client } = resolveClient(o);
    const started = Date.now();
    try {
      const modelId = await resolveRef(client, ref);
      const listing = await client.call(MODEL_ROUTE, 'DescribeModelFiles', { modelId });
      const dir = path.resolve(dirArg ?? `${listing.modelSetName}-${listing.modelName}`.replace(/[\\/]/g, '_'));
      const files: RemoteFile[] = listing.files;
      const total: number = listing.totalSize;
      const tty = process.stderr.isTTY === true && !o.json;
      let done = 0;
      let reusedBytes = 0;
      let bar: ProgressBar | undefined;
      let lastLine = 0;
      const label = `${listing.modelSetName}/${listing.modelName}`;
      const onBytes = (n: number, reused = false) => {
        done += n;
        if (reused) reusedBytes += n;
        if (tty) {
          bar ??= new ProgressBar(total, label, process.stderr, 0);
          if (reused) bar.addInitial(n);
          bar.update(done);
        } else if (!o.json && Date.now() - lastLine > 5000) {
          lastLine = Date.now();
          const secs = (Date.now() - started) / 1000;
          // Speed and ETA from what this run downloaded, not from what an earlier run left.
          const speed = (done - reusedBytes) / Math.max(0.001, secs);
          process.stderr.write(`pulling ${label}: ${formatBytes(done)}/${formatBytes(total)} (${total ? Math.floor((done / total) * 100) : 100}%) ${formatBytes(Math.round(speed))}/s${speed > 0 && done < total ? ` ETA ${formatDuration((total - done) / speed)}` : ''}\n`);
        }
      };
      const stats = await pullFiles(dir, files, {
        parallel: o.parallel,
        maxRate: o.maxRate ?? 0,
        refresh: async () => (await client.call(MODEL_ROUTE, 'DescribeModelFiles', { modelId })).files,
        onBytes,
      }).finally(() => bar?.finish());
      const seconds = (Date.now() - started) / 1000;
      const summary = { modelId, modelSetName: listing.modelSetName, modelName: listing.modelName, dir, files: files.length, totalBytes: total, ...stats, seconds: Math.round(seconds * 1000) / 1000 };
      if (o.json) return printJson(summary);
      process.stderr.write(
        `pulled ${label} (${modelId}): ${files.length} files, ${formatBytes(total)} into ${dir} in ${formatDuration(seconds)}` +
          `${stats.resumedBytes ? `, ${formatBytes(stats.resumedBytes)} resumed` : ''}${stats.skippedFiles ? `, ${stats.skippedFiles} already there` : ''}; every sha256 verified\n`,
      );
    } catch (err) {
      if (err instanceof ApiCallError && err.code === 'ModelNotReady') throw new CliError(`${err.code}: ${err.message}`, 1);
      throw err;
    }
  });
}
