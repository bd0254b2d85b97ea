// The user-side command line (modelreg sets|versions|import|profile) as a person or a script
// runs it: child processes against a real server, tables and --json, and the documented exit
// codes (0 ok, 1 API error, 2 usage, 3 import failed, 4 timed out).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { writeTinyCausalLM } from '../../fixtures/model-builder.js';
import { startServer, tempDir, type Key, type TestServer } from '../../helpers/harness.js';

const REPO = fileURLToPath(new URL('../../..', import.meta.url));
const MAIN = path.join(REPO, 'src/cli/main.ts');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `modelreg …` with a clean environment: only what `env` gives, besides PATH and HOME. */
function modelreg(args: string[], env: Record<string, string | undefined> = {}, input?: string): Promise<Run> {
  const base: Record<string, string> = { PATH: process.env.PATH ?? '', NODE_NO_WARNINGS: '1' };
  const full = { ...base, ...Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined)) } as Record<string, string>;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], { cwd: REPO, env: full, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(input ?? '');
  });
}

const sha256 = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

describe('user CLI against a real server', () => {
  let server: TestServer;
  let home: string;
  let modelDir: string;
  let brokenDir: string;
  let env: Record<string, string>;
  let bucketsDir: string;

  before(async () => {
    server = await startServer();
    bucketsDir = server.app.config.bucketsDir;
    home = tempDir('modelreg-cli-home-');
    modelDir = path.join(home, 'models', 'tiny');
    brokenDir = path.join(home, 'models', 'broken');
    await writeTinyCausalLM(modelDir);
    await writeTinyCausalLM(brokenDir, { corrupt: { kind: 'truncate', bytes: 100 } });
    // A hidden directory (like a Hugging Face download's .cache) is not uploaded.
    fs.mkdirSync(path.join(modelDir, '.cache'));
    fs.writeFileSync(path.join(modelDir, '.cache', 'junk'), 'x');
    env = {
      HOME: home,
      MODELREG_PROFILE_FILE: path.join(home, '.modelreg', 'credentials'),
      QIANFAN_CONSOLE_API_BASE_URL: server.url,
      QIANFAN_ACCESS_KEY: server.key.accessKey,
      QIANFAN_SECRET_KEY: server.key.secretKey,
    };
  });
  after(async () => {
    await server.close();
    fs.rmSync(home, { recursive: true, force: true });
  });

  test('without credentials: exit 2 and how to give them', async () => {
    const r = await modelreg(['sets', 'list'], { HOME: home, MODELREG_PROFILE_FILE: env.MODELREG_PROFILE_FILE, QIANFAN_CONSOLE_API_BASE_URL: server.url });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /no access key: pass --access-key\/--secret-key, set QIANFAN_ACCESS_KEY\/QIANFAN_SECRET_KEY, or add a profile/);
    assert.equal(r.stdout, '');
  });

  test('a wrong flag is a usage error (2); an unreachable server an API error (1)', async () => {
    const bad = await modelreg(['sets', 'list', '--frobnicate'], env);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /unknown option '--frobnicate'/);
    const down = await modelreg(['sets', 'list', '--endpoint', 'http://127.0.0.1:1'], env);
    assert.equal(down.code, 1);
    assert.match(down.stderr, /^modelreg: ConnectionFailed: cannot reach http:\/\/127\.0\.0\.1:1/);
  });

  test('sets create: a line for people, the API result for scripts, exit 1 with the API code on conflict', async () => {
    const made = await modelreg(['sets', 'create', 'tiny-cli', '--label', 'demo,cli'], env);
    assert.equal(made.code, 0, made.stderr);
    assert.match(made.stdout, /^created model set tiny-cli \(am-[0-9a-z]+\)\n$/);
    const json = await modelreg(['sets', 'create', '中文模型', '--type', 'Text2Image', '--json'], env);
    assert.equal(json.code, 0, json.stderr);
    assert.equal(JSON.parse(json.stdout).modelSetName, '中文模型');
    const again = await modelreg(['sets', 'create', 'tiny-cli'], env);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /^modelreg: ModelSetNameAlreadyExists: .*tiny-cli.* \(requestId [0-9a-f-]{36}\)\n$/);
  });

  test('sets list: an aligned table (Chinese names take two columns), JSON, a name filter', async () => {
    const r = await modelreg(['sets', 'list'], env);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    assert.match(lines[0]!, /^ID +NAME +TYPE +LABELS +VERSIONS +LATEST +FAILED +CREATED$/);
    assert.equal(lines.length, 3);
    // Columns line up: TYPE starts at the same terminal column on every line.
    const col = (line: string, text: string) => {
      const i = line.indexOf(text);
      return [...line.slice(0, i)].reduce((w, ch) => w + (/[\u4e00-\u9fff]/.test(ch) ? 2 : 1), 0);
    };
    assert.equal(col(lines.find((l) => l.includes('中文模型'))!, 'Text2Image'), col(lines[0]!, 'TYPE'));
    assert.equal(col(lines.find((l) => l.includes('tiny-cli'))!, 'Text2Text'), col(lines[0]!, 'TYPE'));

    const json = await modelreg(['sets', 'list', '--json', '--name', 'TINY'], env);
    assert.equal(json.code, 0);
    const list = JSON.parse(json.stdout);
    assert.deepEqual(list.map((s: any) => s.modelSetName), ['tiny-cli']);
    assert.deepEqual(list[0].labels, ['demo', 'cli']);
  });

  test('profiles: set (secret from stdin, file mode 600), list without secrets, used by --profile', async () => {
    const set = await modelreg(['profile', 'set', 'work', '--access-key', server.key.accessKey, '--secret-key-stdin', '--endpoint', server.url], { HOME: home, MODELREG_PROFILE_FILE: env.MODELREG_PROFILE_FILE }, server.key.secretKey + '\n');
    assert.equal(set.code, 0, set.stderr);
    const file = env.MODELREG_PROFILE_FILE!;
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    assert.match(fs.readFileSync(file, 'utf8'), /^\[work\]\naccess_key = [0-9a-f]+\nsecret_key = [0-9a-f]+\nendpoint = http:\/\/127\.0\.0\.1:\d+\n$/);

    const list = await modelreg(['profile', 'list'], { HOME: home, MODELREG_PROFILE_FILE: file });
    assert.equal(list.code, 0);
    assert.ok(list.stdout.includes(server.key.accessKey));
    assert.ok(!list.stdout.includes(server.key.secretKey), 'the secret is never printed');

    const noEnv = { HOME: home, MODELREG_PROFILE_FILE: file };
    const viaProfile = await modelreg(['sets', 'list', '--json', '--profile', 'work'], noEnv);
    assert.equal(viaProfile.code, 0, viaProfile.stderr);
    assert.equal(JSON.parse(viaProfile.stdout).length, 2);
    const viaEnvName = await modelreg(['sets', 'list', '--json'], { ...noEnv, MODELREG_PROFILE: 'work' });
    assert.equal(viaEnvName.code, 0, viaEnvName.stderr);
    const missing = await modelreg(['sets', 'list', '--profile', 'nope'], noEnv);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /no profile "nope" in /);

    // A JSON profile file works too, and a readable-by-others file draws a warning.
    const jsonFile = path.join(home, 'creds.json');
    fs.writeFileSync(jsonFile, JSON.stringify({ default: { accessKey: server.key.accessKey, secretKey: server.key.secretKey, endpoint: server.url } }), { mode: 0o644 });
    const viaJson = await modelreg(['sets', 'list', '--json'], { HOME: home, MODELREG_PROFILE_FILE: jsonFile });
    assert.equal(viaJson.code, 0, viaJson.stderr);
    assert.match(viaJson.stderr, /can be read by other users; run: chmod 600/);
  });

  test('import refuses bad options before uploading anything (exit 2, the server’s own rule)', async () => {
    const base = ['import', modelDir, '--set', 'tiny-cli', '--bucket', 'cli-bucket', '--path', 'models/tiny', '--buckets-dir', bucketsDir, '--create-bucket'];
    const badVersion = await modelreg([...base, '--transformer-version', '9.9.9'], env);
    assert.equal(badVersion.code, 2, badVersion.stderr);
    // The rule's message, naming the flag (not only the API field).
    assert.match(badVersion.stderr, /--transformer-version \(importMeta\.transformerVersion\) "9\.9\.9" is not supported; supported: 4\.34\.0, 4\.36\.2, 4\.39\.3, 4\.40\.2/);
    const badType = await modelreg([...base, '--format', 'Safetensors', '--application-type', 'chat'], env);
    assert.equal(badType.code, 2);
    assert.match(badType.stderr, /Text-to-Image/);
    const badPath = await modelreg([...base.slice(0, 7), '/abs/path', '--buckets-dir', bucketsDir], env);
    assert.equal(badPath.code, 2);
    assert.match(badPath.stderr, /--path must be relative to the bucket root/);
    const noTarget = await modelreg(base.slice(0, 8), env);
    assert.equal(noTarget.code, 2);
    assert.match(noTarget.stderr, /say where the registry keeps its buckets: --buckets-dir DIR/);
    const noSet = await modelreg(['import', modelDir, '--set', 'no-such-set', '--bucket', 'cli-bucket', '--path', 'p', '--buckets-dir', bucketsDir, '--create-bucket'], env);
    assert.equal(noSet.code, 1);
    assert.match(noSet.stderr, /ModelSetNotFound/);
    assert.equal(fs.existsSync(path.join(bucketsDir, 'cli-bucket')), false, 'nothing was uploaded');
  });

  let v1 = '';
  test('import uploads the directory, creates the version and follows it to Ready (exit 0, --json)', async () => {
    const r = await modelreg(['import', modelDir, '--set', 'tiny-cli', '--bucket', 'cli-bucket', '--path', 'models/tiny', '--buckets-dir', bucketsDir, '--create-bucket', '--description', 'from the CLI', '--timeout', '60', '--json'], env);
    assert.equal(r.code, 0, r.stderr);
    const m = JSON.parse(r.stdout);
    v1 = m.modelId;
    assert.equal(m.status, 'Ready');
    assert.equal(m.modelName, 'V1');
    assert.equal(m.transformerVersion, '4.40.2', 'the newest supported version by default');
    assert.equal(m.description, 'from the CLI');
    assert.equal(m.sourceInfo.importModelVersionBosUrl, 'bos://cli-bucket/models/tiny');
    const uploaded = fs.readdirSync(path.join(bucketsDir, 'cli-bucket', 'models', 'tiny')).sort();
    assert.ok(!uploaded.includes('.cache'), 'hidden entries are skipped');
    assert.deepEqual(m.files.map((f: any) => f.path).sort(), uploaded);
    for (const f of m.files) assert.equal(f.sha256, sha256(path.join(modelDir, f.path)), f.path);
    assert.equal(r.stderr, '', '--json keeps stderr quiet when all goes well');
  });

  test('importing into an occupied path needs --replace; --no-upload imports what is there, with a chat template file', async () => {
    const occupied = await modelreg(['import', modelDir, '--set', 'tiny-cli', '--bucket', 'cli-bucket', '--path', 'models/tiny', '--buckets-dir', bucketsDir], env);
    assert.equal(occupied.code, 2);
    assert.match(occupied.stderr, /bos:\/\/cli-bucket\/models\/tiny already holds \d+ object\(s\); pass --replace/);

    const tpl = path.join(home, 'template.jinja');
    fs.writeFileSync(tpl, "{% for m in messages %}<{{ m.role }}>{{ m.content }}</{{ m.role }}>{% endfor %}{% if add_generation_prompt %}<assistant>{% endif %}");
    const r = await modelreg(['import', modelDir, '--set', 'tiny-cli', '--bucket', 'cli-bucket', '--path', 'models/tiny', '--no-upload', '--chat-template-file', tpl, '--timeout', '60'], env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Version: +tiny-cli \/ V2 \(amv-[0-9a-z]+\)$/m);
    assert.match(r.stdout, /^Status: +Ready$/m);
    assert.match(r.stdout, /^Chat template: +customSpec$/m);
    assert.match(r.stdout, /^FILE +SIZE +SHA256$/m);
    assert.match(r.stdout, new RegExp(`^model\\.safetensors +[\\d.]+ KiB +${sha256(path.join(modelDir, 'model.safetensors'))}$`, 'm'));
    assert.match(r.stderr, /created version amv-[0-9a-z]+ in tiny-cli; importing/);
  });

  test('an import that ends Fail exits 3 with the reason', async () => {
    const r = await modelreg(['import', brokenDir, '--set', 'tiny-cli', '--bucket', 'cli-bucket', '--path', 'models/broken', '--buckets-dir', bucketsDir, '--timeout', '60'], env);
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /^modelreg: tiny-cli V3 \(amv-[0-9a-z]+\) failed: .*model\.safetensors/m);
    assert.match(r.stdout, /^Status: +Fail$/m);
  });

  test('versions list, describe and delete; a deleted version is an API error', async () => {
    const list = await modelreg(['versions', 'list', 'tiny-cli'], env);
    assert.equal(list.code, 0, list.stderr);
    const lines = list.stdout.trimEnd().split('\n');
    assert.match(lines[0]!, /^ID +VERSION +STATUS +SOURCE +CREATED +NOTE$/);
    assert.match(lines[1]!, new RegExp(`^${v1} +V1 +Ready +Import +\\S+ +from the CLI$`));
    assert.match(lines[3]!, /V3 +Fail +Import .*model\.safetensors/);

    const json = await modelreg(['versions', 'list', 'tiny-cli', '--json'], env);
    assert.deepEqual(JSON.parse(json.stdout).map((v: any) => [v.modelName, v.status]), [['V1', 'Ready'], ['V2', 'Ready'], ['V3', 'Fail']]);

    const described = await modelreg(['versions', 'describe', v1, '--json'], env);
    assert.equal(JSON.parse(described.stdout).modelId, v1);
    // SET/VERSION wherever a version id goes: by name or id, V2 or 2, latest; a wrong one says what exists.
    for (const ref of ['tiny-cli/V1', 'tiny-cli/1', `${JSON.parse(described.stdout).modelSetId}/v1`]) {
      const r = await modelreg(['versions', 'describe', ref, '--json'], env);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(JSON.parse(r.stdout).modelId, v1, ref);
    }
    assert.equal(JSON.parse((await modelreg(['versions', 'describe', 'tiny-cli/latest', '--json'], env)).stdout).modelName, 'V3');
    const wrongRef = await modelreg(['versions', 'describe', 'tiny-cli/V9'], env);
    assert.equal(wrongRef.code, 1);
    assert.match(wrongRef.stderr, /ModelNotFound: model set tiny-cli has no version V9 \(versions: V1, V2, V3\)/);

    // sets describe; sets list filtered and sorted by the server.
    const setShown = await modelreg(['sets', 'describe', 'tiny-cli'], env);
    assert.equal(setShown.code, 0, setShown.stderr);
    assert.match(setShown.stdout, /^Versions: +3 \(1 failed\)$/m);
    assert.match(setShown.stdout, /^Labels: +demo, cli$/m);
    assert.match(setShown.stdout, /V3 +Fail +Import/);
    const failedSets = await modelreg(['sets', 'list', '--status', 'fail', '--json'], env);
    assert.deepEqual(JSON.parse(failedSets.stdout).map((x: any) => x.modelSetName), ['tiny-cli']);
    const byName = await modelreg(['sets', 'list', '--sort', 'name', '--limit', '1'], env);
    assert.equal(byName.code, 0, byName.stderr);
    assert.equal(byName.stdout.trimEnd().split('\n').length, 2, 'a header and one set');
    assert.match(byName.stderr, /^1 of \d+ model sets shown \(--limit\)$/m);
    const badSort = await modelreg(['sets', 'list', '--sort', 'size'], env);
    assert.equal(badSort.code, 2);
    assert.match(badSort.stderr, /expected created, modified or name/);
    const human = await modelreg(['versions', 'describe', v1], env);
    assert.match(human.stdout, /^Token limits: +input \d+, output \d+, characters \d+$/m);
    assert.match(human.stdout, /^Architecture: +LlamaForCausalLM \(llama\)$/m);

    const unconfirmed = await modelreg(['versions', 'delete', v1], env);
    assert.equal(unconfirmed.code, 2, 'no terminal to ask and no --yes: nothing is deleted');
    assert.match(unconfirmed.stderr, /pass --yes to confirm/);
    const del = await modelreg(['versions', 'delete', v1, '--yes'], env);
    assert.equal(del.code, 0, del.stderr);
    assert.equal(del.stdout, `deleted version ${v1}\n`);
    const gone = await modelreg(['versions', 'describe', v1], env);
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, /^modelreg: ModelNotFound: /);
  });

  test('sets delete: refused while versions remain (1), done by name once empty (0)', async () => {
    const busy = await modelreg(['sets', 'delete', 'tiny-cli', '--yes'], env);
    assert.equal(busy.code, 1);
    assert.match(busy.stderr, /ModelSetNotEmpty/);
    const versions = JSON.parse((await modelreg(['versions', 'list', 'tiny-cli', '--json'], env)).stdout);
    for (const v of versions) assert.equal((await modelreg(['versions', 'delete', v.modelId, '--json', '-y'], env)).code, 0);
    const del = await modelreg(['sets', 'delete', 'tiny-cli', '--json', '--yes'], env);
    assert.equal(del.code, 0, del.stderr);
    assert.equal(JSON.parse(del.stdout).deleted, true);
  });
});

