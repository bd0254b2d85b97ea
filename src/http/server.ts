// Where every request enters: POST /v2/<route>?Action=<Action>, plus /healthz.
// Order of checks: route → signature → action → policy (all on the headers, in onRequest, before
// any body byte is read) → body budget → body (and its signed digest, if any) → handler.
import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { ApiError } from '../domain/errors.js';
import { ERRORS } from '../domain/errors/catalogue.js';
import { asApiError } from '../domain/errors/from-object-store.js';
import { refusedText } from '../domain/errors/from-metadata-store.js';
import { policiesAllow } from '../domain/iam/policies.js';
import type { Principal } from '../domain/iam/iam-service.js';
import type { Services } from '../domain/services.js';
import { actionNames, findAction, ROUTES } from './actions/index.js';
import { authenticate, checkSignedBody, claimedAccessKey } from './auth/authenticate.js';
import type { ParsedAuthorization } from './auth/verify-signature.js';
import type { ActionDef } from './actions/action.js';
import { ConnectionLimits, type ConnectionLimitOptions } from './connection-limits.js';
import { clientErrorHandler, frameworkErrorHandler, rejectAmbiguousHeaders } from './client-errors.js';
import { DEFAULT_RATE_LIMITS, RequestLimits, type RateLimitOptions } from './rate-limit.js';
import { registerConsole } from './console-route.js';
import { lazyChildLogger } from './lazy-request-logger.js';
import { registerDownloads } from './download-route.js';
import { registerHub } from './hub/index.js';
import { carriesBody } from './request-body.js';
import { sendError, sendResult } from './envelope.js';
import { errorField } from './error-field.js';
import { ignoredFieldsHeader, parseJsonBody, validateBody } from './validate-body.js';

export interface HttpOptions {
  logger: Logger;
  bodyLimitBytes: number;
  maxClockSkewSeconds: number;
  /** Checks the stores for /healthz; throws when one is unreachable. */
  healthCheck: () => Promise<void>;
  /** Per-key and per-IP limits (src/http/rate-limit.ts); generous defaults when absent. */
  rateLimits?: RateLimitOptions;
  /** Whole request (headers + body) must arrive within this; 30 s when absent. */
  requestTimeoutMs?: number;
  /** Idle socket timeout; 30 s when absent. */
  connectionTimeoutMs?: number;
  /** Fastify's trustProxy: which proxies' X-Forwarded-For to believe for the client address. */
  trustProxy?: boolean | string;
  /** Connection and in-flight body caps (src/http/connection-limits.ts); none when absent. */
  connectionLimits?: ConnectionLimitOptions;
  /** Refuse signatures that do not cover x-bce-content-sha256. */
  requireContentSha256?: boolean;
  /** When non-empty, the Host header must name one of these (host, or host:port). */
  publicHosts?: string[];
}

declare module 'fastify' {
  interface FastifyRequest {
    apiRequestId: string;
    apiAction?: string;
    apiPrincipal?: Principal;
    apiActionDef?: ActionDef;
    apiBodyAuth?: ParsedAuthorization;
  }
}

const JSON_TYPE = /^application\/(json|[\w.+-]+\+json)\s*(;|$)/i;

