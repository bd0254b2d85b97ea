// The Hugging Face Hub view of the registry: repo {accountName}/{modelSetName}, revisions (see
// revisions.ts), read by bearer read tokens. Who may see what:
//  * no token                        → 401 RepoNotFound (HF's answer to an anonymous private read);
//  * an unknown/revoked/expired token → 401 "Invalid credentials in Authorization header", before any
//    repo is looked at, so the answer is the same for every repo and tells nothing about them;
//  * a valid token, another account's repo or a missing one → 404 RepoNotFound (no existence leak).
import { ERRORS } from '../errors/catalogue.js';
import type { HubRepo } from '../../store/repos/hub-repo.js';
import type { ReadTokenService, TokenReader } from './read-token-service.js';
import { RevisionMiss, type ResolvedRevision, type RevisionResolver } from './revisions.js';

const CONTROL = /\p{Cc}/u;

export class HubService {
  constructor(
    private readonly tokens: ReadTokenService,
    private readonly repo: Pick<HubRepo, 'setByName'>,
    readonly revisions: RevisionResolver,
  ) {}

  /** The reader behind an Authorization header value. */
  async reader(authorization: string | undefined): Promise<TokenReader> {
    if (authorization === undefined || authorization.trim() === '') {
      throw ERRORS.RepoAuthRequired();
    }
    const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    const reader = m ? await this.tokens.authenticate(m[1]!) : null;
    if (!reader) throw ERRORS.InvalidReadToken();
    return reader;
  }

  async revision(reader: TokenReader, ns: string, name: string, rev: string): Promise<ResolvedRevision> {
    // No set name, version, alias or commit holds a control character, so such a name is never
    // looked up (PostgreSQL cannot even compare a NUL: the lookup failed with a 500).
    const set = ns === reader.accountName && !CONTROL.test(name) ? await this.repo.setByName(reader.accountId, name) : undefined;
    if (!set) throw ERRORS.RepoNotFound(ns, name);
    if (CONTROL.test(rev)) throw ERRORS.RevisionNotFound(rev, `${set.name} has no revision with control characters in its name`);
    const r = await this.revisions.find(set, rev);
    if (r instanceof RevisionMiss) throw ERRORS.RevisionNotFound(rev, r.reason);
    return r;
  }
}
