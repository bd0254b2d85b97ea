import { ApiError } from '../../../domain/errors.js';
import { defineAction } from '../action.js';

// multipart/form-data with the template file in the field customSpecFile (as the SDKs send it);
// the result is the fileName that importMeta.customSpec.fileName refers to.
export default defineAction({
  route: '/v2/model',
  name: 'CreateModelCustomConf',
  access: 'write',
  rawBody: true,
  async handle({ principal, services, raw }) {
    const contentType = raw?.contentType ?? '';
    if (!/^multipart\/form-data/i.test(contentType)) {
      throw new ApiError('UnsupportedMediaType', 'CreateModelCustomConf takes multipart/form-data with the file in the field customSpecFile');
    }
    let form: FormData;
    try {
      form = await new Response(new Uint8Array(raw!.body), { headers: { 'content-type': contentType } }).formData();
    } catch {
      throw new ApiError('InvalidParameter', 'the multipart body could not be parsed');
    }
    const file = form.get('customSpecFile');
    if (file === null) throw new ApiError('MissingParameter', 'customSpecFile is required (a multipart file field)');
    const bytes = typeof file === 'string' ? Buffer.from(file, 'utf8') : Buffer.from(await file.arrayBuffer());
    const name = typeof file === 'string' ? null : file.name || null;
    return services.customConfs.upload(principal.accountId, name, bytes);
  },
});
