// Settings that leave the registry open in ways an operator should decide on knowingly: logged
// as warnings when the server starts (SECURITY.md, "Smaller items", says why these stay open).
import type { Config } from './config.js';

export interface StartupWarning {
  setting: string;
  message: string;
}

export function startupWarnings(config: Config): StartupWarning[] {
  const out: StartupWarning[] = [];
  if (Object.keys(config.bucketGrants).length === 0) {
    out.push({
      setting: 'MODELREG_BUCKET_GRANTS',
      message:
        'SECURITY: MODELREG_BUCKET_GRANTS is not set, so EVERY account may import from EVERY bucket of the object store; set it (bucket=account1,account2;other=*) on any registry shared by more than one tenant',
    });
  }
  if (config.publicHosts.trim() === '' && config.host !== '127.0.0.1' && config.host !== 'localhost' && config.host !== '::1') {
    out.push({ setting: 'MODELREG_PUBLIC_HOSTS', message: 'SECURITY: MODELREG_PUBLIC_HOSTS is not set: requests naming any Host are served; set it to the registry’s public name(s)' });
  }
  return out;
}