export function buildHttpServer(services: Services, opts: HttpOptions): FastifyInstance {
  const app = Fastify({
    loggerInstance: opts.logger as unknown as FastifyBaseLogger,
    // One line per request is written by our onResponse hook, with the API's own fields.
    logController: new LogController({ disableRequestLogging: true }),
    // req.log is made when something logs through it (src/http/lazy-request-logger.ts).
    childLoggerFactory: lazyChildLogger,
    bodyLimit: opts.bodyLimitBytes,
    // Behind a load balancer the failed-authentication limit must count real clients, not the balancer.
    trustProxy: opts.trustProxy ?? false,
    // Slow or stalled clients must not hold a connection forever. Node checks request timeouts
    // every connectionsCheckingInterval (30 s by default): a fraction of the timeout keeps it tight.
    // headersTimeout must not exceed requestTimeout, or a stalled body is never timed out.
    requestTimeout: opts.requestTimeoutMs ?? 30_000,
    connectionTimeout: opts.connectionTimeoutMs ?? 30_000,
    http: {
      requestTimeout: opts.requestTimeoutMs ?? 30_000,
      headersTimeout: Math.min(60_000, opts.requestTimeoutMs || 60_000),
      connectionsCheckingInterval: Math.max(50, Math.min(5_000, Math.floor((opts.requestTimeoutMs || 30_000) / 4))),
    },
    clientErrorHandler,
    frameworkErrors: frameworkErrorHandler,
    // Hub file paths (src/http/hub) are route parameters and may be long.
    routerOptions: { maxParamLength: 4096 },
    return503OnClosing: true,
  });

  app.decorateRequest('apiRequestId', '');
  // A callback hook (not async): no promise per request for work that never waits.
  app.addHook('onRequest', (req, reply, done) => {
    req.apiRequestId = randomUUID();
    try {
      rejectAmbiguousHeaders(req.raw.rawHeaders);
      // Load balancers probe /healthz by address; everything else must name a public host when set.
      if (opts.publicHosts?.length && !req.url.startsWith('/healthz')) checkHost(req.headers.host, opts.publicHosts);
      // A route that does not exist (or not for this method) reads no body: answer from the headers,
      // so an unauthenticated client cannot make the server buffer one.
      if (req.is404 && carriesBody(req)) {
        reply.header('connection', 'close');
        throw notFoundError(req);
      }
    } catch (err) {
      done(err as Error);
      return;
    }
    done();
  });

  // Bodies are kept as bytes: the signature check may need them, and JSON is parsed per action.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  // The request line names ids only (never a header or a secret), so it skips the redaction pass
  // the root logger makes on every line (a measurable share of a request's CPU, issue 14).
  const requestLog = opts.logger.child({}, { redact: { paths: [], censor: '[redacted]' } });
  app.addHook('onResponse', (req, reply, done) => {
    requestLog.info(
      {
        requestId: req.apiRequestId,
        method: req.method,
        path: req.url.split('?')[0],
        action: req.apiAction,
        account: req.apiPrincipal?.accountName,
        accessKey: req.apiPrincipal?.accessKey,
        status: reply.statusCode,
        latencyMs: Math.round(reply.elapsedTime * 100) / 100,
      },
      'request',
    );
    done();
  });

  app.get('/healthz', async (req, reply) => {
    try {
      await opts.healthCheck();
      return reply.send({ status: 'ok' });
    } catch (err) {
      req.log.error({ err, requestId: req.apiRequestId }, 'health check failed');
      // Anyone may ask: the driver's message (database name, host, port, user) stays in the log.
      return reply.code(503).send({ status: 'unavailable', reason: 'the database is unreachable; the server log has the cause' });
    }
  });

  const limits = new RequestLimits(opts.rateLimits ?? DEFAULT_RATE_LIMITS);
  const connections = new ConnectionLimits(opts.connectionLimits ?? { maxConnections: 0, maxConnectionsPerClient: 0, maxInflightBodyBytes: 0, maxInflightBodyBytesPerClient: 0 });
  connections.attach(app.server);
  app.post('/v2/:route', { onRequest: (req, reply) => admit(req, reply, services, opts, limits, connections) }, (req, reply) => handleAction(req, reply, services));
  // The Hugging Face Hub-compatible download API (GET /api/…, /{ns}/{name}/resolve/…).
  registerHub(app, services, toApiError, limits, (req, reply) => reserveBody(req, reply, opts, connections));
  // The web console (static files; it calls the API above like any other client).
  registerConsole(app);
  // Signed download URLs of the local store (export archives, `modelreg pull`).
  registerDownloads(app, services);

  app.setNotFoundHandler((req, reply) => sendError(reply, req.apiRequestId, notFoundError(req)));

  app.setErrorHandler((err, req, reply) => {
    const e = toApiError(err, req);
    return sendError(reply, req.apiRequestId, e, errorField(e, req.apiActionDef));
  });
  return app;
}

/**
 * Everything decided on the headers, before the body is read: route, signature, action, policy,
 * then the body budget. A refused request's body is never buffered; its connection is closed.
 */
async function admit(req: FastifyRequest, reply: FastifyReply, services: Services, opts: HttpOptions, limits: RequestLimits, connections: ConnectionLimits): Promise<void> {
  try {
    const path = req.url.split('?')[0] ?? '';
    if (!ROUTES.includes(path as never)) {
      throw ERRORS.RouteNotFound('POST', path, ROUTES);
    }
    const authOpts = { maxSkewSeconds: opts.maxClockSkewSeconds, requireContentSha256: opts.requireContentSha256 };
    const { principal, bodyAuth } = await limits.authenticate(req.ip, claimedAccessKey(req), () => authenticate(req, services.iam, authOpts), (a) => a.principal.accessKey);
    req.apiPrincipal = principal;
    req.apiBodyAuth = bodyAuth;

    const query = req.query as Record<string, unknown>;
    const name = query.Action;
    if (name === undefined || name === '') {
      throw ERRORS.ActionMissing(path);
    }
    if (typeof name !== 'string') throw ERRORS.ActionRepeated();
    const action = findAction(path, name);
    if (!action) {
      throw ERRORS.UnknownAction(name, path, actionNames(path));
    }
    // Only a known name is logged: an unknown one is whatever the client typed (even a pasted secret).
    req.apiAction = action.name;
    if (!policiesAllow(principal.policies, action.route, action.access)) {
      throw ERRORS.ActionNotAllowed(principal.policies, action.name);
    }
    req.apiActionDef = action;
    reserveBody(req, reply, opts, connections);
  } catch (err) {
    // The body (if any) will not be read: do not keep the connection for the next request.
    if (carriesBody(req)) reply.header('connection', 'close');
    throw err;
  }
}

