// The S3 store's presigned GET URLs are what AWS's own SigV4 signer produces for the same request
// (s3rver, the test S3 server, does not verify V4 signatures, so this is checked here).
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { it } from 'node:test';
import { SignatureV4 } from '@smithy/signature-v4';
import { S3ObjectStore } from '../../src/objects/s3-store.js';

class Sha256 {
  private readonly h;
  constructor(secret?: string | Uint8Array) {
    this.h = secret ? createHmac('sha256', secret) : createHash('sha256');
  }
  update(data: string | Uint8Array) {
    this.h.update(data);
  }
  async digest() {
    return new Uint8Array(this.h.digest());
  }
}

it('signs a presigned GET exactly as AWS SigV4 does', async () => {
  const creds = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
  const store = new S3ObjectStore({ endpoint: 'http://127.0.0.1:9000', region: 'us-west-2', forcePathStyle: true, ...creds });
  const url = new URL((await store.presignGet('reg-bucket', 'blobs/acct-1/ab/ab cd+ef', { expiresSeconds: 600, fileName: 'model.safetensors' })) as string);
  const date = url.searchParams.get('X-Amz-Date') as string;
  const signingDate = new Date(`${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}T${date.slice(9, 11)}:${date.slice(11, 13)}:${date.slice(13, 15)}Z`);
  const signer = new SignatureV4({ credentials: creds, region: 'us-west-2', service: 's3', sha256: Sha256 as any, uriEscapePath: false, applyChecksum: false });
  const signed = await signer.presign(
    {
      method: 'GET',
      protocol: 'http:',
      hostname: '127.0.0.1',
      port: 9000,
      path: '/reg-bucket/blobs/acct-1/ab/ab%20cd%2Bef',
      // What AWS's S3 presigner does: the payload is not signed.
      headers: { host: '127.0.0.1:9000', 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
      query: { 'response-content-disposition': 'attachment; filename="model.safetensors"' },
    } as any,
    { signingDate, expiresIn: 600, unsignableHeaders: new Set(['x-amz-content-sha256']), unhoistableHeaders: new Set(['x-amz-content-sha256']) },
  );
  assert.equal(url.searchParams.get('X-Amz-Signature'), (signed.query as Record<string, string>)['X-Amz-Signature']);
  assert.equal(url.pathname, '/reg-bucket/blobs/acct-1/ab/ab%20cd%2Bef');
  await store.close();
});
