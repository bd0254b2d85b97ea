// The NUL sweep: U+0000 sent through every way a tenant's strings enter the registry, on both
// databases (PostgreSQL cannot store NUL in text, SQLite can, so each new input is a new chance
// for a 500 on PostgreSQL only). Every action's every string field (generated from the action
// catalogue, so a new field is swept without touching this file), the multipart upload, query
// strings, the Hub API's names, paths and forms, signed download URLs, and the strings of model
// files an import records. An answer is a 4xx error envelope (or a success), never a 500; an
// import ends Ready or Fail with a reason, never stuck in Creating or retried until it gives up;
// the server stays healthy throughout.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ALL_ACTIONS } from '../../../src/http/actions/index.js';
import type { ActionDef, JsonSchema } from '../../../src/http/actions/action.js';
import { fieldLimits } from '../../../src/http/actions/field-limits.js';
import { runCli } from '../../helpers/cli.js';
import { call, signedFetch, startServer, tempDir, type TestServer } from '../../helpers/harness.js';
import { createSet, transformersImport, vllmImport } from '../../helpers/api.js';
import { encodeSafetensors, llamaTensors, writeTinyCausalLM, writeTinyLoraAdapter } from '../../fixtures/model-builder.js';
import { accountOf, readToken } from '../hub/hub-helpers.js';
import { bucketPath, FAST, importAndSettle, settle } from '../pipeline/pipeline-helpers.js';
import { envelopeProblem } from './envelope.js';

const NUL = 'a\u0000b';
const BUCKET = 'nul-sweep';

/** A smallest valid value for a schema (required fields only). */
function minimal(s: JsonSchema): unknown {
  if (s.anyOf) return 1;
  if (s.enum) return (s.enum as unknown[])[0];
  switch (s.type) {
    case 'string':
      return 'a'.repeat(Math.max(1, (s.minLength as number | undefined) ?? 1));
    case 'integer':
    case 'number':
      return (s.minimum as number | undefined) ?? 0;
    case 'boolean':
      return false;
    case 'array':
      return [];
    case 'object': {
      const out: Record<string, unknown> = {};
      const props = (s.properties ?? {}) as Record<string, JsonSchema>;
      for (const k of (s.required ?? []) as string[]) out[k] = minimal(props[k]!);
      return out;
    }
    default:
      return 'a';
  }
}

/** The action's minimal body with the field at `path` (a FieldLimit path, arrays as []) set to `value`. */
function bodyWith(action: ActionDef, fieldPath: string, value: unknown): Record<string, unknown> {
  const body = minimal(action.body!) as Record<string, unknown>;
  const parts = fieldPath.split('.');
  let obj = body;
  let schema = action.body!;
  for (let i = 0; i < parts.length; i++) {
    const raw = parts[i]!;
    const isArrayItem = raw.endsWith('[]');
    const key = isArrayItem ? raw.slice(0, -2) : raw;
    const child = ((schema.properties ?? {}) as Record<string, JsonSchema>)[key]!;
    if (i === parts.length - 1) {
      obj[key] = isArrayItem ? [value] : value;
      break;
    }
    if (isArrayItem) {
      const item = minimal(child.items as JsonSchema) as Record<string, unknown>;
      obj[key] = [item];
      obj = item;
      schema = child.items as JsonSchema;
      continue;
    }
    if (obj[key] === undefined) obj[key] = minimal(child);
    obj = obj[key] as Record<string, unknown>;
    schema = child;
  }
  return body;
}

/** The values carrying NUL a field of this kind can take (free-form objects: as a value and as a key). */
function nulValues(kind: string): unknown[] {
  switch (kind) {
    case 'string':
    case 'number|string':
      return [NUL, '\u0000'];
    case 'array':
      return [[NUL]];
    case 'object':
      return [{ k: NUL }, { [NUL]: 'v' }];
    default:
      return [];
  }
}

/** Not a 500, and a refusal is a well-formed envelope. */
function assertNo500(what: string, r: { status: number; text: string; body?: unknown }): void {
  assert.ok(r.status > 0 && r.status < 500, `${what}: ${r.status} ${r.text.slice(0, 300)}`);
  if (r.status >= 400 && r.body !== undefined) assert.equal(envelopeProblem(r.body), null, `${what}: ${r.text.slice(0, 300)}`);
}

