// modelreg versions list|describe|delete|wait: the versions of a model set over the signed API.
import { InvalidArgumentError, type Command } from 'commander';
import { clientOptions, resolveClient, type ClientFlags } from '../client-options.js';
import { failIfFailed, followVersion, formatVersion } from '../follow.js';
import { findSet, MODEL_ROUTE, resolveVersionId } from '../model-sets.js';
import { printJson, printTable } from '../output.js';
import { confirmOrYes } from '../prompt.js';

export function parseSeconds(v: string): number {
  const n = Number(v);
  if (!/^\d+(\.\d+)?$/.test(v.trim()) || !Number.isFinite(n)) throw new InvalidArgumentError('expected a number of seconds');
  return n;
}

// <version> is an amv-… id or SET/VERSION: qwen2/V3, am-…/3, qwen2/latest.
export function registerVersions(program: Command): void {
  const versions = program.command('versions').description('model versions: list, describe, delete, wait');

  clientOptions(versions.command('list <set>').description('list the versions of a model set (name or am-… id), oldest first')).action(async (setArg: string, o: ClientFlags) => {
    const { client } = resolveClient(o);
    const set = await findSet(client, setArg);
    const list = set.modelVersionList ?? [];
    if (o.json) return printJson(list);
    if (list.length === 0) return void process.stderr.write(`model set ${set.modelSetName} has no versions\n`);
    printTable(
      ['ID', 'VERSION', 'STATUS', 'SOURCE', 'CREATED', 'NOTE'],
      list.map((v: any) => [v.modelId, v.modelName, v.status, v.sourceType, v.createTime, v.failureReason ?? v.description ?? '']),
    );
  });

  clientOptions(versions.command('describe <version>').description('show a version (DescribeModel): status, model facts, files and checksums')).action(
    async (ref: string, o: ClientFlags) => {
      const { client } = resolveClient(o);
      const modelId = await resolveVersionId(client, ref);
      const m = await client.call(MODEL_ROUTE, 'DescribeModel', { modelId });
      if (o.json) return printJson(m);
      process.stdout.write(formatVersion(m));
    },
  );

  clientOptions(versions.command('delete <version>').description('delete a version and its registry copy').option('-y, --yes', 'do not ask for confirmation')).action(async (ref: string, o: ClientFlags & { yes?: boolean }) => {
    const { client } = resolveClient(o);
    const modelId = await resolveVersionId(client, ref);
    await confirmOrYes(`Delete version ${ref === modelId ? modelId : `${ref} (${modelId})`}?`, o.yes);
    await client.call(MODEL_ROUTE, 'DeleteModel', { modelId });
    if (o.json) return printJson({ modelId, deleted: true });
    process.stdout.write(`deleted version ${modelId}\n`);
  });

  clientOptions(
    versions
      .command('wait <version>')
      .description('wait until a version is Ready (exit 0) or Fail (exit 3)')
      .option('--timeout <seconds>', 'give up after this long (exit 4)', parseSeconds)
      .option('--interval <seconds>', 'poll interval', parseSeconds, 1),
  ).action(async (ref: string, o: ClientFlags & { timeout?: number; interval: number }) => {
    const { client } = resolveClient(o);
    const modelId = await resolveVersionId(client, ref);
    const m = await followVersion(client, modelId, { timeoutMs: o.timeout === undefined ? undefined : o.timeout * 1000, intervalMs: o.interval * 1000 });
    if (o.json) printJson(m);
    else process.stdout.write(formatVersion(m));
    failIfFailed(m);
  });
}
