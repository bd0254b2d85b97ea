// modelreg sets list|create|delete: the account's model sets over the signed API.
import type { Command } from 'commander';
import { MODEL_TYPES } from '../../domain/model/model-set-service.js';
import { clientOptions, resolveClient, type ClientFlags } from '../client-options.js';
import { allSets, findSet, latestVersion, MODEL_ROUTE } from '../model-sets.js';
import { printJson, printTable } from '../output.js';
import { collect } from '../parse.js';

export function registerSets(program: Command): void {
  const sets = program.command('sets').description('model sets ("My models"): list, create, delete');

  clientOptions(sets.command('list').description('list the model sets of the account').option('--name <text>', 'only sets whose name contains this (case-insensitive)')).action(
    async (o: ClientFlags & { name?: string }) => {
      const { client } = resolveClient(o);
      let list = await allSets(client);
      if (o.name !== undefined) list = list.filter((s) => s.modelSetName.toLowerCase().includes(o.name!.toLowerCase()));
      if (o.json) return printJson(list);
      if (list.length === 0) return void process.stderr.write('no model sets\n');
      printTable(
        ['ID', 'NAME', 'TYPE', 'VERSIONS', 'LATEST', 'CREATED'],
        list.map((s) => [s.modelSetId, s.modelSetName, s.modelType, s.modelCount ?? s.modelIds?.length ?? 0, latestVersion(s), s.createTime]),
      );
    },
  );

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

  clientOptions(sets.command('delete <nameOrId>').description('delete an empty model set (delete its versions first)')).action(async (nameOrId: string, o: ClientFlags) => {
    const { client } = resolveClient(o);
    const set = await findSet(client, nameOrId);
    await client.call(MODEL_ROUTE, 'DeleteModelSet', { modelSetId: set.modelSetId });
    if (o.json) return printJson({ modelSetId: set.modelSetId, modelSetName: set.modelSetName, deleted: true });
    process.stdout.write(`deleted model set ${set.modelSetName} (${set.modelSetId})\n`);
  });
}
