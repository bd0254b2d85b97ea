// modelreg sets list|create|delete: the account's model sets over the signed API.
import type { Command } from 'commander';
import { MODEL_TYPES } from '../../domain/model/model-set-service.js';
import { clientOptions, resolveClient, type ClientFlags } from '../client-options.js';
import { findSet, latestVersion, listSets, MODEL_ROUTE } from '../model-sets.js';
import { formatVersionList, setFields } from '../set-format.js';
import { formatFields } from '../output.js';
import { confirmOrYes } from '../prompt.js';
import { InvalidArgumentError } from 'commander';
import { printJson, printTable } from '../output.js';
import { collect } from '../parse.js';

export function registerSets(program: Command): void {
  const sets = program.command('sets').description('model sets ("My models"): list, create, delete');

  clientOptions(
    sets
      .command('list')
      .description('list the model sets of the account (searched, filtered and sorted by the server)')
      .option('--name <text>', 'only sets whose name contains this (case-insensitive)')
      .option('--label <label>', 'only sets with this label')
      .option('--type <modelType>', `only sets of this model type: ${MODEL_TYPES.join(', ')}`)
      .option('--status <status>', 'only sets with a version in this status: Creating, Ready, Fail', parseStatus)
      .option('--sort <order>', 'created, modified or name; a leading "-" reverses (default: -created, newest first)', parseSort, parseSort('-created'))
      .option('--limit <n>', 'at most this many sets (default: all)', parseLimit),
  ).action(async (o: ClientFlags & { name?: string; label?: string; type?: string; status?: string; sort: SortChoice; limit?: number }) => {
    const { client } = resolveClient(o);
    const query = {
      sortBy: o.sort.sortBy,
      pageReverse: o.sort.pageReverse,
      ...(o.name ? { nameContains: o.name } : {}),
      ...(o.label ? { label: o.label } : {}),
      ...(o.type ? { modelType: o.type } : {}),
      ...(o.status ? { versionStatus: o.status } : {}),
    };
    const { sets: list, totalCount } = await listSets(client, query, o.limit ?? Infinity);
    if (o.json) return printJson(list);
    if (list.length === 0) return void process.stderr.write('no model sets\n');
    printTable(
      ['ID', 'NAME', 'TYPE', 'LABELS', 'VERSIONS', 'LATEST', 'FAILED', 'CREATED'],
      list.map((s) => [s.modelSetId, s.modelSetName, s.modelType, (s.labels ?? []).join(','), s.modelCount ?? s.modelIds?.length ?? 0, latestVersion(s), (s.modelVersionList ?? []).filter((v: any) => v.status === 'Fail').length || '', s.createTime]),
    );
    if (typeof totalCount === 'number' && totalCount > list.length) process.stderr.write(`${list.length} of ${totalCount} model sets shown (--limit)\n`);
  });

  clientOptions(sets.command('describe <set>').description('show a model set (name or am-… id) and its versions')).action(async (setArg: string, o: ClientFlags) => {
    const { client } = resolveClient(o);
    const set = await findSet(client, setArg);
    if (o.json) return printJson(set);
    process.stdout.write(formatFields(setFields(set)));
    process.stdout.write(formatVersionList(set.modelVersionList ?? []));
  });

  clientOptions(
    sets
      .command('create <name>')
      .description('create a model set')
      .option('--type <modelType>', `model type: ${MODEL_TYPES.join(', ')}`, 'Text2Text')
      .option('--label <label>', 'a label (repeat or comma-separate)', collect),
  ).action(async (name: string, o: ClientFlags & { type: string; label?: string[] }) => {
    const { client } = resolveClient(o);
    const res = await client.call(MODEL_ROUTE, 'CreateCustomModelSet', { modelSetName: name, modelType: o.type, ...(o.label?.length ? { labels: o.label } : {}) });
    if (o.json) return printJson(res);
    process.stdout.write(`created model set ${res.modelSetName} (${res.modelSetId})\n`);
  });

  clientOptions(
    sets
      .command('delete <nameOrId>')
      .description('delete an empty model set; --with-versions deletes its versions too')
      .option('--with-versions', 'delete every version of the set first (DeleteModelSet deleteVersions)')
      .option('-y, --yes', 'do not ask for confirmation'),
  ).action(async (nameOrId: string, o: ClientFlags & { withVersions?: boolean; yes?: boolean }) => {
    const { client } = resolveClient(o);
    const set = await findSet(client, nameOrId);
    const n = (set.modelVersionList ?? []).length;
    await confirmOrYes(o.withVersions ? `Delete model set ${set.modelSetName} (${set.modelSetId}) and its ${n} version(s)?` : `Delete model set ${set.modelSetName} (${set.modelSetId})?`, o.yes);
    await client.call(MODEL_ROUTE, 'DeleteModelSet', { modelSetId: set.modelSetId, ...(o.withVersions ? { deleteVersions: true } : {}) });
    if (o.json) return printJson({ modelSetId: set.modelSetId, modelSetName: set.modelSetName, deleted: true, ...(o.withVersions ? { deletedVersions: n } : {}) });
    process.stdout.write(`deleted model set ${set.modelSetName} (${set.modelSetId})${o.withVersions ? ` and ${n} version(s)` : ''}\n`);
  });
}

interface SortChoice {
  sortBy: 'createTime' | 'modifyTime' | 'modelSetName';
  pageReverse: boolean;
}

const SORT_FIELDS: Record<string, SortChoice['sortBy']> = { created: 'createTime', modified: 'modifyTime', name: 'modelSetName' };

function parseSort(v: string): SortChoice {
  const desc = v.startsWith('-');
  const field = SORT_FIELDS[desc ? v.slice(1) : v];
  if (!field) throw new InvalidArgumentError('expected created, modified or name, optionally with a leading "-" (e.g. -created)');
  return { sortBy: field, pageReverse: desc };
}

function parseStatus(v: string): string {
  const s = ['Creating', 'Ready', 'Fail'].find((x) => x.toLowerCase() === v.toLowerCase() || (v.toLowerCase() === 'failed' && x === 'Fail'));
  if (!s) throw new InvalidArgumentError('expected Creating, Ready or Fail');
  return s;
}

function parseLimit(v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v.trim()) || n < 1) throw new InvalidArgumentError('expected a positive whole number');
  return n;
}
