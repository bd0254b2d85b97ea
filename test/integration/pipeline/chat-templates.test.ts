// Where a chat version's template comes from, and the advanced-conf round trip:
//  * chatConf: kept as given;
//  * customSpec: a file uploaded with CreateModelCustomConf (multipart, signed by our signer);
//  * neither, with enablePromptAutoConcat: the tokenizer's own chat_template (rendered as a preview);
//  * DescribeModelSystemAdvancedConf's JSON string goes back in as importMeta.advanceConf and
//    comes out of DescribeModelCustomAdvancedConf unchanged.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { call, startServer, type TestServer } from '../../helpers/harness.js';
import { assertError, createSet, expectFail, transformersImport, vllmImport } from '../../helpers/api.js';
import { CHATML_TEMPLATE, LLAMA2_CHAT_TEMPLATE, writeTinyCausalLM } from '../../fixtures/model-builder.js';
import { bucketPath, FAST, importAndSettle, uploadCustomConf } from './pipeline-helpers.js';

const BUCKET = 'team-models';
const CHAT_CONF = {
  promptTemplate: 'You are a helpful assistant.',
  historyQATemplate: '[Round {round}] Q: {question} A: {answer}',
  latestQuestionTemplate: '[Round {round}] Q: {question} A:',
};

describe('chat templates', () => {
  let server: TestServer;
  let setId: string;
  const body = (meta: Record<string, unknown>) => transformersImport(setId, { bucket: BUCKET, objectPath: 'llama', ...meta });

  before(async () => {
    server = await startServer(FAST);
    setId = (await createSet(server, server.key)).modelSetId;
    await writeTinyCausalLM(bucketPath(server, BUCKET, 'llama'));
  });
  after(() => server.close());

  it('keeps chatConf as given, and does not claim the tokenizer template is used', async () => {
    const d = await importAndSettle(server, server.key, body({ chatConf: CHAT_CONF }));
    assert.equal(d.status, 'Ready', d.failureReason);
    assert.deepEqual(d.chatConf, CHAT_CONF);
    assert.equal(d.chatTemplateSource, 'chatConf');
    assert.equal(d.chatTemplate, undefined);
    assert.equal(d.chatTemplatePreview, undefined);
  });

  it('uses the tokenizer chat_template when enablePromptAutoConcat is on and nothing else is given', async () => {
    const d = await importAndSettle(server, server.key, body({ enablePromptAutoConcat: true }));
    assert.equal(d.status, 'Ready', d.failureReason);
    assert.equal(d.enablePromptAutoConcat, true);
    assert.equal(d.chatTemplateSource, 'tokenizer');
    assert.equal(d.chatTemplate, LLAMA2_CHAT_TEMPLATE);
    // Rendered on a sample conversation with the tokenizer's own special tokens.
    assert.match(d.chatTemplatePreview, /^<s>\[INST\] .+ \[\/INST\] .+ <\/s>\[INST\] .+ \[\/INST\]$/);
  });

  it('records no template when enablePromptAutoConcat is off and none is given', async () => {
    const d = await importAndSettle(server, server.key, body({ enablePromptAutoConcat: false }));
    assert.equal(d.status, 'Ready', d.failureReason);
    assert.equal(d.chatTemplate, undefined);
    assert.equal(d.chatTemplateSource, undefined);
  });

  it('fails enablePromptAutoConcat when the tokenizer chat_template does not render', async () => {
    await writeTinyCausalLM(bucketPath(server, BUCKET, 'broken-template'), { chatTemplate: '{% for m in messages %}{{ m.content }' });
    const d = await importAndSettle(server, server.key, transformersImport(setId, { bucket: BUCKET, objectPath: 'broken-template', enablePromptAutoConcat: true }));
    assert.equal(d.status, 'Fail');
    assert.match(d.failureReason, /chat_template/);
  });

  describe('customSpec through CreateModelCustomConf', () => {
    it('uploads a template file (multipart, signed) and imports with it', async () => {
      const res = await uploadCustomConf(server.url, server.key, CHATML_TEMPLATE, 'chatml.jinja');
      assert.equal(res.status, 200, res.text);
      const fileName = res.body.result;
      assert.equal(typeof fileName, 'string');
      assert.match(fileName, /chatml\.jinja$/);

      const customSpec = { displayName: 'ChatML', fileName };
      const d = await importAndSettle(server, server.key, vllmImport(setId, { bucket: BUCKET, objectPath: 'llama', customSpec }));
      assert.equal(d.status, 'Ready', d.failureReason);
      assert.deepEqual(d.customSpec, customSpec);
      assert.equal(d.chatTemplateSource, 'customSpec');
      assert.equal(d.chatTemplate, CHATML_TEMPLATE);
      // The tokenizer's preview would describe a different template: none is shown.
      assert.equal(d.chatTemplatePreview, undefined);
    });

    it('refuses at create time a fileName this account never uploaded (400)', async () => {
      await expectFail(server, server.key, 'CreateCustomModel', body({ customSpec: { displayName: 'x', fileName: 'abc-never-uploaded.jinja' } }), 400, 'InvalidParameter', /not a file uploaded with CreateModelCustomConf/);
    });

    it("does not let another account use someone's uploaded file", async () => {
      const res = await uploadCustomConf(server.url, server.key, CHATML_TEMPLATE);
      const otherKey = await server.newKey('other-team');
      const otherSet = (await createSet(server, otherKey)).modelSetId;
      await expectFail(server, otherKey, 'CreateCustomModel', transformersImport(otherSet, { bucket: BUCKET, objectPath: 'llama', customSpec: { displayName: 'x', fileName: res.body.result } }), 400, 'InvalidParameter', /not a file uploaded/);
    });

    it('refuses chatConf and customSpec together', async () => {
      const res = await uploadCustomConf(server.url, server.key, CHATML_TEMPLATE);
      await expectFail(server, server.key, 'CreateCustomModel', body({ chatConf: CHAT_CONF, customSpec: { displayName: 'x', fileName: res.body.result } }), 400, 'InvalidParameter', /cannot be used together/);
    });

    it('refuses uploads that are not a usable template, with the envelope', async () => {
      assertError(await uploadCustomConf(server.url, server.key, '{% for m in messages %}{{ m.content }'), 400, 'InvalidParameter', /not a valid Jinja chat template/);
      assertError(await uploadCustomConf(server.url, server.key, ''), 400, 'InvalidParameter', /empty/);
      assertError(await uploadCustomConf(server.url, server.key, Buffer.from([0xff, 0xfe, 0x00])), 400, 'InvalidParameter', /UTF-8/);
      assertError(await uploadCustomConf(server.url, server.key, CHATML_TEMPLATE, 't.jinja', 'otherField'), 400, 'MissingParameter', /customSpecFile/);
    });

    it('refuses a JSON body to CreateModelCustomConf with 415', async () => {
      const { signedFetch } = await import('../../helpers/harness.js');
      const res = await signedFetch(server.url, server.key, { query: 'Action=CreateModelCustomConf', body: JSON.stringify({ customSpecFile: 'x' }) });
      assertError(res, 415, 'UnsupportedMediaType', /multipart\/form-data/);
    });

    it('rejects a multipart upload whose signed content type was altered (the boundary is signed)', async () => {
      const res = await uploadCustomConf(server.url, server.key, CHATML_TEMPLATE);
      assert.equal(res.status, 200);
      const { signedFetch } = await import('../../helpers/harness.js');
      const form = new FormData();
      form.append('customSpecFile', new Blob([CHATML_TEMPLATE]), 'a.jinja');
      const req = new Request('http://localhost/', { method: 'POST', body: form });
      const bytes = Buffer.from(await req.arrayBuffer());
      const tampered = await signedFetch(server.url, server.key, {
        query: 'Action=CreateModelCustomConf',
        body: bytes,
        headers: { 'content-type': req.headers.get('content-type') as string },
        afterSign: (h) => (h['content-type'] = `${h['content-type']}x`),
      });
      assertError(tampered, 400, 'SignatureDoesNotMatch');
    });
  });

  describe('advanced conf round trip', () => {
    for (const [modelFormat, modelApplicationType] of [
      ['HuggingFace.Transformers', 'chat'],
      ['HuggingFace.vLLM', 'completion'],
      ['Safetensors', 'Text-to-Image'],
    ]) {
      it(`DescribeModelSystemAdvancedConf(${modelFormat}, ${modelApplicationType}) is a JSON object string`, async () => {
        const conf = await call(server, server.key, 'DescribeModelSystemAdvancedConf', { modelFormat, modelApplicationType });
        assert.equal(typeof conf, 'string');
        const parsed = JSON.parse(conf);
        assert.equal(typeof parsed, 'object');
        assert.ok(parsed !== null && !Array.isArray(parsed) && Object.keys(parsed).length > 0);
      });
    }

    it('accepts the system conf back as importMeta.advanceConf and returns it from DescribeModelCustomAdvancedConf', async () => {
      const conf = await call(server, server.key, 'DescribeModelSystemAdvancedConf', { modelFormat: 'HuggingFace.Transformers', modelApplicationType: 'chat' });
      const d = await importAndSettle(server, server.key, body({ advanceConf: conf }));
      assert.equal(d.status, 'Ready', d.failureReason);
      assert.equal(await call(server, server.key, 'DescribeModelCustomAdvancedConf', { modelId: d.modelId }), conf);
    });

    it('returns "{}" for a version created without advanceConf', async () => {
      const d = await importAndSettle(server, server.key, body({}));
      assert.equal(await call(server, server.key, 'DescribeModelCustomAdvancedConf', { modelId: d.modelId }), '{}');
    });

    it('refuses a mismatched format and application type', async () => {
      await expectFail(server, server.key, 'DescribeModelSystemAdvancedConf', { modelFormat: 'Safetensors', modelApplicationType: 'chat' }, 400, 'InvalidParameter', /does not go with/);
      await expectFail(server, server.key, 'CreateCustomModel', body({ advanceConf: '[1,2]' }), 400, 'InvalidParameter', /advanceConf must encode a JSON object/);
    });
  });
});
