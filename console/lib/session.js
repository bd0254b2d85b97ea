// The signed-in key. It lives in sessionStorage only: it is gone when the tab closes, it is
// not shared with other tabs, and it is never sent anywhere (the secret key only signs requests
// in this page). Anyone who can run script in this page could read it, hence the strict CSP.
const KEY = 'modelreg.console.credentials';

export function loadSession() {
  try {
    const v = JSON.parse(sessionStorage.getItem(KEY) ?? 'null');
    return v && typeof v.accessKey === 'string' && typeof v.secretKey === 'string' ? v : null;
  } catch {
    return null;
  }
}

export function saveSession(creds) {
  sessionStorage.setItem(KEY, JSON.stringify({ accessKey: creds.accessKey, secretKey: creds.secretKey }));
}

export function clearSession() {
  sessionStorage.removeItem(KEY);
}