describe('NUL sweep: every string input, on this database', () => {
  let server: TestServer;
  let setId: string;
  let setName: string;
  let account: string;
  let token: string;
  let readyId: string;

  before(async () => {
    server = await startServer({ ...FAST, rateLimitPerSecond: 1e9, rateLimitBurst: 1e9 });
    ({ modelSetId: setId, modelSetName: setName } = await createSet(server, server.key));
    account = await accountOf(server, server.key);
    ({ token } = await readToken(server, account));
    await writeTinyCausalLM(bucketPath(server, BUCKET, 'good'));
    const d = await importAndSettle(server, server.key, transformersImport(setId, { bucket: BUCKET, objectPath: 'good' }));
    assert.equal(d.status, 'Ready', JSON.stringify(d));
    readyId = d.modelId;
  });
  after(() => server?.close());

  test('every action: each string field (and free-form object key) holding NUL is a 400 naming it, never a 500', async () => {
    let sent = 0;
    for (const action of ALL_ACTIONS) {
      if (!action.body) continue;
      for (const f of fieldLimits(action)) {
        for (const value of nulValues(f.kind)) {
          const body = JSON.stringify(bodyWith(action, f.path, value));
          assert.match(body, /\\u0000/);
          const r = await signedFetch(server.url, server.key, { route: action.route, query: `Action=${action.name}`, body, headers: { 'content-type': 'application/json' } });
          assertNo500(`${action.name} ${f.path}`, r);
          assert.equal(r.status, 400, `${action.name} ${f.path}: ${r.text.slice(0, 300)}`);
          // The refusal names where the NUL is (at least its top-level field).
          const top = f.path.split('.')[0]!.replace('[]', '');
          assert.ok(r.body?.message?.includes(top), `${action.name} ${f.path}: ${r.body?.message}`);
          sent++;
        }
      }
    }
    assert.ok(sent > 100, `swept ${sent} fields`);
  });

  test('query strings: an Action, an extra parameter or a repeated one with NUL is a 4xx', async () => {
    for (const query of ['Action=DescribeModelSets%00', 'Action=%00', 'Action=DescribeModelSets&x=%00', 'Action=DescribeModelSets&Action=%00', '%00=1&Action=DescribeModelSets']) {
      const r = await signedFetch(server.url, server.key, { query, body: '{}', headers: { 'content-type': 'application/json' } });
      assertNo500(query, r);
    }
  });

  test('the multipart upload: NUL in the file, its name, the field name or a second field, never a 500', async () => {
    const cases: Array<[string, string, string]> = [
      ['customSpecFile', 'chat.jinja', `{{ messages }}${'\u0000'}`],
      ['customSpecFile', 'ch\u0000at.jinja', '{{ messages }}'],
      ['custom\u0000SpecFile', 'chat.jinja', '{{ messages }}'],
    ];
    for (const [field, fileName, content] of cases) {
      const boundary = 'nulsweep';
      const body = Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${fileName}"\r\nContent-Type: text/plain\r\n\r\n${content}\r\n` +
          `--${boundary}\r\nContent-Disposition: form-data; name="note"\r\n\r\n${NUL}\r\n--${boundary}--\r\n`,
        'utf8',
      );
      const r = await signedFetch(server.url, server.key, { query: 'Action=CreateModelCustomConf', body, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } });
      assertNo500(`multipart ${JSON.stringify([field, fileName])}`, r);
    }
  });

  test('the Hub API: NUL in a repo name, revision, path, query parameter or paths-info form is answered, never a 500', async () => {
    const auth = { authorization: `Bearer ${token}` };
    const paths = [
      `/api/models/${account}/${setName}%00`,
      `/api/models/${account}%00/${setName}`,
      `/api/models/${account}/${setName}?blobs=%00`,
      `/api/models/${account}/${setName}/revision/V1%00`,
      `/api/models/${account}/${setName}/tree/V1/%00`,
      `/api/models/${account}/${setName}/tree/V1?recursive=%00&expand=%00&cursor=%00&limit=%00`,
      `/${account}/${setName}/resolve/V1/config.json%00`,
      `/${account}/${setName}/resolve/V1%00/config.json`,
      `/${account}/${setName}/resolve/main/%00`,
      `/${account}%00/${setName}/resolve/main/config.json`,
    ];
    for (const p of paths) {
      for (const method of ['GET', 'HEAD']) {
        const r = await fetch(server.url + p, { method, headers: auth });
        assert.ok(r.status < 500, `${method} ${p}: ${r.status} ${await r.text()}`);
      }
    }
    for (const [type, body] of [
      ['application/x-www-form-urlencoded', `paths=%00&paths=config.json%00&expand=%00`],
      ['application/json', JSON.stringify({ paths: ['config.json'], expand: true }).replace('config.json', 'config.json\\u0000')],
    ] as const) {
      for (const rev of ['V1', 'V1%00']) {
        const r = await fetch(`${server.url}/api/models/${account}/${setName}/paths-info/${rev}`, { method: 'POST', headers: { ...auth, 'content-type': type }, body });
        assert.ok(r.status < 500, `paths-info ${rev} ${type}: ${r.status} ${await r.text()}`);
      }
    }
    // A read token with NUL, as a bearer token (encoded: raw NUL cannot be sent in a header).
    const r = await fetch(`${server.url}/api/models/${account}/${setName}`, { headers: { authorization: `Bearer ${encodeURIComponent(`${token}\u0000`)}` } });
    assert.ok(r.status < 500, `token: ${r.status}`);
  });

  test('signed download URLs: NUL in any query parameter is refused, never a 500', async () => {
    const { files } = await call(server, server.key, 'DescribeModelFiles', { modelId: readyId });
    const url = new URL((files as Array<{ downloadUrl: string }>)[0]!.downloadUrl);
    for (const name of [...url.searchParams.keys(), 'extra']) {
      const u = new URL(url);
      u.searchParams.set(name, `${u.searchParams.get(name) ?? ''}\u0000`);
      const r = await fetch(u.href.replace(url.origin, server.url));
      assert.ok(r.status < 500, `download ${name}: ${r.status} ${await r.text()}`);
    }
  });

  test('the command line: files it reads (a chat template, @file advanced config) holding NUL end in an error naming the field', async () => {
    // Arguments and environment variables cannot hold NUL (execve ends them there); files can.
    const home = tempDir('modelreg-nul-cli-');
    const tpl = path.join(home, 'template.jinja');
    fs.writeFileSync(tpl, `{{ messages }}${NUL}`);
    const conf = path.join(home, 'advance.json');
    fs.writeFileSync(conf, `{"note": "${NUL}"}`); // a raw NUL, not the escape \u0000 (that is six letters of valid JSON)
    const env = { HOME: home, MODELREG_PROFILE_FILE: path.join(home, 'credentials'), QIANFAN_CONSOLE_API_BASE_URL: server.url, QIANFAN_ACCESS_KEY: server.key.accessKey, QIANFAN_SECRET_KEY: server.key.secretKey };
    const base = ['import', bucketPath(server, BUCKET, 'good'), '--set', setName, '--bucket', BUCKET, '--path', 'good', '--no-upload', '--timeout', '60'];
    for (const [flags, field] of [
      [['--chat-template-file', tpl], /customSpecFile must not contain the NUL character/],
      // Refused before it is sent: a raw NUL makes the text invalid JSON.
      [['--advance-conf', `@${conf}`], /--advance-conf \(importMeta.advanceConf\) must be a JSON object/],
    ] as const) {
      const r = await runCli([...base, ...flags], env, 60_000);
      assert.ok(r.code !== 0 && r.code !== null, `${flags[0]}: exit ${r.code} ${r.stderr}`);
      assert.match(r.stderr, field, flags[0]);
      assert.doesNotMatch(r.stderr, /InternalError|\n\s+at /, flags[0]);
    }
    fs.rmSync(home, { recursive: true, force: true });
  });

  describe('model files: every string an import reads, holding NUL', () => {
    /** Imports what `write` puts under objectPath; the version must end (Ready or Fail), never by giving up, and read back. */
    async function importEnds(objectPath: string, body: Record<string, unknown>): Promise<any> {
      const { modelId } = await call(server, server.key, 'CreateCustomModel', body);
      const d = await settle(server, server.key, modelId, 20_000);
      assert.ok(d.status === 'Ready' || d.status === 'Fail', `${objectPath}: ${JSON.stringify(d)}`);
      if (d.status === 'Fail') {
        assert.ok(d.failureReason, `${objectPath}: a reason`);
        assert.doesNotMatch(d.failureReason, /interrupted|gave up|attempts/, objectPath);
        assert.doesNotMatch(d.failureReason, /\u0000/, objectPath);
      }
      // Everything that shows the version still answers.
      for (const [action, data] of [
        ['DescribeModel', { modelId }],
        ['DescribeModelFiles', { modelId }],
        ['DescribeCustomModels', { modelSetId: setId }],
      ] as const) {
        if (action === 'DescribeModelFiles' && d.status !== 'Ready') continue;
        const r = await signedFetch(server.url, server.key, { query: `Action=${action}`, body: JSON.stringify(data), headers: { 'content-type': 'application/json' } });
        assert.equal(r.status, 200, `${objectPath} ${action}: ${r.text.slice(0, 300)}`);
      }
      return d;
    }

    const configStrings: Array<[string, Record<string, unknown>]> = [
      ['architectures', { architectures: [`Llama${NUL}ForCausalLM`] }],
      ['model_type', { model_type: `lla${NUL}ma` }],
      ['torch_dtype', { torch_dtype: `float${NUL}16` }],
      ['transformers_version', { transformers_version: `4.40${NUL}` }],
      ['rope_scaling.type', { rope_scaling: { type: `lin${NUL}ear`, factor: 2 } }],
      ['an unknown key', { [`cus${NUL}tom`]: NUL }],
      ['auto_map', { auto_map: { AutoModelForCausalLM: `x${NUL}.Y` } }],
      ['quantization_config', { quantization_config: { quant_method: `aw${NUL}q` } }],
    ];
    for (const [what, config] of configStrings) {
      for (const format of ['transformers', 'vllm'] as const) {
        test(`config.json ${what} (${format})`, async () => {
          const objectPath = `cfg-${format}-${what.replace(/\W/g, '_')}`;
          await writeTinyCausalLM(bucketPath(server, BUCKET, objectPath), { config });
          const meta = { bucket: BUCKET, objectPath };
          await importEnds(objectPath, format === 'vllm' ? vllmImport(setId, meta) : transformersImport(setId, meta));
        });
      }
    }

    test('tokenizer_config.json chat_template (recorded with enablePromptAutoConcat)', async () => {
      await writeTinyCausalLM(bucketPath(server, BUCKET, 'chat'), { chatTemplate: `{{ messages }}${NUL}` });
      await importEnds('chat', transformersImport(setId, { bucket: BUCKET, objectPath: 'chat', modelApplicationType: 'chat', enablePromptAutoConcat: true }));
    });

    test('tokenizer_config.json named chat templates', async () => {
      await writeTinyCausalLM(bucketPath(server, BUCKET, 'chat-named'), { chatTemplate: [{ name: `def${NUL}ault`, template: `{{ messages }}${NUL}` }] });
      await importEnds('chat-named', transformersImport(setId, { bucket: BUCKET, objectPath: 'chat-named', modelApplicationType: 'chat', enablePromptAutoConcat: true }));
    });

    test('safetensors header: metadata values and keys, and a tensor name', async () => {
      const dir = bucketPath(server, BUCKET, 'st-meta');
      await writeTinyCausalLM(dir);
      const tensors = llamaTensors('F16');
      fs.writeFileSync(path.join(dir, 'model.safetensors'), encodeSafetensors(tensors, { format: 'pt', [`no${NUL}te`]: NUL }));
      await importEnds('st-meta', transformersImport(setId, { bucket: BUCKET, objectPath: 'st-meta' }));

      const dir2 = bucketPath(server, BUCKET, 'st-name');
      await writeTinyCausalLM(dir2);
      const renamed = tensors.map((t, i) => (i === tensors.length - 1 ? { ...t, name: `${t.name}${NUL}` } : t));
      fs.writeFileSync(path.join(dir2, 'model.safetensors'), encodeSafetensors(renamed));
      await importEnds('st-name', transformersImport(setId, { bucket: BUCKET, objectPath: 'st-name' }));
    });

    test('adapter_config.json: base_model_name_or_path, target_modules, peft_type, task_type', async () => {
      const cases: Array<[string, Parameters<typeof writeTinyLoraAdapter>[1]]> = [
        ['base', { baseModelNameOrPath: `meta-llama/Llama${NUL}` }],
        ['base-ref', { baseModelNameOrPath: `${setName}/V1${NUL}` }],
        ['targets', { config: { target_modules: [`q_proj${NUL}`] } }],
        ['peft', { config: { peft_type: `LO${NUL}RA` } }],
        ['task', { config: { task_type: `CAUSAL${NUL}LM` } }],
      ];
      for (const [name, opts] of cases) {
        const objectPath = `adapter-${name}`;
        await writeTinyLoraAdapter(bucketPath(server, BUCKET, objectPath), opts);
        await importEnds(objectPath, transformersImport(setId, { bucket: BUCKET, objectPath }));
      }
    });

    test('an extra text file whose name and content hold control characters and NUL', async () => {
      const objectPath = 'extra';
      await writeTinyCausalLM(bucketPath(server, BUCKET, objectPath), { extraFiles: { 'README.md': `hello${NUL}`, 'generation_config.json': JSON.stringify({ note: NUL }) } });
      await importEnds(objectPath, transformersImport(setId, { bucket: BUCKET, objectPath }));
    });
  });

  test('the server stayed healthy', async () => {
    const r = await fetch(`${server.url}/healthz`);
    assert.equal(r.status, 200);
  });
});
