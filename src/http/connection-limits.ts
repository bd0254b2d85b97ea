// Bounds on what clients can make the server hold before a handler runs (issue 10, class 4):
//  - open connections, overall and per client address (a socket over either cap is closed at once);
//  - request body bytes in flight (declared or, for chunked bodies, the body limit), overall and
//    per client address. Bodies are only read after the signature (or the Hub's read token) is
//    checked, and routes that take no body never read one, so these budgets are spent by
//    authenticated clients alone.
// Per process, like the rate limits. Behind a proxy the connection's peer is the proxy: raise
// the per-client connection cap (or set it to 0) there; the body budget uses the client address.
import type { Server, IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { ERRORS } from '../domain/errors/catalogue.js';

export interface ConnectionLimitOptions {
  /** Open connections overall; 0 = no cap. */
  maxConnections: number;
  /** Open connections per peer address; 0 = no cap. */
  maxConnectionsPerClient: number;
  /** Request body bytes being received or held, overall; 0 = no cap. */
  maxInflightBodyBytes: number;
  /** The same per client address; 0 = no cap. */
  maxInflightBodyBytesPerClient: number;
}

export class ConnectionLimits {
  private readonly perPeer = new Map<string, number>();
  private readonly bytesPerClient = new Map<string, number>();
  private bytesTotal = 0;

  constructor(private readonly opts: ConnectionLimitOptions) {}

  /** Counts connections on the HTTP server and closes those over a cap before any byte is parsed. */
  attach(server: Server): void {
    if (this.opts.maxConnections > 0) server.maxConnections = this.opts.maxConnections;
    if (this.opts.maxConnectionsPerClient <= 0) return;
    server.prependListener('connection', (socket: Socket) => {
      const peer = socket.remoteAddress ?? '';
      const n = (this.perPeer.get(peer) ?? 0) + 1;
      if (n > this.opts.maxConnectionsPerClient) {
        socket.destroy();
        return;
      }
      this.perPeer.set(peer, n);
      socket.once('close', () => {
        const left = (this.perPeer.get(peer) ?? 1) - 1;
        if (left <= 0) this.perPeer.delete(peer);
        else this.perPeer.set(peer, left);
      });
    });
  }

  /**
   * Reserves the body a request is about to send; released when its response is done or its
   * connection goes. Throws 429 (this client) or 503 (everyone) when the budget is spent.
   */
  reserveBody(client: string, req: IncomingMessage, bodyLimit: number, onRelease: (cb: () => void) => void): void {
    const declared = Number(req.headers['content-length']);
    const bytes = Number.isFinite(declared) && declared >= 0 ? Math.min(declared, bodyLimit) : req.headers['transfer-encoding'] ? bodyLimit : 0;
    if (bytes === 0) return;
    const { maxInflightBodyBytes: total, maxInflightBodyBytesPerClient: perClient } = this.opts;
    const mine = this.bytesPerClient.get(client) ?? 0;
    if (perClient > 0 && mine + bytes > perClient) {
      throw ERRORS.TooManyBodyBytesFromClient(perClient);
    }
    if (total > 0 && this.bytesTotal + bytes > total) {
      throw ERRORS.TooManyBodyBytes(total);
    }
    this.bytesPerClient.set(client, mine + bytes);
    this.bytesTotal += bytes;
    let released = false;
    onRelease(() => {
      if (released) return;
      released = true;
      this.bytesTotal -= bytes;
      const left = (this.bytesPerClient.get(client) ?? bytes) - bytes;
      if (left <= 0) this.bytesPerClient.delete(client);
      else this.bytesPerClient.set(client, left);
    });
  }

  /** For tests and metrics: bytes currently reserved. */
  get inflightBytes(): number {
    return this.bytesTotal;
  }
}
