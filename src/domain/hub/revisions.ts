// What a revision names: a version name (V3), an alias, an amv- id, a 40-hex commit, or "main" /
// "HEAD" (the alias "main" when the set has one, else the newest Ready version). Only Ready
// versions are ever resolved. Also the REF syntax of the CLI: SET, SET/V3, SET@alias, amv-….
import { ERRORS } from '../errors/catalogue.js';
import { COMMIT_ID, commitIdOf } from './commit-id.js';
import type { ManifestFile, RegistryFiles } from '../registry/registry-files.js';
import type { HubRepo } from '../../store/repos/hub-repo.js';
import type { ModelSetRow, ModelsRepo, ModelVersionRow } from '../../store/repos/models-repo.js';

export interface Snapshot {
  commit: string;
  files: ManifestFile[];
  /** The same files by path. */
  byPath: Map<string, ManifestFile>;
}

export interface ResolvedRevision extends Snapshot {
  set: ModelSetRow;
  version: ModelVersionRow;
}

/** Why a revision did not resolve, in words a user can act on. */
export class RevisionMiss {
  constructor(readonly reason: string) {}
}

const DEFAULT_REVISIONS = new Set(['main', 'HEAD']);
const CACHE_MAX = 2000;

export class RevisionResolver {
  /** versionId → its commit and manifest. A Ready version's files never change, so this never goes stale. */
  private readonly snapshots = new Map<string, Snapshot>();

  constructor(
    private readonly models: Pick<ModelsRepo, 'findSet' | 'findVersion'>,
    private readonly hub: Pick<HubRepo, 'findAlias' | 'readyVersionByCommit' | 'readyVersionsOfSet' | 'readyVersionsWithoutCommit' | 'recordCommit' | 'versionOfSet'>,
    private readonly files: RegistryFiles,
  ) {}

  /** The commit and manifest of a Ready version. */
  async snapshotOf(version: ModelVersionRow): Promise<Snapshot> {
    const hit = this.snapshots.get(version.id);
    if (hit) return hit;
    const files = await this.files.manifest(version.id);
    const snap = { commit: commitIdOf(files), files, byPath: new Map(files.map((f) => [f.path, f])) };
    if (files.length > 0) {
      if (this.snapshots.size >= CACHE_MAX) this.snapshots.delete(this.snapshots.keys().next().value as string);
      this.snapshots.set(version.id, snap);
    }
    return snap;
  }

  /** The Ready version `rev` names in `set`, or why none. */
  async find(set: ModelSetRow, rev: string): Promise<ResolvedRevision | RevisionMiss> {
    const ready = async (v: ModelVersionRow | undefined, what: string): Promise<ResolvedRevision | RevisionMiss> => {
      if (!v) return new RevisionMiss(`${set.name} has no revision ${what}`);
      if (v.status !== 'Ready') return new RevisionMiss(`${what} of ${set.name} is ${v.status}, not Ready; only Ready versions can be downloaded`);
      return { set, version: v, ...(await this.snapshotOf(v)) };
    };
    if (/^V\d{1,9}$/.test(rev)) return ready(await this.hub.versionOfSet(set.id, { name: rev }), rev);
    if (rev.startsWith('amv-')) return ready(await this.hub.versionOfSet(set.id, { id: rev }), rev);
    if (COMMIT_ID.test(rev)) {
      const v = (await this.hub.readyVersionByCommit(set.id, rev)) ?? (await this.fillCommits(set, rev));
      if (v) return { set, version: v, ...(await this.snapshotOf(v)) };
      return new RevisionMiss(`${set.name} has no Ready version with commit ${rev}`);
    }
    const aliasName = DEFAULT_REVISIONS.has(rev) ? 'main' : rev;
    const alias = await this.hub.findAlias(set.id, aliasName);
    if (alias) return ready(await this.hub.versionOfSet(set.id, { id: alias.model_id }), `${rev} (alias of ${alias.model_id})`);
    if (DEFAULT_REVISIONS.has(rev)) {
      const newest = (await this.hub.readyVersionsOfSet(set.id))[0];
      return newest ? ready(newest, rev) : new RevisionMiss(`${set.name} has no Ready version yet`);
    }
    return new RevisionMiss(`${set.name} has no version, alias or commit named "${rev}"`);
  }

  /**
   * A miss by index: records the commits of the set's Ready versions made Ready before migration
   * 0017 (newest first, so what is recorded is always the newest of the set's old versions), and
   * returns the newest that has `commit`. Each manifest is read here once per database: after it,
   * a commit the set does not have costs one indexed query.
   */
  private async fillCommits(set: ModelSetRow, commit: string): Promise<ModelVersionRow | undefined> {
    let found: ModelVersionRow | undefined;
    for (const v of await this.hub.readyVersionsWithoutCommit(set.id)) {
      const snap = await this.snapshotOf(v);
      if (snap.files.length > 0 && filesSettled(v)) await this.hub.recordCommit(v.id, snap.commit);
      if (!found && snap.commit === commit) found = { ...v, commit_id: snap.commit };
    }
    return found;
  }

  /**
   * A REF as the CLI takes it, within one account: "SET" (as revision main), "SET/V3",
   * "SET@alias", "SET@<commit>" or "amv-…". Throws ModelSetNotFound / ModelNotFound.
   */
  async resolveRef(accountId: string, ref: string): Promise<ResolvedRevision> {
    let setName: string | undefined;
    let rev: string;
    if (ref.startsWith('amv-')) {
      const v = await this.models.findVersion(accountId, ref);
      if (!v) throw ERRORS.ModelVersionNotFound(ref);
      const set = await this.models.findSet(accountId, { id: v.model_set_id });
      return this.orThrow(await this.find(set!, ref));
    }
    const at = ref.lastIndexOf('@');
    const slash = ref.indexOf('/');
    if (at > 0) [setName, rev] = [ref.slice(0, at), ref.slice(at + 1)];
    else if (slash > 0) [setName, rev] = [ref.slice(0, slash), ref.slice(slash + 1)];
    else [setName, rev] = [ref, 'main'];
    if (!setName || !rev) throw ERRORS.InvalidRef(ref);
    const set = await this.models.findSet(accountId, { name: setName });
    if (!set) throw ERRORS.ModelSetNotFoundBy(`modelSetName "${setName}"`);
    return this.orThrow(await this.find(set, rev));
  }

  private orThrow(r: ResolvedRevision | RevisionMiss): ResolvedRevision {
    if (r instanceof RevisionMiss) throw ERRORS.RefNotFound(r.reason);
    return r;
  }
}

/**
 * Whether the version's files are all in their final place. A version stored by a release before
 * content-addressed blobs has its manifest built file by file by the registry upgrade at start
 * (src/jobs/registry-upgrade.ts), which marks it layout "blobs" once done: a commit of a partial
 * manifest must never be recorded.
 */
function filesSettled(v: ModelVersionRow): boolean {
  try {
    return (JSON.parse(v.details ?? '{}') as { storage?: { layout?: string } }).storage?.layout === 'blobs';
  } catch {
    return false;
  }
}

/** The domain function `modelreg pull SET@ALIAS` calls: REF → the Ready version it names. */
export function resolveVersionRef(resolver: RevisionResolver, accountId: string, ref: string): Promise<ResolvedRevision> {
  return resolver.resolveRef(accountId, ref);
}
