// The error envelope every refused request must carry: exactly {requestId, code, message}.
import assert from 'node:assert/strict';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Why `body` is not a well-formed error envelope, or null when it is one. */
export function envelopeProblem(body: unknown): string | null {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return 'not a JSON object';
  const b = body as Record<string, unknown>;
  const keys = Object.keys(b).sort().join(',');
  if (keys !== 'code,message,requestId') return `keys are ${keys}`;
  if (typeof b.requestId !== 'string' || !UUID.test(b.requestId)) return 'requestId is not a UUID';
  if (typeof b.code !== 'string' || !/^[A-Za-z]+$/.test(b.code)) return 'code is not a word';
  if (typeof b.message !== 'string' || b.message.length === 0) return 'message is empty';
  return null;
}

export function assertEnvelope(got: { status: number; json?: unknown; body?: unknown }, status: number, code?: string, message?: RegExp): void {
  const body = got.json !== undefined ? got.json : got.body;
  const shown = JSON.stringify(body);
  assert.equal(got.status, status, `status: ${shown}`);
  assert.equal(envelopeProblem(body), null, `envelope: ${shown}`);
  const b = body as { code: string; message: string };
  if (code) assert.equal(b.code, code, `code: ${shown}`);
  if (message) assert.match(b.message, message, `message: ${shown}`);
}
