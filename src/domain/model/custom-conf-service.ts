// Custom chat-template files (CreateModelCustomConf): stored per account, referenced by
// importMeta.customSpec.fileName. A template must be UTF-8 text that parses as Jinja, since
// that is how chat templates are rendered.
import { createHash } from 'node:crypto';
import { runInSandbox, SandboxError } from '../../sandbox/sandbox.js';
import { MAX_TEMPLATE_BYTES } from '../../sandbox/limits.js';
import { ERRORS } from '../errors/catalogue.js';
import { checkQuota, UNLIMITED_QUOTAS, withAccountQuota, type Quotas } from '../quotas.js';
import { randomSuffix } from '../ids.js';
import { nowIso } from '../time.js';
import type { CustomConfsRepo } from '../../store/repos/custom-confs-repo.js';

export const MAX_CUSTOM_CONF_BYTES = MAX_TEMPLATE_BYTES;

export class CustomConfService {
  constructor(
    private readonly repo: Pick<CustomConfsRepo, 'delete' | 'insert' | 'lockAccount' | 'transaction' | 'usage'>,
    private readonly quotas: Quotas = { ...UNLIMITED_QUOTAS, templateMaxBytes: MAX_CUSTOM_CONF_BYTES },
  ) {}

  async upload(accountId: string, originalName: string | null, bytes: Buffer): Promise<string> {
    if (bytes.length === 0) throw ERRORS.FieldInvalid('customSpecFile', 'is empty');
    const maxBytes = this.quotas.templateMaxBytes || MAX_CUSTOM_CONF_BYTES;
    if (bytes.length > maxBytes) {
      throw ERRORS.CustomConfTooLarge(bytes.length, maxBytes);
    }
    const quotaOn = this.quotas.templates > 0 || this.quotas.templateBytes > 0;
    const checkQuotas = async (tx?: Parameters<CustomConfsRepo['usage']>[1]): Promise<void> => {
      const use = await this.repo.usage(accountId, tx);
      checkQuota('custom templates', 'MODELREG_QUOTA_TEMPLATES', use.count, this.quotas.templates);
      checkQuota('custom template bytes', 'MODELREG_QUOTA_TEMPLATE_BYTES', use.bytes, this.quotas.templateBytes, bytes.length, 'bytes');
    };
    // A quick refusal before the sandbox's parse; the exact check is again at the insert, locked.
    if (quotaOn) await checkQuotas();
    const content = decodeUtf8OrFail(bytes);
    try {
      // In the sandbox: the template library's lexer is quadratic on some inputs. The account takes
      // its turn there, so its backlog of templates does not hold up other tenants' checks.
      await runInSandbox('parseTemplate', { template: content }, { account: accountId });
    } catch (err) {
      if (!(err instanceof SandboxError)) throw err;
      const why = err.reason === 'refused' ? err.message.replace(/^is not a valid Jinja template: /, '') : `parsing it ${err.message}`;
      throw ERRORS.CustomConfNotTemplate(why);
    }
    const base = (originalName ?? 'template').replace(/[^A-Za-z0-9_.-]/g, '_').slice(-64) || 'template';
    const fileName = `${randomSuffix(8)}-${base}`;
    await withAccountQuota(this.repo, accountId, quotaOn, async (tx) => {
      if (tx) await checkQuotas(tx);
      await this.repo.insert({
        file_name: fileName,
        account_id: accountId,
        original_name: originalName === null ? null : recordedName(originalName),
        size: bytes.length,
        sha256: createHash('sha256').update(bytes).digest('hex'),
        content,
        created_at: nowIso(),
      }, tx);
    });
    return fileName;
  }

  /**
   * DeleteModelCustomConf. A version already imported keeps the template it was built with; an
   * import still queued that names the file fails with a reason saying it no longer exists.
   */
  async delete(accountId: string, fileName: string): Promise<void> {
    if (!(await this.repo.delete(accountId, fileName))) {
      throw ERRORS.CustomConfNotFound(fileName);
    }
  }
}

export function decodeUtf8OrFail(bytes: Buffer): string {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw ERRORS.FieldInvalid('customSpecFile', 'must be UTF-8 text');
  }
  // Refused like \u0000 in a JSON body (strict-json.ts): PostgreSQL cannot store it in text.
  if (text.includes('\u0000')) throw ERRORS.FieldInvalid('customSpecFile', 'must not contain the NUL character (\\u0000)');
  return text;
}

/**
 * The uploaded file's own name, kept for the record only: the client chose it, so control
 * characters (NUL above all, which PostgreSQL cannot store in text) become "_", and it is cut to
 * 255 characters (whole code points).
 */
const recordedName = (name: string): string => [...name.replace(/\p{Cc}/gu, '_')].slice(0, 255).join('');
