// The console shows the adapter ↔ base link both ways, in a real browser: the adapter's page has a
// "LoRA adapter" section whose base is a link; the base's page lists its adapters as links.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { writeTinyCausalLM, writeTinyLoraAdapter } from '../../fixtures/model-builder.js';
import { createSet, transformersImport } from '../../helpers/api.js';
import { startServer, type TestServer } from '../../helpers/harness.js';
import { bucketPath, FAST, importAndSettle, settle } from '../pipeline/pipeline-helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const skip = !fs.existsSync(CHROMIUM) && process.env.CI !== 'true' ? `${CHROMIUM} is missing: apt-get install chromium to run the browser tests` : false;

describe('console: adapter and base linked both ways', { skip }, () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let base: any;
  let adapter: { modelId: string };
  let adapterSetId: string;
  const pageErrors: string[] = [];

  before(async () => {
    server = await startServer(FAST);
    const baseSet = await createSet(server, server.key, 'tiny-base');
    const adapterSet = await createSet(server, server.key, 'support-bot');
    await writeTinyCausalLM(bucketPath(server, 'models', 'base'));
    await writeTinyLoraAdapter(bucketPath(server, 'models', 'lora'));
    base = await importAndSettle(server, server.key, transformersImport(baseSet.modelSetId, { bucket: 'models', objectPath: 'base' }));
    adapterSetId = adapterSet.modelSetId;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, timeout: 60_000 });
    page = await (await browser.newContext({ locale: 'en-US' })).newPage();
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (e) => pageErrors.push(e.message));
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  test('the adapter page links its base; the base page lists the adapter', async () => {
    await page.goto(`${server.url}/console/`);
    await page.getByLabel('Access key (AK)').fill(server.key.accessKey);
    await page.getByLabel('Secret key (SK)').fill(server.key.secretKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('link', { name: 'tiny-base' }).waitFor();

    // The import form takes the adapter's base version; a bad REF gets the API's message by the field.
    await page.goto(`${server.url}/console/#/sets/${adapterSetId}/new`);
    await page.getByLabel('Bucket', { exact: true }).fill('models');
    await page.getByLabel('Path', { exact: true }).fill('lora');
    const baseField = page.getByLabel('Adapter’s base version', { exact: true });
    await baseField.fill('not a ref');
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await page.locator('.field-error', { hasText: /importMeta\.baseModelId "not a ref" is not a registry reference/ }).waitFor();
    assert.equal(await baseField.getAttribute('aria-invalid'), 'true');
    await baseField.fill('tiny-base/V1');
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await page.waitForURL(/#\/models\/amv-/);
    adapter = { modelId: decodeURIComponent(page.url().split('#/models/')[1]!) };
    assert.equal((await settle(server, server.key, adapter.modelId)).status, 'Ready');

    await page.goto(`${server.url}/console/#/models/${adapter.modelId}`);
    const section = page.getByRole('region', { name: 'LoRA adapter' });
    await section.waitFor();
    const text = await section.innerText();
    for (const want of ['Base model', 'LORA', 'q_proj', 'meta-llama/Llama-tiny']) assert.ok(text.includes(want), `adapter section mentions ${want}: ${text}`);
    await section.getByRole('link', { name: 'tiny-base / V1' }).click();

    const adapters = page.getByRole('region', { name: 'Adapters bound to this version' });
    await adapters.waitFor();
    assert.ok(page.url().endsWith(`#/models/${base.modelId}`), page.url());
    assert.match(await adapters.innerText(), /cannot be deleted while adapters are bound/);
    await adapters.getByRole('link', { name: 'support-bot / V1' }).click();
    await page.getByRole('region', { name: 'LoRA adapter' }).waitFor();
    assert.ok(page.url().endsWith(`#/models/${adapter.modelId}`), page.url());
    assert.deepEqual(pageErrors, []);
  });
});
