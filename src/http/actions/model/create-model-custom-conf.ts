import { ERRORS } from '../../../domain/errors/catalogue.js';
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
      throw ERRORS.MultipartRequired('CreateModelCustomConf', 'customSpecFile');
    }
    let form: FormData;
    try {
      form = await new Response(new Uint8Array(raw!.body), { headers: { 'content-type': contentType } }).formData();
    } catch {
      throw ERRORS.MultipartUnreadable();
    }
    const file = form.get('customSpecFile');
    if (file === null) throw ERRORS.MultipartFileRequired('customSpecFile');
    const bytes = typeof file === 'string' ? Buffer.from(file, 'utf8') : Buffer.from(await file.arrayBuffer());
    const name = typeof file === 'string' ? null : file.name || null;
    return services.customConfs.upload(principal.accountId, name, bytes);
  },
});
