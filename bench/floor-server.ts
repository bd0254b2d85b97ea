// The floor: the least a server can do to answer modelreg's three benchmarked actions honestly,
// written plainly, as the reference bench/http-describe-model.ts measures modelreg against
// (issue 14). Per request: node:http, the BCE v1 signature check (parse the Authorization header,
// the time window, two HMAC-SHA256, a constant-time compare), the key's row read with a prepared
// better-sqlite3 statement (its status checked), the action's reads or write with prepared
// statements (for DescribeModel: the version with its set, its aliases and its tags; for the
// listing: the page, its versions and the account's counter row of sets, as modelreg answers them),
// and the JSON answer. No framework, no logging, no rate limit, no policies, no body validation.
// It reads and writes modelreg's own database file (WAL), so the rows are the same.
//   FLOOR_DB=<sqlite file> FLOOR_MASTER_KEY=<base64> FLOOR_PORT=<port> node --import tsx bench/floor-server.ts
//   FLOOR_FRAMEWORK=fastify: the same work inside Fastify (BENCH_FASTIFY_FLOOR=1 in the bench).
import { createDecipheriv, createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import SQLite from 'better-sqlite3';

const db = new SQLite(process.env.FLOOR_DB!);
db.pragma('journal_mode = WAL');
db.pragma('busy_timeout = 5000');
const masterKey = Buffer.from(process.env.FLOOR_MASTER_KEY!, 'base64');

const keyRow = db.prepare('select access_key, account_id, secret_enc, policies, status from access_keys where access_key = ?');
const versionRow = db.prepare('select v.*, s.name as set_name from model_versions v join model_sets s on s.id = v.model_set_id where v.account_id = ? and v.id = ?');
const aliasesOf = db.prepare('select alias from model_set_aliases where model_id = ? order by alias').pluck();
const tagsOf = db.prepare('select tag_key, tag_value from model_version_tags where model_id = ? order by tag_key');
// modelreg's own counter row (migration 0015); 0 when the account has none yet.
const setsCount = db.prepare('select coalesce((select n from model_set_counts where account_id = ?), 0)').pluck();
const setsPage = db.prepare('select * from model_sets where account_id = ? order by created_at, id limit ?');
const versionsOfSets = db.prepare(
  "select id, name, model_set_id, status, source_type, description, failure_reason, created_at, modified_at from model_versions where model_set_id in (select value from json_each(?)) order by model_set_id, version_no",
);
const insertSet = db.prepare(
  "insert into model_sets (id, account_id, name, model_type, labels, source, next_version, created_at, modified_at) values (?, ?, ?, ?, '[]', 'UserCreate', 1, ?, ?)",
);

// Decrypted secrets by ciphertext (decrypting per request would be work modelreg does not do either).
const secrets = new Map<string, string>();
function openSecret(sealed: string): string {
  let s = secrets.get(sealed);
  if (s === undefined) {
    const [, iv, tag, ct] = sealed.split('.');
    const d = createDecipheriv('aes-256-gcm', masterKey, Buffer.from(iv!, 'base64'));
    d.setAuthTag(Buffer.from(tag!, 'base64'));
    s = Buffer.concat([d.update(Buffer.from(ct!, 'base64')), d.final()]).toString('utf8');
    secrets.set(sealed, s);
  }
  return s;
}

const enc = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());

/** The account id of a correctly signed, current request by an enabled key; null otherwise. */
function authenticate(req: http.IncomingMessage): string | null {
  const parts = (req.headers.authorization ?? '').split('/');
  if (parts.length !== 6 || parts[0] !== 'bce-auth-v1') return null;
  const [, ak, ts, exp, signed, sig] = parts as [string, string, string, string, string, string];
  const at = Date.parse(ts);
  if (!(at <= Date.now() + 300_000 && Date.now() <= at + Number(exp) * 1000)) return null;
  const row = keyRow.get(ak) as { account_id: string; secret_enc: string; status: string } | undefined;
  if (!row || row.status !== 'enabled') return null;
  const url = req.url!;
  const q = url.indexOf('?');
  const query = q < 0 ? '' : url.slice(q + 1).split('&').map((p) => { const [k, v = ''] = p.split('='); return `${enc(decodeURIComponent(k!))}=${enc(decodeURIComponent(v))}`; }).sort().join('&');
  const names = signed.split(';');
  const headers = names.map((n) => `${enc(n)}:${enc(String(req.headers[n] ?? '').trim())}`).sort().join('\n');
  const canonical = `${req.method}\n${q < 0 ? url : url.slice(0, q)}\n${query}\n${headers}`;
  const signingKey = createHmac('sha256', openSecret(row.secret_enc)).update(`bce-auth-v1/${ak}/${ts}/${exp}`).digest('hex');
  const expected = createHmac('sha256', signingKey).update(canonical).digest('hex');
  return sig.length === 64 && timingSafeEqual(Buffer.from(expected), Buffer.from(sig)) ? row.account_id : null;
}

