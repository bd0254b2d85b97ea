// The web console end to end in a real browser (Debian's chromium driven by playwright-core)
// against a real server: sign in, create a set, import a tiny model placed in the server's
// buckets dir, watch it turn Ready, open its details, switch language, keyboard-only use.
// Screenshots are kept in test-artifacts/console/.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { writeTinyCausalLM } from '../../fixtures/model-builder.js';
import { startServer, type TestServer } from '../../helpers/harness.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = fileURLToPath(new URL('../../../test-artifacts/console/', import.meta.url));
// Without the background-networking flags Chromium tries to reach Google and is slow here.
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const skip = !fs.existsSync(CHROMIUM) && process.env.CI !== 'true' ? `${CHROMIUM} is missing: apt-get install chromium (scripts/setup-ci-machine.sh does) to run the browser tests` : false;
const BUCKET = 'team-models';
const MODEL_PATH = 'llama/tiny-chat';
const SET_NAME = 'tiny-llama';
/** The import job runs in the server process; a tiny model takes a second or two. */
const READY_WITHIN_MS = 30_000;

describe('web console in a real browser', { skip }, () => {
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let modelDir: string;
  const pageErrors: string[] = [];
  const sentRequests: { url: string; headers: Record<string, string>; body: string | null }[] = [];

  const shot = (name: string) => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });

  async function newPage(ctx: BrowserContext): Promise<Page> {
    const p = await ctx.newPage();
    p.on('pageerror', (e) => pageErrors.push(e.message));
    p.on('console', (m) => {
      if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) pageErrors.push(m.text());
    });
    p.on('request', (r) => sentRequests.push({ url: r.url(), headers: r.headers(), body: r.postData() }));
    return p;
  }

  /** Every form control has an accessible name from a <label> or aria-label. */
  async function assertLabelled(p: Page) {
    const unlabelled = await p.evaluate(() =>
      [...document.querySelectorAll('input, select, textarea')]
        .filter((el) => !(el as HTMLInputElement).labels?.length && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby'))
        .map((el) => el.outerHTML.slice(0, 120)),
    );
    assert.deepEqual(unlabelled, []);
  }

  async function signIn(p: Page, key: { accessKey: string; secretKey: string }) {
    await p.getByLabel('Access key (AK)').fill(key.accessKey);
    await p.getByLabel('Secret key (SK)').fill(key.secretKey);
    await p.getByRole('button', { name: 'Sign in' }).click();
  }

  before(async () => {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    server = await startServer();
    modelDir = path.join(server.app.config.bucketsDir, BUCKET, ...MODEL_PATH.split('/'));
    await writeTinyCausalLM(modelDir);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, timeout: 60_000 });
    context = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 900 } });
    page = await newPage(context);
    page.setDefaultTimeout(15_000);
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  test('GET / leads to the sign-in page, labelled, in the browser’s language', async () => {
    await page.goto(server.url + '/');
    assert.equal(new URL(page.url()).pathname, '/console/');
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    await assertLabelled(page);
    await shot('01-sign-in');
  });

  test('a wrong secret key is refused with the server’s message, shown inline', async () => {
    await signIn(page, { accessKey: server.key.accessKey, secretKey: 'not-the-secret' });
    const alert = page.getByRole('alert');
    await alert.waitFor();
    assert.match(await alert.innerText(), /SignatureDoesNotMatch/);
    await shot('02-sign-in-refused');
  });

  test('signing in with the right key shows My models; the secret stays in sessionStorage', async () => {
    await signIn(page, server.key);
    await page.getByRole('heading', { name: 'My models' }).waitFor();
    await page.getByText('No model sets yet').waitFor();
    const storage = await page.evaluate(() => ({ session: JSON.stringify(sessionStorage), local: JSON.stringify(localStorage) }));
    assert.ok(storage.session.includes(server.key.secretKey), 'the secret is kept for this tab');
    assert.ok(!storage.local.includes(server.key.secretKey), 'the secret is never put in localStorage');
    await shot('03-sets-empty');
  });

  test('create a model set: a bad name gets the API’s message next to the field', async () => {
    await page.getByLabel('Name', { exact: true }).fill('1-bad name');
    await page.getByRole('button', { name: 'Create model set' }).click();
    const nameField = page.getByLabel('Name', { exact: true });
    await page.waitForFunction(() => document.querySelector('[aria-invalid="true"]') !== null);
    assert.equal(await nameField.getAttribute('aria-invalid'), 'true');
    const describedBy = (await nameField.getAttribute('aria-describedby')) ?? '';
    const errorText = await page.evaluate((ids) => ids.split(' ').map((id) => document.getElementById(id)?.textContent ?? '').join(' '), describedBy);
    assert.match(errorText, /modelSetName must be 2-50 characters/);
    await shot('04-create-set-invalid');

    await nameField.fill(SET_NAME);
    await page.getByLabel('Labels (optional)').fill('demo, llama');
    await page.getByRole('button', { name: 'Create model set' }).click();
    await page.getByRole('heading', { name: SET_NAME }).waitFor();
    await page.getByText('No versions yet.').waitFor();
    assert.match(page.url(), /#\/sets\/am-/);
    await shot('05-set-empty');
  });

  test('import form: choices limited to the supported lists; the API’s errors shown inline', async () => {
    await page.getByRole('link', { name: 'Create version' }).click();
    await page.getByRole('heading', { name: 'Create version' }).waitFor();
    await assertLabelled(page);
    const versions = await page.getByLabel('Transformers version', { exact: true }).locator('option').allTextContents();
    assert.deepEqual(versions, ['4.34.0', '4.36.2', '4.39.3', '4.40.2']);
    await page.getByLabel('Model format', { exact: true }).selectOption('Safetensors');
    assert.deepEqual(await page.getByLabel('Application type', { exact: true }).locator('option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value)), ['Text-to-Image']);
    assert.equal(await page.getByLabel('Transformers version', { exact: true }).isVisible(), false);
    await page.getByLabel('Model format', { exact: true }).selectOption('HuggingFace.vLLM');
    assert.deepEqual(await page.getByLabel('vLLM version', { exact: true }).locator('option').allTextContents(), ['0.3.2', '0.4.0', '0.6.3']);
    await page.getByLabel('Model format', { exact: true }).selectOption('HuggingFace.Transformers');

    // A platform chat template whose history lacks {answer}: the domain rule's message, by the field.
    await page.getByLabel('Bucket', { exact: true }).fill(BUCKET);
    await page.getByLabel('Path', { exact: true }).fill(MODEL_PATH);
    await page.getByLabel('Platform template (chatConf)').check();
    await page.getByLabel('History template', { exact: true }).fill('User: {question}');
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    const history = page.getByLabel('History template', { exact: true });
    await page.waitForFunction(() => document.querySelector('[aria-invalid="true"]') !== null);
    assert.equal(await history.getAttribute('aria-invalid'), 'true');
    assert.match(await page.getByRole('alert').innerText(), /historyQATemplate must contain both \{question\} and \{answer\}/);
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-path')), 'importMeta.chatConf.historyQATemplate');
    await shot('06-import-invalid');

    // A chat template file is uploaded from the form (CreateModelCustomConf) and fills in its name.
    await page.getByLabel('Uploaded template file (customSpec)').check();
    await page.getByLabel('Upload a chat template file').setInputFiles({ name: 'chatml.jinja', mimeType: 'text/plain', buffer: Buffer.from("{% for m in messages %}<|{{ m.role }}|>{{ m.content }}{% endfor %}") });
    await page.getByText(/chatml\.jinja uploaded as /).waitFor();
    assert.match(await page.getByLabel('File name', { exact: true }).inputValue(), /chatml\.jinja$/);
    assert.equal(await page.getByLabel('Display name', { exact: true }).inputValue(), 'chatml.jinja');
    await page.getByLabel('Upload a chat template file').setInputFiles({ name: 'broken.jinja', mimeType: 'text/plain', buffer: Buffer.from('{% for %}') });
    await page.getByText(/customSpecFile is not a valid Jinja chat template/).waitFor();

    // A bucket that does not exist: the create-time check's message.
    await page.getByLabel('The model’s own (tokenizer_config.json chat_template)').check();
    await page.getByLabel('Bucket', { exact: true }).fill('no-such-bucket');
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await page.getByText(/BucketNotFound/).waitFor();
    assert.equal(await page.getByLabel('Bucket', { exact: true }).getAttribute('aria-invalid'), null, 'errors of the previous submit are cleared');
  });

  let modelId = '';
  test('import a model and watch it turn Ready', async () => {
    await page.getByLabel('Bucket', { exact: true }).fill(BUCKET);
    await page.getByLabel('Automatic prompt concatenation').check();
    await page.getByLabel('Description', { exact: true }).fill('tiny llama for the console test');
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await page.waitForURL(/#\/models\/amv-/);
    modelId = decodeURIComponent(page.url().split('#/models/')[1]!);
    await page.getByRole('heading', { name: `${SET_NAME} / V1` }).waitFor();
    await shot('07-version-just-created');

    const deadline = Date.now() + READY_WITHIN_MS;
    let status = '';
    let sawCreating = false;
    while (Date.now() < deadline) {
      status = (await page.locator('.view-head [data-status]').getAttribute('data-status')) ?? '';
      if (status !== 'Creating') break;
      sawCreating = true;
      await page.waitForTimeout(100);
    }
    if (status === 'Fail') assert.fail(`the import failed: ${await page.locator('.error-box').innerText()}`);
    assert.equal(status, 'Ready', `still ${status} after ${READY_WITHIN_MS} ms`);
    // When the page saw the change happen, the live region told assistive technology about it.
    if (sawCreating) await page.waitForFunction(() => /V1 is now Ready/.test(document.getElementById('announcer')?.textContent ?? ''));
  });

  test('the details show the DescribeModel fields, files with checksums, limits and the chat preview', async () => {
    await page.getByRole('heading', { name: 'Files' }).waitFor();
    const text = await page.locator('main').innerText();
    for (const want of [modelId, 'LlamaForCausalLM', 'Token limits', 'Input tokens', 'bos://team-models/llama/tiny-chat', 'tiny llama for the console test', 'Transformers version', '4.40.2', 'Automatic prompt concatenation']) {
      assert.ok(text.includes(want), `details mention ${want}`);
    }
    for (const file of ['config.json', 'model.safetensors', 'tokenizer_config.json']) {
      const sha = createHash('sha256').update(fs.readFileSync(path.join(modelDir, file))).digest('hex');
      const row = page.locator('table.files tr', { hasText: file }).first();
      assert.equal(await row.locator('.hash').innerText(), sha, `${file} checksum`);
    }
    await page.getByRole('heading', { name: 'Rendered on a sample conversation' }).waitFor();
    assert.match(await page.locator('figure.preview pre').first().innerText(), /What is the capital of France\?/);
    const described = await page.locator('details.raw pre').textContent();
    const fields = Object.keys(JSON.parse(described ?? '{}'));
    // Every field of the result has a row (by its label) or a section; none is dropped.
    for (const f of ['modelId', 'status', 'sourceInfo', 'files', 'tokenLimitations', 'chatTemplatePreview']) assert.ok(fields.includes(f), f);
    await shot('08-version-ready-details');
  });

  test('"Use this model": the pull line, and an export whose download link serves the tar', async () => {
    await page.getByRole('heading', { name: 'Use this model' }).waitFor();
    assert.equal(await page.locator('pre.pull-command').innerText(), `modelreg pull ${SET_NAME}/V1`);
    await page.getByText('No export yet.').waitFor();
    await page.getByRole('button', { name: 'Export as archive' }).click();
    const link = page.locator('.export-status a.download');
    await link.waitFor({ timeout: 30_000 });
    assert.equal(await link.innerText(), `${SET_NAME}-V1.tar`);
    const res = await fetch((await link.getAttribute('href')) as string);
    assert.equal(res.status, 200);
    const bytes = Buffer.from(await res.arrayBuffer());
    const md5 = createHash('md5').update(bytes).digest('hex');
    assert.ok((await page.locator('.export-status').innerText()).includes(md5), 'the panel shows the archive\'s MD5');
    await shot('08b-version-use-this-model');
  });

  test('the set page lists the version as Ready; search finds the set', async () => {
    await page.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('link', { name: SET_NAME }).click();
    const row = page.locator(`tr[data-model-id="${modelId}"]`);
    await row.waitFor();
    assert.equal(await row.locator('[data-status]').getAttribute('data-status'), 'Ready');
    assert.match(await row.innerText(), /V1[\s\S]*Import/);
    await shot('09-set-with-version');

    await page.getByRole('banner').getByRole('link', { name: 'Model sets' }).click();
    await page.getByLabel('Search by name').fill('LLAMA');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('link', { name: SET_NAME }).waitFor();
    await page.getByLabel('Search by name').fill('zzz-nothing');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByText('No model set name contains “zzz-nothing”.').waitFor();
    await page.getByRole('link', { name: 'Clear search' }).click();
    await page.getByRole('link', { name: SET_NAME }).waitFor();
  });

  test('deleting a set that has versions is refused with the API’s message', async () => {
    await page.getByRole('button', { name: `Delete model set ${SET_NAME}` }).click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    await shot('10-confirm-delete');
    await dialog.getByRole('button', { name: 'Delete' }).click();
    await page.getByText(/ModelSetNotEmpty/).waitFor();
  });

  test('the Train form lists tasks or says why not; a wrong task id gets the API’s message', async () => {
    await page.getByRole('link', { name: SET_NAME }).click();
    await page.getByRole('link', { name: 'Create version' }).click();
    await page.getByLabel('Train').check();
    await page.getByLabel('Task', { exact: true }).waitFor();
    await page.waitForFunction(() => !/Loading/.test(document.querySelector('select')?.textContent ?? 'Loading'));
    await assertLabelled(page);
    await page.getByLabel('Or enter a task ID').fill('task-does-not-exist');
    await page.getByRole('button', { name: 'Publish' }).click();
    const alert = page.locator('.form-status [role="alert"]');
    await alert.waitFor();
    assert.match(await alert.innerText(), /task-does-not-exist|not found/i);
    await shot('11-train-form');
  });

  test('switching to Chinese relabels the page and is remembered', async () => {
    await page.goto(`${server.url}/console/#/models/${modelId}`);
    await page.getByRole('heading', { name: `${SET_NAME} / V1` }).waitFor();
    await page.getByRole('button', { name: 'Switch the language to Chinese' }).click();
    await page.getByRole('heading', { name: '文件' }).waitFor();
    assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
    assert.equal(await page.locator('.view-head [data-status]').innerText(), '就绪');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'lang-toggle', 'focus stays on the toggle');
    await shot('12-version-details-zh');
    await page.reload();
    await page.getByRole('heading', { name: '文件' }).waitFor();
    await page.getByRole('link', { name: '模型列表' }).first().click();
    await page.getByRole('heading', { name: '我的模型' }).waitFor();
    await shot('13-sets-zh');
    await page.getByRole('button', { name: '将界面语言切换为英文' }).click();
    await page.getByRole('heading', { name: 'My models' }).waitFor();
  });

  test('keyboard only: skip link, sign in, open a set and a version, cancel a dialog with Escape', async () => {
    const ctx = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 900 } });
    try {
      const p = await newPage(ctx);
      p.setDefaultTimeout(15_000);
      await p.goto(server.url + '/console/');
      await p.getByRole('heading', { name: 'Sign in' }).waitFor();
      // Focus starts in the access key field; Tab moves to the secret key, Enter submits.
      assert.equal(await p.evaluate(() => (document.activeElement as HTMLInputElement).name), 'accessKey');
      await p.keyboard.type(server.key.accessKey);
      await p.keyboard.press('Tab');
      assert.equal(await p.evaluate(() => (document.activeElement as HTMLInputElement).name), 'secretKey');
      await p.keyboard.type(server.key.secretKey);
      await p.keyboard.press('Enter');
      await p.getByRole('heading', { name: 'My models' }).waitFor();
      await p.getByRole('link', { name: SET_NAME }).waitFor();

      // On a fresh load the first Tab reaches the skip link; Enter on it moves focus to the main content.
      await p.reload();
      await p.getByRole('link', { name: SET_NAME }).waitFor();
      await p.keyboard.press('Tab');
      assert.equal(await p.evaluate(() => document.activeElement?.className), 'skip-link');
      await p.keyboard.press('Enter');
      assert.equal(await p.evaluate(() => document.activeElement?.id), 'main');

      // Tab through the page to the set's link and follow it with Enter.
      const focusOn = async (selector: string, max = 40) => {
        for (let i = 0; i < max; i++) {
          await p.keyboard.press('Tab');
          if (await p.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
        }
        assert.fail(`Tab never reached ${selector}`);
      };
      await focusOn(`a[href^="#/sets/am-"]`);
      await p.keyboard.press('Enter');
      await p.getByRole('heading', { name: SET_NAME }).waitFor();
      await p.waitForFunction(() => document.activeElement?.classList.contains('view-title'));
      await focusOn(`a[href^="#/models/"]`);
      await p.keyboard.press('Enter');
      await p.getByRole('heading', { name: `${SET_NAME} / V1` }).waitFor();

      // The delete dialog opens on Enter, starts on Cancel, and Escape closes it without deleting.
      await focusOn('button.danger');
      await p.keyboard.press('Enter');
      await p.getByRole('dialog').waitFor();
      assert.equal(await p.evaluate(() => document.activeElement?.textContent), 'Cancel');
      await p.keyboard.press('Escape');
      await p.getByRole('dialog').waitFor({ state: 'detached' });
      assert.equal(await p.locator('.view-head [data-status]').getAttribute('data-status'), 'Ready');
      await p.screenshot({ path: path.join(ARTIFACTS, '14-keyboard-details.png') });

      // Sign out clears the tab's key.
      await p.getByRole('button', { name: 'Sign out' }).click();
      await p.getByRole('heading', { name: 'Sign in' }).waitFor();
      assert.equal(await p.evaluate(() => sessionStorage.length), 0);
    } finally {
      await ctx.close();
    }
  });

  test('the secret key never left the browser; no script errors happened', () => {
    const api = sentRequests.filter((r) => r.url.includes('/v2/'));
    assert.ok(api.length > 10, 'the console called the API');
    for (const r of api) {
      assert.ok(!JSON.stringify(r).includes(server.key.secretKey), `the secret key appears in a request to ${r.url}`);
      assert.match(r.headers.authorization ?? '', /^bce-auth-v1\//);
    }
    assert.deepEqual(pageErrors, []);
  });
});
