// The console's issue-15 features in a real browser (Debian's chromium via playwright-core)
// against a real server: import progress, lists that scale, a console that knows its key, and
// the 375 px layout. The screenshots of the main pages are written to docs/screenshots/ (the
// tour in docs/console-tour.md): they are generated here, never drawn by hand.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { writeLargeModel, writeTinyCausalLM } from '../../fixtures/model-builder.js';
import { call, startServer, type TestServer } from '../../helpers/harness.js';
import { createSet, transformersImport } from '../../helpers/api.js';
import { startSlowReplica } from '../../helpers/slow-replica.js';
import { settle } from '../pipeline/pipeline-helpers.js';
import { makeBucket } from '../../helpers/api.js';
import { ft, newTask, reportCheckpoint, writeCheckpoint } from '../training/helpers.js';

const makeBroken = (s: TestServer) => makeBucket(s, 'broken', 'model'); // a config.json alone: its import fails
import type { JobWorker } from '../../../src/jobs/worker.js';

const CHROMIUM = '/usr/bin/chromium';
const TOUR = fileURLToPath(new URL('../../../docs/screenshots/', import.meta.url));
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const skip = !fs.existsSync(CHROMIUM) && process.env.CI !== 'true' ? `${CHROMIUM} is missing: apt-get install chromium to run the browser tests` : false;
// The tour is written once (SQLite run) so the two database runs do not both rewrite it.
const WRITE_TOUR = !process.env.MODELREG_TEST_DATABASE;