const time = (stored: string) => stored.slice(0, 19) + '+00:00';
const summary = (v: any) => ({ modelId: v.id, modelName: v.name, status: v.status, sourceType: v.source_type, createTime: time(v.created_at), modifyTime: time(v.modified_at) });

function answer(action: string, account: string, body: any): unknown {
  switch (action) {
    case 'DescribeModel': {
      const v = versionRow.get(account, body.modelId) as any;
      if (!v) return undefined;
      const meta = JSON.parse(v.source_meta);
      const details = v.details ? JSON.parse(v.details) : {};
      const tags = tagsOf.all(v.id) as { tag_key: string; tag_value: string }[];
      return {
        modelSetId: v.model_set_id, modelSetName: v.set_name, modelId: v.id, modelName: v.name, model: meta.basicModelName,
        sourceInfo: { sourceType: v.source_type, ...meta.sourceInfo }, status: v.status,
        modelApplicationType: v.model_application_type, endpointType: v.model_application_type,
        createTime: time(v.created_at), modifyTime: time(v.modified_at),
        isSupportDeploy: false, isSupportModelComp: false, isSupportEvaluation: false, modelCompConfigs: [],
        ...details, transformerVersion: meta.transformerVersion,
        aliases: aliasesOf.all(v.id),
        ...(tags.length ? { tags: tags.map((t) => ({ key: t.tag_key, value: t.tag_value })) } : {}),
      };
    }
    case 'DescribeCustomModelSets': {
      const sets = setsPage.all(account, (body.maxKeys ?? 10) + 1) as any[];
      const page = sets.slice(0, body.maxKeys ?? 10);
      const versions = versionsOfSets.all(JSON.stringify(page.map((s) => s.id))) as any[];
      return {
        customModelSetList: page.map((s) => {
          const vs = versions.filter((v) => v.model_set_id === s.id);
          return {
            modelSetId: s.id, modelSetName: s.name, source: s.source, modelType: s.model_type, labels: JSON.parse(s.labels),
            createTime: time(s.created_at), modifyTime: time(s.modified_at), modelCount: vs.length,
            modelIds: vs.map((v) => v.id), modelNames: vs.map((v) => v.name), modelVersionList: vs.map(summary),
          };
        }),
        pageInfo: { marker: '', maxKeys: body.maxKeys ?? 10, isTruncated: sets.length > page.length, nextMarker: sets[page.length]?.id ?? '', pageReverse: false, totalCount: setsCount.get(account) },
      };
    }
    case 'CreateCustomModelSet': {
      const id = `am-${randomBytes(8).toString('hex')}`;
      const at = new Date().toISOString();
      insertSet.run(id, account, body.modelSetName, body.modelType, at, at);
      return { modelSetId: id, modelSetName: body.modelSetName };
    }
  }
  return undefined;
}

/** The status and JSON text of the answer to a request. */
function handle(req: http.IncomingMessage, body: Buffer): [number, string] {
  const requestId = randomUUID();
  try {
    const account = authenticate(req);
    if (!account) return [401, JSON.stringify({ requestId, code: 'SignatureDoesNotMatch', message: 'refused' })];
    const action = /[?&]Action=([A-Za-z]+)/.exec(req.url!)?.[1] ?? '';
    const result = answer(action, account, JSON.parse(body.toString('utf8') || '{}'));
    if (result === undefined) return [404, JSON.stringify({ requestId, code: 'NotFound', message: 'not found' })];
    return [200, JSON.stringify({ requestId, result })];
  } catch (err) {
    return [500, JSON.stringify({ requestId, code: 'InternalError', message: String(err) })];
  }
}

const JSON_TYPE = 'application/json; charset=utf-8';

if (process.env.FLOOR_FRAMEWORK === 'fastify') {
  // The same floor inside Fastify (one route, bodies as bytes, a global and a route onRequest
  // hook like modelreg's, the answer sent by reply.send): what the framework itself adds.
  const { default: Fastify } = await import('fastify');
  const app = Fastify({ logger: false });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  app.addHook('onRequest', (_req, _reply, done) => done());
  app.post('/v2/:route', { onRequest: async () => {} }, async (req, reply) => {
    const [status, text] = handle(req.raw, req.body as Buffer);
    return reply.code(status).header('content-type', JSON_TYPE).send(text);
  });
  await app.listen({ port: Number(process.env.FLOOR_PORT), host: '127.0.0.1' });
} else {
  http
    .createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const [status, text] = handle(req, Buffer.concat(chunks));
        res.writeHead(status, { 'content-type': JSON_TYPE, 'content-length': Buffer.byteLength(text) });
        res.end(text);
      });
    })
    .listen(Number(process.env.FLOOR_PORT), '127.0.0.1');
}

// Exit normally on SIGTERM, so that a CPU profile (--cpu-prof) is written.
process.on('SIGTERM', () => process.exit(0));
