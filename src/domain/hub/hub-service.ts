// The Hugging Face Hub view of the registry: repo {accountName}/{modelSetName}, revisions (see
// revisions.ts), read by bearer read tokens. Who may see what:
//  * no token                        → 401 RepoNotFound (HF's answer to an anonymous private read);
//  * an unknown/revoked/expired token → 401 "Invalid credentials in Authorization header", before any
//    repo is looked at, so the answer is the same for every repo and tells nothing about them;
//  * a valid token, another account's repo or a missing one → 404 RepoNotFound (no existence leak).
import { ApiError } from '../errors.js';
import type { HubRepo } from '../../store/repos/hub-repo.js';
import type { ReadTokenService, TokenReader } from './read-token-service.js';
import { RevisionMiss, type ResolvedRevision, type RevisionResolver } from './revisions.js';

/** The exact message huggingface_hub (Python) treats as "your token is invalid", not "repo not found". */
export const INVALID_CREDENTIALS = 'Invalid credentials in Authorization header';

export class HubService {
  constructor(
    private readonly tokens: ReadTokenService,
    private readonly repo: Pick<HubRepo, 'setByName'>,
    readonly revisions: RevisionResolver,
  ) {}

  /** The reader behind an Authorization header value. */
  async reader(authorization: string | undefined): Promise<TokenReader> {
    if (authorization === undefined || authorization.trim() === '') {
      throw new ApiError('RepoAuthRequired', 'Repository not found or not readable anonymously: modelreg serves downloads to read tokens only; set HF_TOKEN to a token from `modelreg token create`');
    }
    const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    const reader = m ? await this.tokens.authenticate(m[1]!) : null;
    if (!reader) throw new ApiError('InvalidReadToken', INVALID_CREDENTIALS);
    return reader;
  }

  async revision(reader: TokenReader, ns: string, name: string, rev: string): Promise<ResolvedRevision> {
    const set = ns === reader.accountName ? await this.repo.setByName(reader.accountId, name) : undefined;
    if (!set) throw new ApiError('RepoNotFound', `Repository not found: ${ns}/${name} does not exist or this token may not read it`);
    const r = await this.revisions.find(set, rev);
    if (r instanceof RevisionMiss) throw new ApiError('RevisionNotFound', `Invalid rev id: ${rev}: ${r.reason}`);
    return r;
  }
}
