// Request rate limits, per process (replicas share nothing: N replicas allow N times the rate).
//  - per access key: a token bucket charged once per authenticated request;
//  - per client IP and per access key named: token buckets charged once per failed authentication
//    and checked before the signature is verified. A client guessing one key's secret is cut off
//    without costing a key lookup; valid keys sharing its address (NAT) still get through, and
//    busy clients with good signatures are never slowed.
// A refused request gets 429 RequestLimitExceeded with Retry-After in whole seconds.
import type { ApiError } from '../domain/errors.js';
import { ERRORS } from '../domain/errors/catalogue.js';

export interface BucketOptions {
  /** Tokens added per second; 0 disables the limit. */
  perSecond: number;
  /** Bucket size: how many requests may come at once after a quiet spell. */
  burst: number;
}

export interface RateLimitOptions {
  perKey: BucketOptions;
  authFailuresPerIp: BucketOptions;
}

/** Generous: normal use and the test suites never reach them. */
export const DEFAULT_RATE_LIMITS: RateLimitOptions = {
  perKey: { perSecond: 1000, burst: 2000 },
  authFailuresPerIp: { perSecond: 50, burst: 500 },
};

interface Bucket {
  tokens: number;
  at: number;
}

/** Buckets keyed by id; a bucket that has refilled is forgotten, so memory follows recent callers. */
export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();
  private readonly burst: number;

  constructor(
    private readonly opts: BucketOptions,
    private readonly maxEntries = 100_000,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.burst = Math.max(1, opts.burst || opts.perSecond);
  }

  get enabled(): boolean {
    return this.opts.perSecond > 0;
  }

  /** Seconds until `id` has a whole token (0 when it has one now). */
  wait(id: string): number {
    if (!this.enabled) return 0;
    const b = this.refill(id);
    return b.tokens >= 1 ? 0 : (1 - b.tokens) / this.opts.perSecond;
  }

  /** Takes a token if there is one; returns the seconds to wait otherwise (0 = taken). */
  take(id: string): number {
    if (!this.enabled) return 0;
    const b = this.refill(id);
    if (b.tokens < 1) return (1 - b.tokens) / this.opts.perSecond;
    b.tokens -= 1;
    return 0;
  }

  private refill(id: string): Bucket {
    const t = this.now();
    let b = this.buckets.get(id);
    if (!b) {
      if (this.buckets.size >= this.maxEntries) this.prune(t);
      b = { tokens: this.burst, at: t };
      this.buckets.set(id, b);
      return b;
    }
    b.tokens = Math.min(this.burst, b.tokens + ((t - b.at) / 1000) * this.opts.perSecond);
    b.at = t;
    return b;
  }

  /** Drops buckets that are full again (same as absent); if none are, the oldest ones. */
  private prune(t: number): void {
    const fullAfterMs = (this.burst / this.opts.perSecond) * 1000;
    for (const [id, b] of this.buckets) if (t - b.at >= fullAfterMs) this.buckets.delete(id);
    for (const id of this.buckets.keys()) {
      if (this.buckets.size < this.maxEntries * 0.9) break;
      this.buckets.delete(id);
    }
  }
}

const retryAfter = (seconds: number): Record<string, string> => ({ 'retry-after': String(Math.max(1, Math.ceil(seconds))) });

export class RequestLimits {
  private readonly perKey: TokenBuckets;
  private readonly failuresPerIp: TokenBuckets;
  private readonly failuresPerKey: TokenBuckets;

  constructor(private readonly opts: RateLimitOptions = DEFAULT_RATE_LIMITS) {
    this.perKey = new TokenBuckets(opts.perKey);
    this.failuresPerIp = new TokenBuckets(opts.authFailuresPerIp);
    this.failuresPerKey = new TokenBuckets(opts.authFailuresPerIp);
  }

  /**
   * Runs `authenticate` under the limits and returns what it returns. Failures are counted per
   * client address and per access key named in the request. A request is refused unchecked only
   * when both its address and its key are over the limit: a valid key behind the same NAT as a
   * guesser (other key, same address) still gets through, and so does a key's holder elsewhere.
   */
  async authenticate<P>(ip: string, claimedKey: string | undefined, authenticate: () => Promise<P>, accessKeyOf: (p: P) => string): Promise<P> {
    const keyId = claimedKey ?? '';
    const ipBlocked = this.failuresPerIp.wait(ip);
    const keyBlocked = this.failuresPerKey.wait(keyId);
    if (ipBlocked > 0 && keyBlocked > 0) throw this.tooManyFailures(Math.min(ipBlocked, keyBlocked));
    let principal: P;
    try {
      principal = await authenticate();
    } catch (err) {
      this.failuresPerIp.take(ip);
      this.failuresPerKey.take(keyId);
      // Over a limit, a failure is told as the limit (with Retry-After), not as the reason.
      const blocked = Math.max(ipBlocked, keyBlocked);
      if (blocked > 0) throw this.tooManyFailures(blocked);
      throw err;
    }
    const accessKey = accessKeyOf(principal);
    const wait = this.perKey.take(accessKey);
    if (wait > 0) {
      const { perSecond, burst } = this.opts.perKey;
      throw ERRORS.RateLimited(accessKey, perSecond, burst, retryAfter(wait));
    }
    return principal;
  }

  private tooManyFailures(seconds: number): ApiError {
    const { perSecond, burst } = this.opts.authFailuresPerIp;
    return ERRORS.TooManyFailedAuthentications(perSecond, burst, retryAfter(seconds));
  }
}