describe('console: progress, lists, key awareness (issue 15)', { skip }, () => {
  const expectGone = async (modelSetId: string) => {
    const r = await call(s, s.key, 'DescribeCustomModelSets', { nameContains: 'to-delete' });
    assert.equal(r.customModelSetList.some((x: any) => x.modelSetId === modelSetId), false, 'the set is gone');
  };
  let s: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let replica: JobWorker | undefined;
  const pageErrors: string[] = [];

  /** A tour screenshot: viewport only (small PNGs), written on the SQLite run. */
  const tour = async (p: Page, name: string) => {
    if (WRITE_TOUR) await p.screenshot({ path: path.join(TOUR, `${name}.png`) });
  };

  async function newPage(ctx: BrowserContext): Promise<Page> {
    const p = await ctx.newPage();
    p.on('pageerror', (e) => pageErrors.push(e.message));
    p.setDefaultTimeout(15_000);
    return p;
  }

  /** A Chinese-speaking browser (zh-CN) signed in with the test key, on the set list. */
  async function signInInChinese(options: { timezoneId?: string } = {}): Promise<{ ctxZh: BrowserContext; p: Page }> {
    const ctxZh = await browser.newContext({ locale: 'zh-CN', ...options, viewport: { width: 1280, height: 800 } });
    const p = await newPage(ctxZh);
    await p.goto(s.url + '/console/');
    await p.getByLabel('Access Key (AK)').fill(s.key.accessKey);
    await p.getByLabel('Secret Key (SK)').fill(s.key.secretKey);
    await p.locator('form button[type="submit"]').click();
    await p.locator('details.new-set').waitFor();
    return { ctxZh, p };
  }

  async function signIn(p: Page, key: { accessKey: string; secretKey: string }) {
    await p.goto(s.url + '/console/');
    await p.getByLabel('Access key (AK)').fill(key.accessKey);
    await p.getByLabel('Secret key (SK)').fill(key.secretKey);
    await p.getByRole('button', { name: 'Sign in' }).click();
    await p.getByRole('heading', { name: 'My models' }).waitFor();
  }

  before(async () => {
    fs.mkdirSync(TOUR, { recursive: true });
    s = await startServer({ importConcurrency: 0, jobPollMs: 100 });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, timeout: 60_000 });
    context = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 800 } });
    page = await newPage(context);
    await signIn(page, s.key);
  });

  after(async () => {
    await replica?.stop();
    await browser?.close();
    await s?.close();
  });

  test('a queued import says so; a running one shows a progress bar that moves by itself', async () => {
    await writeLargeModel(path.join(s.app.config.bucketsDir, 'progress', 'm'), 16 * 1024 * 1024, { shardBytes: 4 * 1024 * 1024 });
    const set = await createSet(s, s.key, 'progress-demo');
    const { modelId } = await call(s, s.key, 'CreateCustomModel', transformersImport(set.modelSetId, { bucket: 'progress', objectPath: 'm' }));
    await page.goto(`${s.url}/console/#/models/${modelId}`);
    await page.getByRole('heading', { name: 'Import progress' }).waitFor();
    await page.getByText('Queued: this import starts next.').waitFor();
    await tour(page, '04-import-queued');

    replica = startSlowReplica(s, 4 * 1024 * 1024);
    const bar = page.locator('#import-progress progress[max]');
    await bar.waitFor();
    const first = Number(await bar.getAttribute('value'));
    await page.getByText(/Validating and copying the files/).waitFor();
    await page.waitForFunction((v) => Number(document.querySelector('#import-progress progress[max]')?.getAttribute('value')) > v, first);
    assert.match(await page.locator('#import-progress').innerText(), /\d[\d.]* (B|KiB|MiB) of 16\.\d+ MiB \(\d+(\.\d)?%\)/);
    await tour(page, '05-import-progress');
    await page.locator('.view-head [data-status="Ready"]').waitFor({ timeout: 60_000 });
    assert.equal(await page.locator('#import-progress').count(), 0, 'the progress box goes once Ready');
    await replica.stop();
    replica = undefined;
  });

  test('lists: newest first by default, server-side filters, sort and page size in the URL (Back and reload keep them)', async () => {
    const key = await s.newKey(`lists-${Date.now()}`);
    const p = await newPage(context);
    await signIn(p, key);
    for (let i = 1; i <= 12; i++) {
      await call(s, key, 'CreateCustomModelSet', { modelSetName: `set-${String(i).padStart(2, '0')}`, modelType: i % 3 ? 'Text2Text' : 'Text2Image', labels: i % 4 ? [] : ['prod'] });
    }
    makeBroken(s);
    const broken = (await call(s, key, 'DescribeModelSet', { modelSetName: 'set-05' })).modelSetId;
    const { modelId } = await call(s, key, 'CreateCustomModel', transformersImport(broken, { bucket: 'broken', objectPath: 'model' }));
    // This server's own worker is off; a replica does the import (it fails: a config.json alone).
    replica = startSlowReplica(s, 64 * 1024 * 1024);
    await settle(s, key, modelId);
    await replica.stop();
    replica = undefined;

    await p.reload(); // signed in before the sets existed
    const rows = () => p.locator('table.sets tbody tr th a').allTextContents();
    await p.locator('#sets-summary', { hasText: '12 model sets' }).waitFor();
    assert.deepEqual(await rows(), ['set-12', 'set-11', 'set-10', 'set-09', 'set-08', 'set-07', 'set-06', 'set-05', 'set-04', 'set-03'], 'newest first');
    assert.equal(await p.locator('details.new-set').getAttribute('open'), null, 'the new-set form is folded when sets exist');
    assert.match(await p.locator('tr[data-set-id="' + broken + '"]').innerText(), /1 failed/);
    await p.getByText('Page 1 of 2').waitFor();
    await tour(p, '01-model-sets');

    // Page 2, then Back and reload.
    await p.getByRole('button', { name: 'Next' }).click();
    await p.getByText('Page 2 of 2').waitFor();
    assert.deepEqual(await rows(), ['set-02', 'set-01']);
    assert.match(p.url(), /[?&]m=am-/);
    await p.reload();
    await p.getByText('Page 2 of 2').waitFor();
    assert.deepEqual(await rows(), ['set-02', 'set-01']);
    await p.goBack();
    await p.getByText('Page 1 of 2').waitFor();

    // Sort and page size apply at once and go in the URL.
    await p.getByLabel('Order').selectOption('name');
    await p.waitForURL(/sort=name/);
    await p.getByLabel('Per page').selectOption('20');
    await p.waitForURL(/size=20/);
    await p.waitForFunction(() => document.querySelectorAll('table.sets tbody tr').length === 12);
    assert.equal((await rows())[0], 'set-01');

    // Filters run on the server (the request carries them; the page does not download every set).
    const sent: string[] = [];
    p.on('request', (r) => {
      if (r.url().includes('DescribeCustomModelSets')) sent.push(r.postData() ?? '');
    });
    await p.getByLabel('Label', { exact: true }).fill('prod');
    await p.getByLabel('Type', { exact: true }).selectOption('Text2Image');
    await p.getByRole('button', { name: 'Search' }).click();
    await p.locator('#sets-summary', { hasText: '1 model sets found' }).waitFor();
    assert.deepEqual(await rows(), ['set-12']);
    const body = JSON.parse(sent.at(-1)!);
    assert.equal(body.label, 'prod');
    assert.equal(body.modelType, 'Text2Image');
    assert.equal(body.maxKeys, 20);
    await p.getByRole('link', { name: 'Clear search' }).click();
    await p.getByLabel('Only sets with failed versions').check();
    await p.getByRole('button', { name: 'Search' }).click();
    await p.waitForURL(/failed=1/);
    await p.locator('#sets-summary', { hasText: '1 model sets found' }).waitFor();
    assert.deepEqual(await rows(), ['set-05']);
    await p.reload();
    assert.equal(await p.getByLabel('Only sets with failed versions').isChecked(), true, 'the filter survives a reload');
    await p.close();
  });

  test('descriptions (Markdown, rendered safely), labels and version tags are edited in place', async () => {
    const set = await createSet(s, s.key, 'described');
    makeBucket(s, 'meta', 'model');
    const { modelId } = await call(s, s.key, 'CreateCustomModel', transformersImport(set.modelSetId, { bucket: 'meta', objectPath: 'model' }));
    await page.goto(`${s.url}/console/#/sets/${set.modelSetId}`);
    await page.getByText('No description yet.').waitFor();
    await page.locator('#sec-about').getByRole('button', { name: 'Edit' }).click();
    const desc = page.getByLabel('Description (Markdown)');
    assert.equal(await page.evaluate(() => document.activeElement?.tagName), 'TEXTAREA', 'focus goes to the description');
    await desc.fill('# Qwen2 chat\n\nFine-tunes of **Qwen2** for *support*.\n\n- see [the docs](https://example.com/docs)\n- <img src=x onerror=alert(1)> stays text\n- [bad](javascript:alert(1))');
    await page.getByLabel('Labels', { exact: true }).fill('chat, support');
    await page.getByRole('button', { name: 'Save' }).click();
    const md = page.locator('#sec-about .markdown');
    await md.locator('strong', { hasText: 'Qwen2' }).waitFor();
    assert.equal(await md.locator('em').innerText(), 'support');
    assert.equal(await md.locator('a[href="https://example.com/docs"]').getAttribute('rel'), 'noopener noreferrer');
    assert.equal(await md.locator('img').count(), 0, 'HTML is shown as text, not run');
    assert.match(await md.innerText(), /<img src=x onerror=alert\(1\)> stays text/);
    assert.equal(await md.locator('a[href^="javascript"]').count(), 0, 'only http(s) and mailto links');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Edit', 'focus back on Edit after saving');
    const api = await call(s, s.key, 'DescribeModelSet', { modelSetId: set.modelSetId });
    assert.deepEqual(api.labels, ['chat', 'support']);
    await tour(page, '02-model-set');

    await page.goto(`${s.url}/console/#/models/${modelId}`);
    await page.locator('#sec-about').getByRole('button', { name: 'Edit' }).click();
    await page.getByLabel('Tags', { exact: true }).fill('dataset=alpaca-v2\neval:mmlu = 0.61');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.locator('table.tags').waitFor();
    assert.match(await page.locator('table.tags').innerText(), /dataset\s+alpaca-v2[\s\S]*eval:mmlu\s+0\.61/);
    assert.deepEqual((await call(s, s.key, 'DescribeModel', { modelId })).tags, [{ key: 'dataset', value: 'alpaca-v2' }, { key: 'eval:mmlu', value: '0.61' }]);
    // A bad key: the API's message by the Tags field, naming the field by its label (not the API path).
    await page.locator('#sec-about').getByRole('button', { name: 'Edit' }).click();
    await page.getByLabel('Tags', { exact: true }).fill('bad key!=x');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('alert').filter({ hasText: /“Tags”: key "bad key!" must be/ }).waitFor();
    assert.match(await page.getByRole('alert').filter({ hasText: /“Tags”/ }).innerText(), /Check “Tags”: its value is not accepted\./);
    assert.equal(await page.getByLabel('Tags', { exact: true }).getAttribute('aria-invalid'), 'true');
    await page.getByRole('button', { name: 'Cancel' }).click();
    await call(s, s.key, 'DeleteModel', { modelId });
  });

  test('a read-only key sees no Create, Delete or Edit; the header says so', async () => {
    // A read-only key of the same account as s.key: it sees the sets created above.
    const account = (await call(s, s.key, 'DescribeCallerIdentity', {})).accountName;
    const reader = await s.newKey(account, ['QianfanReadAccessPolicy']);
    const ctx2 = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 800 } });
    const p = await newPage(ctx2);
    await signIn(p, reader);
    await p.locator('#caller .badge.readonly', { hasText: 'Read-only key' }).waitFor();
    await p.locator('table.sets tbody tr').first().waitFor();
    const visible = async (sel: string) => (await p.locator(sel).evaluateAll((els) => els.filter((e) => (e as HTMLElement).offsetParent !== null).length));
    assert.equal(await visible('details.new-set'), 0, 'no new-set form');
    assert.equal(await visible('button.danger'), 0, 'no delete buttons');
    await tour(p, '07-read-only-key');
    const set = await call(s, s.key, 'DescribeModelSet', { modelSetName: 'described' });
    await p.goto(`${s.url}/console/#/sets/${set.modelSetId}`);
    await p.getByRole('heading', { name: 'described' }).waitFor();
    assert.equal(await visible('a.button-link.primary'), 0, 'no Create version');
    assert.equal(await visible('#delete-set'), 0, 'no Delete model set');
    assert.equal(await visible('#sec-about button'), 0, 'no Edit');
    await ctx2.close();
  });

  test('deleting a non-empty set explains what to do; the set page deletes it with all its versions behind a typed confirmation', async () => {
    const set = await createSet(s, s.key, 'to-delete');
    makeBucket(s, 'meta', 'model');
    for (let i = 0; i < 2; i++) await call(s, s.key, 'CreateCustomModel', transformersImport(set.modelSetId, { bucket: 'meta', objectPath: 'model' }));
    await page.goto(`${s.url}/console/#/sets?q=to-delete`);
    await page.getByRole('button', { name: 'Delete model set to-delete' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
    const help = page.getByRole('alert').filter({ hasText: 'still has versions' });
    await help.waitFor();
    await help.getByRole('link', { name: 'Go to this model set' }).click();
    await page.getByRole('heading', { name: 'to-delete' }).waitFor();
    await page.getByRole('button', { name: 'Delete model set…' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('This deletes the model set and its 2 version(s)').waitFor();
    const go = dialog.getByRole('button', { name: 'Delete set and versions' });
    assert.equal(await go.isDisabled(), true);
    await dialog.getByLabel('Type the model set’s name to confirm').fill('to-delet');
    assert.equal(await go.isDisabled(), true, 'only the exact name');
    await dialog.getByLabel('Type the model set’s name to confirm').fill('to-delete');
    await tour(page, '06-delete-set-confirm');
    await go.click();
    await page.waitForURL(/#\/sets$/);
    await expectGone(set.modelSetId);
  });

  test('375 px: nothing breaks mid-word, tables scroll inside their box, the page does not scroll sideways', async () => {
    const ctx3 = await browser.newContext({ locale: 'en-US', viewport: { width: 375, height: 740 }, deviceScaleFactor: 1 });
    const p = await newPage(ctx3);
    await signIn(p, s.key);
    await p.locator('table.sets tbody tr').first().waitFor();
    const overflow = () => p.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok((await overflow()) <= 0, `the sets page scrolls sideways by ${await overflow()} px`);
    await tour(p, '08-mobile-sets');
    const set = await call(s, s.key, 'DescribeModelSet', { modelSetName: 'progress-demo' });
    await p.goto(`${s.url}/console/#/models/${set.modelVersionList[0].modelId}`);
    await p.getByRole('heading', { name: 'Files' }).waitFor();
    assert.ok((await overflow()) <= 0, `the version page scrolls sideways by ${await overflow()} px`);
    // Headings and buttons wrap between words, never inside one.
    const broken = await p.evaluate(() => [...document.querySelectorAll('h1, h2, button, th')].filter((el) => getComputedStyle(el).wordBreak === 'break-all').length);
    assert.equal(broken, 0);
    await tour(p, '09-mobile-version');
    await ctx3.close();
  });

  test('compare two versions side by side: facts, and files identical, changed, added or removed by sha256', async () => {
    const root = path.join(s.app.config.bucketsDir, 'cmp');
    await writeTinyCausalLM(path.join(root, 'a'));
    fs.cpSync(path.join(root, 'a'), path.join(root, 'b'), { recursive: true });
    fs.writeFileSync(path.join(root, 'a', 'NOTES.md'), 'first');
    fs.writeFileSync(path.join(root, 'b', 'NOTES.md'), 'second');
    fs.writeFileSync(path.join(root, 'a', 'OLD.md'), 'gone in b');
    fs.writeFileSync(path.join(root, 'b', 'NEW.md'), 'only in b');
    const set = await createSet(s, s.key, 'compared');
    const a = (await call(s, s.key, 'CreateCustomModel', transformersImport(set.modelSetId, { bucket: 'cmp', objectPath: 'a' }))).modelId;
    const b = (await call(s, s.key, 'CreateCustomModel', transformersImport(set.modelSetId, { bucket: 'cmp', objectPath: 'b', transformerVersion: '4.39.3' }))).modelId;
    replica = startSlowReplica(s, 256 * 1024 * 1024);
    assert.equal((await settle(s, s.key, a)).status, 'Ready');
    assert.equal((await settle(s, s.key, b)).status, 'Ready');
    await replica.stop();
    replica = undefined;

    await page.goto(`${s.url}/console/#/sets/${set.modelSetId}`);
    await page.getByRole('link', { name: 'Compare versions' }).click();
    await page.getByRole('heading', { name: 'Compare versions of compared' }).waitFor();
    await page.locator('#cmp-summary').waitFor();
    const state = (p: string) => page.locator(`tr[data-path="${p}"]`).getAttribute('data-state');
    assert.equal(await state('NOTES.md'), 'changed');
    assert.equal(await state('OLD.md'), 'removed');
    assert.equal(await state('NEW.md'), 'added');
    assert.equal(await state('config.json'), 'identical');
    assert.match(await page.locator('#cmp-summary').innerText(), /\d+ identical · 1 changed · 1 added · 1 removed/);
    assert.equal(await page.locator('tr[data-field="transformerVersion"]').getAttribute('class'), 'differs');
    assert.equal(await page.locator('tr[data-field="architecture"]').getAttribute('class'), 'same');
    assert.match(page.url(), /compare$/);
    // The choice goes in the URL: swap the sides and reload.
    await page.getByLabel('Version', { exact: true }).selectOption(b);
    await page.waitForURL(new RegExp(`a=${b}`));
    await page.getByLabel('with version').selectOption(a);
    await page.waitForURL(new RegExp(`b=${a}`));
    await page.reload();
    await page.locator('#cmp-summary').waitFor();
    assert.equal(await state('NEW.md'), 'removed', 'b → a: what b added, a lacks');
    await tour(page, '03-compare-versions');
  });

  test('the set page has a refresh control that shows versions added elsewhere', async () => {
    const set = await call(s, s.key, 'DescribeModelSet', { modelSetName: 'compared' });
    await page.goto(`${s.url}/console/#/sets/${set.modelSetId}`);
    await page.locator('tr[data-model-id]').first().waitFor();
    const before = await page.locator('tr[data-model-id]').count();
    makeBucket(s, 'meta', 'model');
    await call(s, s.key, 'CreateCustomModel', transformersImport(set.modelSetId, { bucket: 'meta', objectPath: 'model' }));
    await page.getByRole('button', { name: 'Refresh' }).click();
    await page.waitForFunction((n) => document.querySelectorAll('tr[data-model-id]').length === n + 1, before);
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'refresh-set', 'focus stays on Refresh');
  });

  test('lineage: a Train version links to its fine-tuning task, whose page links back to the versions published from it', async () => {
    await writeCheckpoint(s, 'train', 'ui/checkpoint-10');
    const { taskId } = await newTask(s, s.key);
    await reportCheckpoint(s, s.key, taskId, 10, 'train', 'ui/checkpoint-10', { trainingLoss: 1.25, perplexity: 3.5 });
    await ft(s, s.key, 'UpdateFineTuningTaskStatus', { taskId, runStatus: 'Done', metrics: { loss: 1.25 } });
    const set = await createSet(s, s.key, 'from-training');
    const { modelId } = await call(s, s.key, 'CreateCustomModel', { modelSetId: set.modelSetId, sourceType: 'Train', trainMeta: { taskId } });
    await page.goto(`${s.url}/console/#/models/${modelId}`);
    await page.locator('a.task-link').click();
    await page.getByRole('heading', { name: `Fine-tuning task ${taskId}` }).waitFor();
    const text = await page.locator('main').innerText();
    assert.match(text, /Checkpoints[\s\S]*10\s+1\.25\s+3\.5\s+bos:\/\/train\/ui\/checkpoint-10/);
    assert.match(text, /"loss": 1\.25/);
    await tour(page, '10-fine-tuning-task');
    await page.locator(`li[data-model-id="${modelId}"] a`).click();
    await page.getByRole('heading', { name: 'from-training / V1' }).waitFor();
    await call(s, s.key, 'DeleteModel', { modelId });
  });

  test('errors speak the user’s language: a known code is explained in Chinese above the server’s message', async () => {
    const { ctxZh, p } = await signInInChinese();
    await p.locator('details.new-set summary').click();
    await p.locator('input[name="modelSetName"]').fill('described');
    await p.locator('.new-set-form button[type="submit"]').click();
    const box = p.locator('.error-box');
    await box.waitFor();
    assert.match(await box.locator('.error-explained').innerText(), /本账号已有同名模型/);
    assert.match(await box.innerText(), /ModelSetNameAlreadyExists: a model set named "described" already exists/);
    await ctxZh.close();
  });

  test('a failed version speaks Chinese (failureCode) with the server’s sentence under Details; enum values are translated; the switch goes back to English', async () => {
    await writeTinyCausalLM(path.join(s.app.config.bucketsDir, 'codes', 'odd'), { architecture: 'NoSuchForCausalLM' });
    const set = await createSet(s, s.key, 'speaks-chinese');
    const body = transformersImport(set.modelSetId, { bucket: 'codes', objectPath: 'odd', modelFormat: 'HuggingFace.vLLM', transformerVersion: undefined, vLLMVersion: '0.6.3' });
    const { modelId } = await call(s, s.key, 'CreateCustomModel', body);
    replica = startSlowReplica(s, 256 * 1024 * 1024);
    assert.equal((await settle(s, s.key, modelId)).failureCode, 'UnsupportedArchitecture');
    await replica.stop();
    replica = undefined;
    const { ctxZh, p } = await signInInChinese({ timezoneId: 'Asia/Shanghai' });
    await p.goto(`${s.url}/console/#/models/${modelId}`);
    const reason = p.locator('.error-box [data-failure-code="UnsupportedArchitecture"]');
    await reason.waitFor();
    assert.equal(await reason.locator('.failure-text').innerText(), 'vLLM 0.6.3 不支持模型架构 NoSuchForCausalLM。');
    assert.equal(await reason.locator('.failure-text').getAttribute('lang'), 'zh-CN');
    await tour(p, '11-failure-in-chinese');
    await reason.locator('summary').click();
    assert.match(await reason.locator('.failure-original').innerText(), /Model architectures \['NoSuchForCausalLM'\] are not supported by vLLM 0\.6\.3/);
    // Enum values in Chinese, the wire value kept in the title.
    const source = p.locator('dd [data-value="Import"]');
    assert.equal(await source.innerText(), '导入');
    assert.equal(await p.locator('dd [data-value="chat"]').first().innerText(), '对话');
    // Times say their timezone (the browser's).
    assert.match(await p.locator('dd time').first().innerText(), /GMT\+8/);
    // The set page: the reason in Chinese in the versions table, the creation source translated.
    await p.goto(`${s.url}/console/#/sets/${set.modelSetId}`);
    await p.locator('td [data-failure-code="UnsupportedArchitecture"]').waitFor();
    assert.match(await p.locator('td [data-failure-code] .failure-text').innerText(), /不支持模型架构 NoSuchForCausalLM/);
    assert.match(await p.locator('dl.props').first().innerText(), /用户创建/);
    // The language switch: the same reason in English.
    await p.locator('#lang-toggle').click();
    await p.locator('td [data-failure-code] .failure-text', { hasText: 'The architecture NoSuchForCausalLM is not supported by vLLM 0.6.3.' }).waitFor();
    assert.match(await p.locator('dl.props').first().innerText(), /Created by a user/);
    await ctxZh.close();
  });

  test('a field error names the form field by its label, in the user’s language, not the API path', async () => {
    const { ctxZh, p } = await signInInChinese();
    await p.locator('details.new-set summary').click();
    await p.locator('input[name="modelSetName"]').fill('9-starts-with-a-digit');
    await p.locator('.new-set-form button[type="submit"]').click();
    const box = p.locator('.new-set-form .error-box');
    await box.waitFor();
    assert.equal(await box.locator('.field-explained').innerText(), '请检查“模型名称”:该值不被接受。');
    const text = await box.innerText();
    assert.match(text, /InvalidParameter: “模型名称” must be 2-50 characters/);
    assert.doesNotMatch(text, /modelSetName/);
    const input = p.locator('input[name="modelSetName"]');
    assert.equal(await input.getAttribute('aria-invalid'), 'true');
    assert.equal(await p.evaluate(() => document.activeElement?.getAttribute('name')), 'modelSetName', 'focus goes to the field');
    const under = p.locator('.new-set-form .field-error:not([hidden])');
    assert.match(await under.innerText(), /^“模型名称” must be 2-50 characters/);
    await ctxZh.close();
  });

  test('the import form defaults the Transformers version from config.json and warns when the choice differs', async () => {
    await writeTinyCausalLM(path.join(s.app.config.bucketsDir, 'tfv', 'm'), { transformersVersion: '4.38.2' });
    const set = await createSet(s, s.key, 'tfv-default');
    await page.goto(`${s.url}/console/#/sets/${set.modelSetId}/new`);
    const bucket = page.getByLabel('Bucket', { exact: true });
    await bucket.waitFor();
    await bucket.fill('tfv');
    await page.getByLabel('Path', { exact: true }).fill('m');
    await page.getByLabel('Path', { exact: true }).press('Tab');
    const note = page.locator('#tfv-note');
    await note.getByText('config.json says the model was saved by Transformers 4.38.2; 4.39.3 is the oldest supported version that loads it.').waitFor();
    const select = page.locator('select[data-path="importMeta.transformerVersion"]');
    assert.equal(await select.inputValue(), '4.39.3');
    assert.equal(await note.evaluate((el) => el.classList.contains('warn-box')), false);
    await select.selectOption('4.36.2');
    await note.getByText('Transformers 4.36.2 is older than 4.38.2, which saved this model: the import will fail. Choose 4.39.3 or later.').waitFor();
    assert.equal(await note.evaluate((el) => el.classList.contains('warn-box')), true);
    await tour(page, '12-transformers-version-warning');
    await select.selectOption('4.40.2');
    await note.getByText(/Transformers 4\.40\.2 differs from 4\.39\.3/).waitFor();
    // A path changed later keeps the user's choice, and the note follows the new config.json.
    await writeTinyCausalLM(path.join(s.app.config.bucketsDir, 'tfv', 'm2'), { transformersVersion: '4.40.0' });
    await page.getByLabel('Path', { exact: true }).fill('m2');
    await page.getByLabel('Path', { exact: true }).press('Tab');
    await note.getByText('config.json says the model was saved by Transformers 4.40.0; 4.40.2 is the oldest supported version that loads it.').waitFor();
    assert.equal(await select.inputValue(), '4.40.2');
  });

  test('no errors in the page', () => {
    assert.deepEqual(pageErrors, []);
  });
});
