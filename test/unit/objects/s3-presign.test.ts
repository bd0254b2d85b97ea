// The S3 store's presigned GETs come from AWS's own presigner (@aws-sdk/s3-request-presigner); what
// modelreg decides is checked here: the lifetime (clamped to S3's 7-day maximum), the download file
// name, and no URL without static credentials. Fetching through one is tested against s3rver in
// test/integration/pipeline/blob-store.test.ts and export.test.ts.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { S3ObjectStore } from '../../../src/objects/s3-store.js';

const creds = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };

it('presigns a path-style GET with the lifetime and file name asked for', async () => {
  const store = new S3ObjectStore({ endpoint: 'http://127.0.0.1:9000', region: 'us-west-2', forcePathStyle: true, ...creds });
  const url = new URL((await store.presignGet('reg-bucket', 'blobs/acct-1/ab/ab cd+ef', { expiresSeconds: 600, fileName: 'model"x.safetensors' })) as string);
  assert.equal(url.origin, 'http://127.0.0.1:9000');
  assert.equal(url.pathname, '/reg-bucket/blobs/acct-1/ab/ab%20cd%2Bef');
  assert.equal(url.searchParams.get('X-Amz-Algorithm'), 'AWS4-HMAC-SHA256');
  assert.equal(url.searchParams.get('X-Amz-Expires'), '600');
  assert.match(url.searchParams.get('X-Amz-Credential') ?? '', /^AKIDEXAMPLE\/\d{8}\/us-west-2\/s3\/aws4_request$/);
  assert.match(url.searchParams.get('X-Amz-Signature') ?? '', /^[0-9a-f]{64}$/);
  assert.equal(url.searchParams.get('response-content-disposition'), 'attachment; filename="model_x.safetensors"');
  const week = new URL((await store.presignGet('reg-bucket', 'k', { expiresSeconds: 30 * 86400, fileName: 'k' })) as string);
  assert.equal(week.searchParams.get('X-Amz-Expires'), '604800');
  await store.close();
});

it('answers null without static credentials (the caller streams instead)', async () => {
  const store = new S3ObjectStore({ endpoint: 'http://127.0.0.1:9000', region: 'us-west-2', forcePathStyle: true });
  assert.equal(await store.presignGet('reg-bucket', 'k', { expiresSeconds: 60 }), null);
  await store.close();
});