describe('user CLI polish (issue 15, item 7)', () => {
  let server: TestServer;
  let home: string;
  let env: Record<string, string>;
  let good: string;
  let broken: string;
  before(async () => {
    server = await startServer({ importConcurrency: 0 });
    home = tempDir('modelreg-cli-polish-');
    good = path.join(home, 'good');
    broken = path.join(home, 'broken');
    await writeTinyCausalLM(good);
    await writeTinyCausalLM(broken, { corrupt: { kind: 'truncate', bytes: 100 } });
    env = { HOME: home, MODELREG_PROFILE_FILE: path.join(home, 'credentials'), QIANFAN_CONSOLE_API_BASE_URL: server.url, QIANFAN_ACCESS_KEY: server.key.accessKey, QIANFAN_SECRET_KEY: server.key.secretKey };
  });
  after(async () => {
    await server.close();
    fs.rmSync(home, { recursive: true, force: true });
  });

  test('--version prints the package version', async () => {
    const r = await modelreg(['--version'], env);
    assert.equal(r.code, 0);
    assert.equal(r.stdout.trim(), JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')).version);
  });

  test('global options before the command; errors as one JSON document under --json', async () => {
    assert.equal((await modelreg(['sets', 'create', 'polish-set'], env)).code, 0);
    const before = await modelreg(['--json', 'sets', 'list'], env);
    assert.equal(before.code, 0, before.stderr);
    assert.deepEqual(JSON.parse(before.stdout).map((x: any) => x.modelSetName), ['polish-set']);
    const profiled = await modelreg(['--profile', 'nope', 'sets', 'list'], { ...env, QIANFAN_ACCESS_KEY: '', QIANFAN_SECRET_KEY: '' });
    assert.equal(profiled.code, 2);
    assert.match(profiled.stderr, /--profile nope: /, "--profile before the command is used");
    const apiErr = await modelreg(['--json', 'versions', 'describe', 'amv-nothere00000'], env);
    assert.equal(apiErr.code, 1);
    const doc = JSON.parse(apiErr.stdout);
    assert.equal(doc.error.code, 'ModelNotFound');
    assert.equal(doc.error.exitCode, 1);
    assert.match(doc.error.requestId, /^[0-9a-f-]{36}$/);
    const usage = await modelreg(['sets', 'list', '--sort', 'size', '--json'], env);
    assert.equal(usage.code, 2);
    assert.equal(JSON.parse(usage.stdout).error.code, 'UsageError');
  });

  test('validate DIR: the import’s own checks, locally (0 accepted, 3 would fail)', async () => {
    const ok = await modelreg(['validate', good], env);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /an import would be accepted/);
    assert.match(ok.stdout, /^Architecture: +LlamaForCausalLM \(llama\)$/m);
    const json = JSON.parse((await modelreg(['validate', good, '--json'], env)).stdout);
    assert.equal(json.valid, true);
    assert.ok(json.files.every((f: any) => /^[0-9a-f]{64}$/.test(f.sha256)));
    const bad = await modelreg(['validate', broken], env);
    assert.equal(bad.code, 3);
    assert.match(bad.stderr, /an import would fail: .*model\.safetensors/);
    const vllm = await modelreg(['validate', good, '--format', 'HuggingFace.vLLM', '--vllm-version', '9.9'], env);
    assert.equal(vllm.code, 3);
    assert.match(vllm.stderr, /vLLM/);
    assert.equal((await modelreg(['validate', path.join(home, 'nothing')], env)).code, 2);
  });

  test('import --no-upload needs no DIR; without --no-upload DIR is required', async () => {
    const bucketDir = path.join(server.app.config.bucketsDir, 'pre', 'm');
    await writeTinyCausalLM(bucketDir);
    const r = await modelreg(['import', '--no-upload', '--no-wait', '--set', 'polish-set', '--bucket', 'pre', '--path', 'm', '--json'], env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(JSON.parse(r.stdout).modelId, /^amv-/);
    const noDir = await modelreg(['import', '--set', 'polish-set', '--bucket', 'pre', '--path', 'm'], env);
    assert.equal(noDir.code, 2);
    assert.match(noDir.stderr, /give the model directory to upload/);
  });

  test('sets delete --with-versions deletes the set and its versions (after --yes)', async () => {
    const r = await modelreg(['sets', 'delete', 'polish-set', '--with-versions', '--yes'], env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^deleted model set polish-set \(am-[a-z0-9]+\) and 1 version\(s\)$/m);
  });

  test('profile set verifies the key (a wrong one is not saved); on a terminal it asks for the secret without echo', async () => {
    const file = path.join(home, 'creds-verify');
    const wrong = await modelreg(['profile', 'set', 'bad', '--access-key', server.key.accessKey, '--secret-key-stdin', '--endpoint', server.url], { HOME: home, MODELREG_PROFILE_FILE: file }, 'not-the-secret\n');
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /refused the key: SignatureDoesNotMatch.*not saved/);
    assert.equal(fs.existsSync(file), false);
    const skipped = await modelreg(['profile', 'set', 'offline', '--access-key', 'AK', '--secret-key-stdin', '--endpoint', 'http://127.0.0.1:9', '--no-verify'], { HOME: home, MODELREG_PROFILE_FILE: file }, 'sk\n');
    assert.equal(skipped.code, 0, skipped.stderr);

    // A terminal (script(1) gives the command a pty): the prompt, the typed secret never echoed.
    const cmd = [process.execPath, '--import', 'tsx', MAIN, 'profile', 'set', 'tty', '--access-key', server.key.accessKey, '--endpoint', server.url].map((a) => `'${a}'`).join(' ');
    const tty = await new Promise<Run>((resolve) => {
      const child = spawn('script', ['-qfec', cmd, '/dev/null'], { cwd: REPO, env: { PATH: process.env.PATH ?? '', NODE_NO_WARNINGS: '1', HOME: home, MODELREG_PROFILE_FILE: file }, stdio: ['pipe', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (d) => {
        out += d;
        if (out.includes('secret key for tty: ') && !(child as any).sent) {
          (child as any).sent = true;
          child.stdin.write(server.key.secretKey + '\r');
        }
      });
      child.on('close', (code) => resolve({ code, stdout: out, stderr: '' }));
    });
    assert.equal(tty.code, 0, tty.stdout);
    assert.ok(!tty.stdout.includes(server.key.secretKey), 'the secret is not echoed');
    assert.match(tty.stdout, /verified at/);
    assert.match(fs.readFileSync(file, 'utf8'), new RegExp(`\\[tty\\]\naccess_key = ${server.key.accessKey}\nsecret_key = ${server.key.secretKey}`));
  });
});

describe('user CLI: following a version that stays Creating', () => {
  let server: TestServer;
  let key: Key;
  let dir: string;
  before(async () => {
    server = await startServer();
    key = server.key;
    await server.app.worker.stop(); // no import job ever runs on this server
    dir = tempDir('modelreg-cli-wait-');
    await writeTinyCausalLM(path.join(server.app.config.bucketsDir, 'bkt', 'm'));
  });
  after(async () => {
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('--no-wait returns at once; versions wait --timeout gives up with exit 4', async () => {
    const env = { HOME: dir, QIANFAN_CONSOLE_API_BASE_URL: server.url, QIANFAN_ACCESS_KEY: key.accessKey, QIANFAN_SECRET_KEY: key.secretKey };
    assert.equal((await modelreg(['sets', 'create', 'waiting'], env)).code, 0);
    const created = await modelreg(['import', dir, '--set', 'waiting', '--bucket', 'bkt', '--path', 'm', '--no-upload', '--no-wait', '--json'], env);
    assert.equal(created.code, 0, created.stderr);
    const { modelId } = JSON.parse(created.stdout);
    const waited = await modelreg(['versions', 'wait', modelId, '--timeout', '1.5', '--interval', '0.2'], env);
    assert.equal(waited.code, 4, waited.stderr);
    assert.match(waited.stderr, new RegExp(`still Creating after \\d+s; follow it with: modelreg versions wait ${modelId}`));
    // A queued import says so: in describe, and on the follow line of a terminal.
    const described = await modelreg(['versions', 'describe', modelId], env);
    assert.match(described.stdout, /Progress:\s+queued, next to start/);
    const cmd = [process.execPath, '--import', 'tsx', MAIN, 'versions', 'wait', modelId, '--timeout', '1.5', '--interval', '0.2'].map((a) => `'${a}'`).join(' ');
    const tty = await new Promise<Run>((resolve) => {
      const child = spawn('script', ['-qfec', cmd, '/dev/null'], { cwd: REPO, env: { PATH: process.env.PATH ?? '', NODE_NO_WARNINGS: '1', ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.on('close', (code) => resolve({ code, stdout, stderr: '' }));
      child.stdin.end();
    });
    assert.equal(tty.code, 4, tty.stdout);
    assert.match(tty.stdout, /waiting V1 \(amv-[^)]+\) queued, next to start \d+s/);
  });
});