/** The in-flight body budget, reserved once the sender is authenticated; released when the answer is done. */
function reserveBody(req: FastifyRequest, reply: FastifyReply, opts: HttpOptions, connections: ConnectionLimits): void {
  connections.reserveBody(req.ip, req.raw, opts.bodyLimitBytes, (release) => reply.raw.once('close', release));
}

/** The answer to a path or method no route takes. */
function notFoundError(req: FastifyRequest): ApiError {
  const path = req.url.split('?')[0] ?? '';
  if (ROUTES.includes(path as never)) return ERRORS.MethodNotAllowed(req.method, path);
  const version = /^\/(v\d+)(\/[a-z]+)$/.exec(path);
  if (version && ROUTES.includes(`/v2${version[2]}` as never)) return ERRORS.InvalidVersion(version[1]!, version[2]!);
  return ERRORS.RouteNotFound(req.method, path, ROUTES);
}

async function handleAction(req: FastifyRequest, reply: FastifyReply, services: Services): Promise<FastifyReply> {
  const principal = req.apiPrincipal!;
  const action = req.apiActionDef!;
  const raw = Buffer.isBuffer(req.body) ? req.body : undefined;
  if (req.apiBodyAuth) checkSignedBody(req, req.apiBodyAuth);
  const contentType = String(req.headers['content-type'] ?? '');
  if (action.rawBody) {
    const result = await action.handle({ principal, services, requestId: req.apiRequestId, origin: originOf(req), raw: { contentType, body: raw ?? Buffer.alloc(0) } }, undefined);
    return sendResult(reply, req.apiRequestId, result);
  }
  if (raw && raw.length > 0 && contentType !== '' && !JSON_TYPE.test(contentType)) {
    throw ERRORS.ContentTypeNotJson(contentType);
  }
  const body = parseJsonBody(action, raw);
  const ignored = validateBody(action, body);
  if (ignored.length > 0) {
    req.log.debug({ requestId: req.apiRequestId, action: action.name, ignoredFields: ignored.slice(0, 20).map((f) => f.slice(0, 100)) }, 'unknown fields ignored');
    reply.header('x-modelreg-ignored-fields', ignoredFieldsHeader(ignored));
  }
  const result = await action.handle({ principal, services, requestId: req.apiRequestId, origin: originOf(req) }, body);
  return sendResult(reply, req.apiRequestId, result);
}

/** scheme://host the client reached this server at. */
function originOf(req: FastifyRequest): string {
  return `${req.protocol}://${req.headers.host ?? req.hostname}`;
}

/** Host header against MODELREG_PUBLIC_HOSTS: an entry without a port matches any port. */
function checkHost(host: string | undefined, allowed: string[]): void {
  const h = (host ?? '').trim().toLowerCase();
  const bare = h.startsWith('[') ? h.slice(0, h.indexOf(']') + 1) : h.split(':')[0]!;
  if (allowed.some((a) => a === h || a === bare)) return;
  throw ERRORS.InvalidHost(h, allowed);
}

/** Framework errors become envelope errors; anything unexpected is a logged 500 without details. */
function toApiError(err: unknown, req: FastifyRequest): ApiError {
  const known = asApiError(err);
  if (known) {
    // The database refused a string no input check caught: a 400 all the same, and logged so that the input gets its own check.
    if (refusedText(err)) req.log.warn({ err, requestId: req.apiRequestId, action: req.apiAction }, 'a string the metadata database cannot store reached it');
    return known;
  }
  const e = err as { code?: string; statusCode?: number; message?: string };
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return ERRORS.BodyTooLarge(req.server.initialConfig.bodyLimit ?? 0);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return ERRORS.InvalidParameter(e.message ?? 'invalid request body');
    case 'FST_ERR_CTP_INVALID_TYPE':
      return ERRORS.ContentTypeRequired();
  }
  if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) {
    return ERRORS.InvalidParameter(e.message ?? 'bad request');
  }
  req.log.error({ err, requestId: req.apiRequestId }, 'unhandled error');
  // A full disk (SQLite, PostgreSQL's disk_full, the file system) is the operator's to fix: say so, and that a retry may work.
  if (e.code === 'SQLITE_FULL' || e.code === 'ENOSPC' || e.code === '53100') {
    return ERRORS.StorageFull(req.apiRequestId);
  }
  return ERRORS.InternalError(req.apiRequestId);
}
