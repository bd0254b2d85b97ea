// What the signed-in key may do (DescribeCallerIdentity), asked once per sign-in. The page marks
// controls that change things with data-needs="write"; for a key that may not write, the body
// gets data-readonly and the stylesheet hides them, so a read-only key sees no Create or Delete.
let cached = null;
let cachedFor = null;

export async function loadCaller(api, accessKey) {
  if (cachedFor === accessKey && cached) return cached;
  try {
    cached = await api.model('DescribeCallerIdentity', {});
  } catch {
    cached = null; // an older server: everything stays visible, the API still decides
  }
  cachedFor = accessKey;
  return cached;
}

export function forgetCaller() {
  cached = null;
  cachedFor = null;
}

/** True when the key may write on the model route (create, delete, edit). */
export const canWrite = (caller) => !caller || caller.permissions?.find((p) => p.route === '/v2/model')?.write !== false;

export function applyCaller(caller) {
  if (canWrite(caller)) delete document.body.dataset.readonly;
  else document.body.dataset.readonly = 'true';
}
