// LoRA adapters end to end through the real SDK: genuine tiny PEFT adapters for the tiny Llama are
// imported (and published from training) bound to a registry base; the good ones end Ready with the
// adapter block and the base link both ways, each bad one Fail with a reason naming what is wrong,
// and a base cannot be deleted while adapters are bound to it.
import assert from 'node:assert/strict';
import { promises as fsp } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../../helpers/cli.js';
import { call, startServer, tempDir, type Key, type TestServer } from '../../helpers/harness.js';
import { createSet, expectFail, transformersImport, vllmImport } from '../../helpers/api.js';
import { CHATML_TEMPLATE, writeTinyCausalLM, writeTinyLoraAdapter, type LoraAdapterOptions } from '../../fixtures/model-builder.js';
import { bucketPath, FAST, importAndSettle } from '../pipeline/pipeline-helpers.js';
import { ft, newTask, reportCheckpoint, waitSettled } from '../training/helpers.js';

const BUCKET = 'lora';

describe('LoRA adapters bound to a base', () => {
  let s: TestServer;
  let baseSet: { modelSetId: string; modelSetName: string };
  let adapterSetId: string;
  let baseId: string;
  let n = 0;

  /** Writes an adapter under a fresh path and imports it into the adapter set. */
  async function importAdapter(opts: LoraAdapterOptions, meta: Record<string, unknown> = {}, make = transformersImport, key: Key = s.key, setId = adapterSetId): Promise<any> {
    const objectPath = `adapters/a${++n}`;
    await writeTinyLoraAdapter(bucketPath(s, BUCKET, objectPath), opts);
    return importAndSettle(s, key, make(setId, { bucket: BUCKET, objectPath, ...meta }));
  }

  before(async () => {
    s = await startServer(FAST);
    baseSet = await createSet(s, s.key);
    adapterSetId = (await createSet(s, s.key)).modelSetId;
    await writeTinyCausalLM(bucketPath(s, BUCKET, 'base/llama'));
    const base = await importAndSettle(s, s.key, transformersImport(baseSet.modelSetId, { bucket: BUCKET, objectPath: 'base/llama' }));
    assert.equal(base.status, 'Ready', base.failureReason);
    baseId = base.modelId;
  });
  after(() => s.close());

  it('imports a LoRA adapter bound by amv- id: Ready, with the adapter block and the base link both ways', async () => {
    const built = await writeTinyLoraAdapter(bucketPath(s, BUCKET, 'adapters/good'));
    const d = await importAndSettle(s, s.key, transformersImport(adapterSetId, { bucket: BUCKET, objectPath: 'adapters/good', baseModelId: baseId }));
    assert.equal(d.status, 'Ready', d.failureReason);
    assert.deepEqual(d.adapter, {
      peftType: 'LORA',
      r: 4,
      loraAlpha: 8,
      targetModules: ['q_proj', 'v_proj'],
      baseModelNameOrPath: 'meta-llama/Llama-tiny',
      parameterCount: built.parameterCount,
      dtype: 'F32',
      tensorCount: built.tensorNames.length,
      taskType: 'CAUSAL_LM',
      base: { modelId: baseId, modelSetId: baseSet.modelSetId, modelSetName: baseSet.modelSetName, modelName: 'V1' },
    });
    // 2 layers × 2 modules × (A [4,16] + B [16,4])
    assert.equal(built.parameterCount, 2 * 2 * (4 * 16 + 16 * 4));
    assert.equal(d.parameterCount, built.parameterCount);
    assert.equal(d.baseModelId, baseId);
    // What serving needs from the base: its architecture and context.
    assert.equal(d.architecture, 'LlamaForCausalLM');
    assert.equal(d.modelType, 'peft-lora');
    assert.equal(d.contextLength, 4096);
    assert.deepEqual(d.files.map((f: any) => f.path), built.files);
    assert.ok(d.warnings.some((w: string) => /base_model_name_or_path "meta-llama\/Llama-tiny"; bound to baseModelId/.test(w)), JSON.stringify(d.warnings));

    const base = await call(s, s.key, 'DescribeModel', { modelId: baseId });
    assert.deepEqual(base.adapters?.find((a: any) => a.modelId === d.modelId), {
      modelId: d.modelId,
      modelName: d.modelName,
      modelSetId: adapterSetId,
      modelSetName: (await call(s, s.key, 'DescribeModelSet', { modelSetId: adapterSetId })).modelSetName,
      status: 'Ready',
    });
    assert.equal(base.adapter, undefined);
  });

  it('binds by SET/Vn, checks every Llama linear module (MLP dims too) and vLLM 0.6.3 LoRA support', async () => {
    const d = await importAdapter(
      { r: 8, dtype: 'BF16', targetModules: ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'] },
      { baseModelId: `${baseSet.modelSetName}/V1`, vLLMVersion: '0.6.3' },
      vllmImport,
    );
    assert.equal(d.status, 'Ready', d.failureReason);
    assert.equal(d.adapter.r, 8);
    assert.equal(d.adapter.dtype, 'BF16');
    assert.equal(d.adapter.vllmMaxLoraRank, 8);
    assert.equal(d.adapter.base.modelId, baseId);
    // by the set's am- id as well
    const byId = await importAdapter({}, { baseModelId: `${baseSet.modelSetId}/V1` });
    assert.equal(byId.status, 'Ready', byId.failureReason);
    assert.equal(byId.adapter.base.modelId, baseId);
  });

  it('binds from base_model_name_or_path when it names a registry model (SET/Vn or SET)', async () => {
    for (const named of [`${baseSet.modelSetName}/V1`, baseSet.modelSetName]) {
      const d = await importAdapter({ baseModelNameOrPath: named });
      assert.equal(d.status, 'Ready', d.failureReason);
      assert.equal(d.adapter.base.modelId, baseId, named);
      assert.equal(d.adapter.baseModelNameOrPath, named);
    }
  });

  it('keeps an adapter whose base is only named outside the registry, with a warning', async () => {
    const d = await importAdapter({ baseModelNameOrPath: 'meta-llama/Llama-2-7b-hf' });
    assert.equal(d.status, 'Ready', d.failureReason);
    assert.deepEqual(d.adapter.base, { name: 'meta-llama/Llama-2-7b-hf', inRegistry: false });
    assert.ok(d.warnings.some((w: string) => /"meta-llama\/Llama-2-7b-hf".*is not a model in this registry: the adapter was not checked/.test(w)), JSON.stringify(d.warnings));
    assert.equal(d.architecture, undefined);
    assert.equal(d.tokenLimitations, undefined);
  });

  it('checks against a base imported before shapes were recorded by reading its registry copy\'s headers, then records them', async () => {
    await writeTinyCausalLM(bucketPath(s, BUCKET, 'base/old'), { shards: 2 });
    const old = await importAndSettle(s, s.key, transformersImport(baseSet.modelSetId, { bucket: BUCKET, objectPath: 'base/old' }));
    assert.equal(old.status, 'Ready', old.failureReason);
    const db = s.app.store.db;
    const recorded = await db.selectFrom('version_tensor_shapes').selectAll().where('version_id', '=', old.modelId).executeTakeFirstOrThrow();
    await db.deleteFrom('version_tensor_shapes').where('version_id', '=', old.modelId).execute();

    const wrong = await importAdapter({ hidden: 8 }, { baseModelId: old.modelId });
    assert.match(wrong.failureReason, /lora_A\.weight has shape \[4, 8\], but the base layer model\.layers\.0\.self_attn\.q_proj\.weight is \[16, 16\]/);
    const again = await db.selectFrom('version_tensor_shapes').selectAll().where('version_id', '=', old.modelId).executeTakeFirstOrThrow();
    assert.deepEqual(JSON.parse(again.shapes), JSON.parse(recorded.shapes), 'the shapes read back equal those recorded at import');
    const good = await importAdapter({}, { baseModelId: old.modelId });
    assert.equal(good.status, 'Ready', good.failureReason);
    await call(s, s.key, 'DeleteModel', { modelId: good.modelId });
    await call(s, s.key, 'DeleteModel', { modelId: old.modelId });
    assert.equal(await db.selectFrom('version_tensor_shapes').selectAll().where('version_id', '=', old.modelId).executeTakeFirst(), undefined, 'deleted with the version');
  });

  it('an adapter saved without a tokenizer takes its base\'s chat template, when the base recorded one', async () => {
    await writeTinyCausalLM(bucketPath(s, BUCKET, 'base/chat'), { chatTemplate: CHATML_TEMPLATE });
    const chatBase = await importAndSettle(s, s.key, transformersImport(baseSet.modelSetId, { bucket: BUCKET, objectPath: 'base/chat', enablePromptAutoConcat: true }));
    assert.equal(chatBase.chatTemplateSource, 'tokenizer');
    const d = await importAdapter({}, { baseModelId: chatBase.modelId, enablePromptAutoConcat: true });
    assert.equal(d.status, 'Ready', d.failureReason);
    assert.equal(d.chatTemplateSource, 'tokenizer');
    assert.equal(d.chatTemplate, CHATML_TEMPLATE);
    assert.equal(d.chatTemplatePreview, chatBase.chatTemplatePreview);
    // Its own tokenizer_config.json wins.
    const own = await importAdapter({ tokenizer: true }, { baseModelId: baseId, enablePromptAutoConcat: true });
    assert.equal(own.status, 'Ready', own.failureReason);
    assert.equal(own.chatTemplate, CHATML_TEMPLATE);
    // Neither has one recorded: the same refusal as for a full model.
    const none = await importAdapter({}, { baseModelId: baseId, enablePromptAutoConcat: true });
    assert.equal(none.status, 'Fail');
    assert.match(none.failureReason, /enablePromptAutoConcat is on but neither the adapter .* nor base .* records a tokenizer chat template/);
    for (const v of [d, own]) await call(s, s.key, 'DeleteModel', { modelId: v.modelId });
    await call(s, s.key, 'DeleteModel', { modelId: chatBase.modelId });
  });

  it('fails each adapter that does not fit its base, naming the tensor or module', async () => {
    const cases: Array<[string, LoraAdapterOptions, RegExp]> = [
      [
        'wrong shape (trained on a wider model)',
        { hidden: 32 },
        /adapter tensor base_model\.model\.model\.layers\.0\.self_attn\.q_proj\.lora_A\.weight has shape \[4, 32\], but the base layer model\.layers\.0\.self_attn\.q_proj\.weight is \[16, 16\] \(out_features 16, in_features 16\): lora_A must be \[r, in_features\] = \[4, 16\]/,
      ],
      ['wrong module (a GPT-2 adapter)', { targetModules: ['c_attn'] }, /target module "c_attn" \(adapter_config\.json target_modules\) does not exist in base .*\/V1 \(amv-[a-z0-9]{12}\); its weight modules are .*q_proj/],
      ['layers beyond the base', { layers: 4 }, /adapter tensor base_model\.model\.model\.layers\.2\.self_attn\.q_proj\.lora_A\.weight targets layer 2, but base .* has 2 layers \(0-1\)/],
      ['layers_to_transform beyond the base', { config: { layers_to_transform: [0, 5] } }, /layers_to_transform names layer 5, but base .* has 2 layers/],
    ];
    for (const [what, opts, reason] of cases) {
      const d = await importAdapter(opts, { baseModelId: baseId });
      assert.equal(d.status, 'Fail', what);
      assert.match(d.failureReason, reason, what);
      assert.equal(d.adapter, undefined, what);
    }
    const base = await call(s, s.key, 'DescribeModel', { modelId: baseId });
    assert.ok(base.adapters.every((a: any) => a.status === 'Ready'), 'failed adapters are not bound');
  });

  it('fails when the named base is missing, not Ready, an adapter, or another account\'s', async () => {
    const missingSet = await importAdapter({}, { baseModelId: 'no_such_set/V1' });
    assert.equal(missingSet.status, 'Fail');
    assert.match(missingSet.failureReason, /baseModelId no_such_set\/V1 names no base: no model set no_such_set in this account/);

    const missingVersion = await importAdapter({}, { baseModelId: `${baseSet.modelSetName}/V9` });
    assert.match(missingVersion.failureReason, /names no base: model set .* has no version V9/);

    const missingId = await importAdapter({}, { baseModelId: 'amv-000000000000' });
    assert.match(missingId.failureReason, /names no base: no version amv-000000000000 in this account/);

    const bob = await s.newKey(`bob-${process.pid}-${Math.random().toString(36).slice(2, 6)}`);
    const bobSet = (await createSet(s, bob)).modelSetId;
    const foreign = await importAdapter({}, { baseModelId: baseId }, transformersImport, bob, bobSet);
    assert.equal(foreign.status, 'Fail');
    assert.match(foreign.failureReason, new RegExp(`no version ${baseId} in this account`));

    await writeTinyCausalLM(bucketPath(s, BUCKET, 'base/broken'), { corrupt: { kind: 'header-invalid-json' } });
    const broken = await importAndSettle(s, s.key, transformersImport(baseSet.modelSetId, { bucket: BUCKET, objectPath: 'base/broken' }));
    assert.equal(broken.status, 'Fail');
    const onFailed = await importAdapter({}, { baseModelId: broken.modelId });
    assert.match(onFailed.failureReason, new RegExp(`base .*/${broken.modelName} \\(${broken.modelId}\\), named by baseModelId ${broken.modelId}, is Fail: an adapter binds only to a Ready version`));

    const adapter = await importAdapter({}, { baseModelId: baseId });
    assert.equal(adapter.status, 'Ready', adapter.failureReason);
    const onAdapter = await importAdapter({}, { baseModelId: adapter.modelId });
    assert.match(onAdapter.failureReason, /is itself an adapter; bind to the full model it adapts/);
  });

  it('refuses adapter_model.bin with advice to convert, a rank vLLM cannot serve, and baseModelId on a full model', async () => {
    const bin = await importAdapter({ weights: 'bin' }, { baseModelId: baseId });
    assert.equal(bin.status, 'Fail');
    assert.match(bin.failureReason, /adapter_model\.bin is a PyTorch pickle: its tensor shapes cannot be checked .*Save the adapter as safetensors/);

    const bigRank = await importAdapter({ r: 128 }, { baseModelId: baseId, vLLMVersion: '0.4.0' }, vllmImport);
    assert.equal(bigRank.status, 'Fail');
    assert.match(bigRank.failureReason, /LoRA rank 128 exceeds vLLM 0\.4\.0's maximum --max-lora-rank of 64/);
    // the same adapter is servable by 0.6.3 (max 256)
    const ok = await importAdapter({ r: 128 }, { baseModelId: baseId, vLLMVersion: '0.6.3' }, vllmImport);
    assert.equal(ok.status, 'Ready', ok.failureReason);
    assert.equal(ok.adapter.vllmMaxLoraRank, 128);

    await writeTinyCausalLM(bucketPath(s, BUCKET, 'base/full2'));
    const full = await importAndSettle(s, s.key, transformersImport(adapterSetId, { bucket: BUCKET, objectPath: 'base/full2', baseModelId: baseId }));
    assert.equal(full.status, 'Fail');
    assert.match(full.failureReason, /baseModelId .* was given, but the files are a full model, not a PEFT adapter/);

    await expectFail(s, s.key, 'CreateCustomModel', transformersImport(adapterSetId, { bucket: BUCKET, objectPath: 'base/full2', baseModelId: 'not a ref!' }), 400, 'InvalidParameter', /importMeta\.baseModelId "not a ref!" is not a registry reference; use amv-/);
  });

  it('publishes a LoRA checkpoint of a training task bound to trainMeta.baseModelId; a misfit checkpoint fails', async () => {
    const { taskId } = await newTask(s, s.key);
    await writeTinyLoraAdapter(bucketPath(s, BUCKET, 'ckpt/step-10'), { tokenizer: true });
    await writeTinyLoraAdapter(bucketPath(s, BUCKET, 'ckpt/step-20'), { hidden: 24 });
    await reportCheckpoint(s, s.key, taskId, 10, BUCKET, 'ckpt/step-10');
    await reportCheckpoint(s, s.key, taskId, 20, BUCKET, 'ckpt/step-20');
    await ft(s, s.key, 'UpdateFineTuningTaskStatus', { taskId, runStatus: 'Done' });

    const v = await call(s, s.key, 'CreateCustomModel', { modelSetId: adapterSetId, sourceType: 'Train', trainMeta: { taskId, step: 10, baseModelId: baseId } });
    const d = await waitSettled(s, s.key, v.modelId);
    assert.equal(d.status, 'Ready', d.failureReason);
    assert.deepEqual(d.sourceInfo, { sourceType: 'Train', trainTaskId: taskId, checkpointStep: 10 });
    assert.equal(d.adapter.base.modelId, baseId);
    assert.equal(d.adapter.r, 4);

    const bad = await call(s, s.key, 'CreateCustomModel', { modelSetId: adapterSetId, sourceType: 'Train', trainMeta: { taskId, step: 20, baseModelId: `${baseSet.modelSetName}/V1` } });
    const f = await waitSettled(s, s.key, bad.modelId);
    assert.equal(f.status, 'Fail');
    assert.match(f.failureReason, /adapter tensor .*lora_A\.weight has shape \[4, 24\], but the base layer .* is \[16, 16\]/);
  });

  it('modelreg import --base uploads an adapter directory and binds it', async () => {
    const home = tempDir('modelreg-lora-cli-');
    const dir = `${home}/support-bot`;
    await writeTinyLoraAdapter(dir, { r: 2 });
    const setName = (await call(s, s.key, 'DescribeModelSet', { modelSetId: adapterSetId })).modelSetName;
    const r = await runCli(
      ['import', dir, '--set', setName, '--bucket', BUCKET, '--path', 'cli/support-bot', '--buckets-dir', s.app.config.bucketsDir, '--base', `${baseSet.modelSetName}/V1`, '--timeout', '60', '--json'],
      { HOME: home, QIANFAN_CONSOLE_API_BASE_URL: s.url, QIANFAN_ACCESS_KEY: s.key.accessKey, QIANFAN_SECRET_KEY: s.key.secretKey },
      90_000,
    );
    assert.equal(r.code, 0, r.stderr);
    const d = JSON.parse(r.stdout);
    assert.equal(d.status, 'Ready');
    assert.equal(d.adapter.r, 2);
    assert.equal(d.adapter.base.modelId, baseId);
    await fsp.rm(home, { recursive: true, force: true });
  });

  it('refuses to delete a base while adapters are bound, naming them; after deleting them it can', async () => {
    const base = await call(s, s.key, 'DescribeModel', { modelId: baseId });
    const bound: any[] = base.adapters;
    assert.ok(bound.length >= 5, JSON.stringify(bound));
    const err = await expectFail(s, s.key, 'DeleteModel', { modelId: baseId }, 409, 'ModelHasAdapters', new RegExp(`model version ${baseId} is the base of ${bound.length} adapter version\\(s\\): `));
    for (const a of bound) assert.ok((err.body as any).message.includes(`${a.modelSetName}/${a.modelName} (${a.modelId})`), a.modelId);
    assert.equal((await call(s, s.key, 'DescribeModel', { modelId: baseId })).status, 'Ready', 'the base is untouched');

    for (const a of bound.slice(1)) await call(s, s.key, 'DeleteModel', { modelId: a.modelId });
    const last = bound[0];
    await expectFail(s, s.key, 'DeleteModel', { modelId: baseId }, 409, 'ModelHasAdapters', new RegExp(`base of 1 adapter version\\(s\\): .*\\(${last.modelId}\\)`));
    assert.deepEqual((await call(s, s.key, 'DescribeModel', { modelId: baseId })).adapters.map((a: any) => a.modelId), [last.modelId]);
    await call(s, s.key, 'DeleteModel', { modelId: last.modelId });
    assert.equal((await call(s, s.key, 'DescribeModel', { modelId: baseId })).adapters, undefined);
    await call(s, s.key, 'DeleteModel', { modelId: baseId });
    await expectFail(s, s.key, 'DescribeModel', { modelId: baseId }, 404, 'ModelNotFound');
  });
});
