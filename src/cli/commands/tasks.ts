// modelreg tasks …: fine-tuning tasks over the signed API (/v2/finetuning), for people and for
// trainers that report from shell scripts. Prints each result as JSON on stdout.
import { InvalidArgumentError, type Command } from 'commander';
import { ApiCallError } from '../../client/api-client.js';
import { APPLICATION_TYPES, CHECKPOINT_FORMATS, FORMAT_APPLICATION_TYPES } from '../../domain/catalogue/formats.js';
import { clientOptions, resolveClient, type ClientFlags } from '../client-options.js';

type ClientOpts = ClientFlags;

const ROUTE = '/v2/finetuning';

function nonNegativeInt(v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v.trim()) || !Number.isSafeInteger(n)) throw new InvalidArgumentError('expected a whole number >= 0');
  return n;
}

function jsonObject(v: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(v);
  } catch {
    throw new InvalidArgumentError('expected a JSON object, e.g. \'{"loss":0.12}\'');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new InvalidArgumentError('expected a JSON object');
  return parsed as Record<string, unknown>;
}

async function run(opts: ClientOpts, action: string, body: Record<string, unknown>): Promise<void> {
  let result: unknown;
  try {
    // Same credential lookup as every user command: flags, QIANFAN_* env, then a profile.
    result = await resolveClient(opts).client.call(ROUTE, action, body);
  } catch (err) {
    // main() prints "modelreg: <message>" and exits 1; keep the API's error code in it.
    if (err instanceof ApiCallError) throw new Error(`${err.code}: ${err.message}${err.requestId ? ` (requestId ${err.requestId})` : ''}`);
    throw err;
  }
  process.stdout.write(JSON.stringify(result, null, 2) + '\n');
}

const defined = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

export function registerTasks(program: Command): void {
  const tasks = program.command('tasks').description('fine-tuning tasks: list, describe, and report progress as a trainer');

  clientOptions(
    tasks
      .command('list')
      .description('list tasks (DescribeFineTuningTasks); every task of the account without --job-id')
      .option('--job-id <jobId>', 'only the tasks of this job')
      .option('--marker <taskId>', 'start at this task (the nextMarker of a previous page)')
      .option('--max-keys <n>', 'page size (at most 100)', nonNegativeInt)
      .option('--reverse', 'newest first'),
  ).action(async (o: ClientOpts & { jobId?: string; marker?: string; maxKeys?: number; reverse?: boolean }) => {
    await run(o, 'DescribeFineTuningTasks', defined({ jobId: o.jobId, marker: o.marker, maxKeys: o.maxKeys, pageReverse: o.reverse }));
  });

  clientOptions(tasks.command('describe <taskId>').description('show a task with its checkpoints (DescribeFineTuningTask)')).action(
    async (taskId: string, o: ClientOpts) => {
      await run(o, 'DescribeFineTuningTask', { taskId });
    },
  );

  clientOptions(
    tasks
      .command('report-checkpoint <taskId>')
      .description('as the trainer: step N of a Waiting or Running task is the model directory at bucket/object-path (ReportFineTuningTaskCheckpoint)')
      .requiredOption('--step <n>', 'training step of the checkpoint', nonNegativeInt)
      .requiredOption('--bucket <bucket>', 'bucket holding the checkpoint')
      .requiredOption('--object-path <path>', 'the checkpoint\'s model directory inside the bucket')
      .option('--model-format <format>', `${CHECKPOINT_FORMATS.join(' or ')} (default ${CHECKPOINT_FORMATS[0]})`)
      .option('--model-application-type <type>', `${APPLICATION_TYPES.join(', ')} (default: the format's first, ${CHECKPOINT_FORMATS.map((f) => `${FORMAT_APPLICATION_TYPES[f][0]} for ${f}`).join(', ')})`)
      .option('--transformer-version <v>', 'transformers version to serve it with (default: the newest supported)')
      .option('--progress <percent>', 'training progress, 0-100'),
  ).action(
    async (
      taskId: string,
      o: ClientOpts & { step: number; bucket: string; objectPath: string; modelFormat?: string; modelApplicationType?: string; transformerVersion?: string; progress?: string },
    ) => {
      await run(
        o,
        'ReportFineTuningTaskCheckpoint',
        defined({
          taskId,
          step: o.step,
          bucket: o.bucket,
          objectPath: o.objectPath,
          modelFormat: o.modelFormat,
          modelApplicationType: o.modelApplicationType,
          transformerVersion: o.transformerVersion,
          runProgress: o.progress,
        }),
      );
    },
  );

  clientOptions(
    tasks
      .command('set-status <taskId> <runStatus>')
      .description('as the trainer: report progress (Running) or the end: Done, Failed or Stopped (UpdateFineTuningTaskStatus)')
      .option('--progress <percent>', 'training progress, 0-100')
      .option('--reason <text>', 'why it failed or stopped (Failed, Stopped)')
      .option('--final-step <n>', 'with Done: the checkpoint a publish without a step takes (default: the highest step)', nonNegativeInt)
      .option('--metrics <json>', 'a JSON object of final metrics, e.g. \'{"loss":0.12}\'', jsonObject),
  ).action(async (taskId: string, runStatus: string, o: ClientOpts & { progress?: string; reason?: string; finalStep?: number; metrics?: Record<string, unknown> }) => {
    await run(
      o,
      'UpdateFineTuningTaskStatus',
      defined({ taskId, runStatus, runProgress: o.progress, failureReason: o.reason, finalCheckpointStep: o.finalStep, metrics: o.metrics }),
    );
  });
}
