// Custom chat-template files (CreateModelCustomConf): stored per account, referenced by
// importMeta.customSpec.fileName. A template must be UTF-8 text that parses as Jinja, since
// that is how chat templates are rendered.
import { createHash } from 'node:crypto';
import { runInSandbox, SandboxError } from '../../sandbox/sandbox.js';
import { MAX_TEMPLATE_BYTES } from '../../sandbox/limits.js';
import { ApiError } from '../errors.js';
import { randomSuffix } from '../ids.js';
import { nowIso } from '../time.js';
import type { CustomConfsRepo } from '../../store/repos/custom-confs-repo.js';

export const MAX_CUSTOM_CONF_BYTES = MAX_TEMPLATE_BYTES;

export class CustomConfService {
  constructor(private readonly repo: CustomConfsRepo) {}

  async upload(accountId: string, originalName: string | null, bytes: Buffer): Promise<string> {
    if (bytes.length === 0) throw new ApiError('InvalidParameter', 'customSpecFile is empty');
    if (bytes.length > MAX_CUSTOM_CONF_BYTES) {
      throw new ApiError('InvalidParameter', `customSpecFile is ${bytes.length} bytes; the limit is ${MAX_CUSTOM_CONF_BYTES}`);
    }
    const content = decodeUtf8OrFail(bytes);
    try {
      // In the sandbox: the template library's lexer is quadratic on some inputs.
      await runInSandbox('parseTemplate', { template: content });
    } catch (err) {
      if (!(err instanceof SandboxError)) throw err;
      const why = err.reason === 'refused' ? err.message.replace(/^is not a valid Jinja template: /, '') : `parsing it ${err.message}`;
      throw new ApiError('InvalidParameter', `customSpecFile is not a valid Jinja chat template: ${why}`);
    }
    const base = (originalName ?? 'template').replace(/[^A-Za-z0-9_.-]/g, '_').slice(-64) || 'template';
    const fileName = `${randomSuffix(8)}-${base}`;
    await this.repo.insert({
      file_name: fileName,
      account_id: accountId,
      original_name: originalName,
      size: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      content,
      created_at: nowIso(),
    });
    return fileName;
  }
}

export function decodeUtf8OrFail(bytes: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new ApiError('InvalidParameter', 'customSpecFile must be UTF-8 text');
  }
}
