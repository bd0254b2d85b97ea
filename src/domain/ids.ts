// Resource ids in Qianfan's shape: a type prefix and 12 lowercase alphanumerics (am-5sxpz4xn25uw).
import { randomBytes } from 'node:crypto';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

export function randomSuffix(length = 12): string {
  // Rejection sampling keeps the distribution uniform over the 36 symbols.
  let out = '';
  while (out.length < length) {
    for (const b of randomBytes(length * 2)) {
      if (b < 252 && out.length < length) out += ALPHABET[b % 36];
    }
  }
  return out;
}

export const newId = {
  modelSet: () => `am-${randomSuffix()}`,
  modelVersion: () => `amv-${randomSuffix()}`,
  account: () => `acct-${randomSuffix()}`,
  importJob: () => `ij-${randomSuffix()}`,
  exportTask: () => `mexp-${randomSuffix()}`,
  exportJob: () => `ej-${randomSuffix()}`,
  fineTuningJob: () => `job-${randomSuffix()}`,
  fineTuningTask: () => `task-${randomSuffix()}`,
};
