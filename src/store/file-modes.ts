// What modelreg keeps on disk is the service user's alone: 0700 directories, 0600 files (SECURITY.md,
// class 5). New files get it from explicit modes (and `modelreg serve` sets umask 077); this tightens what an older
// version created (the SQLite database and its WAL used to be 0644). Best effort: a path owned by
// someone else (a shared bucket root) is left as it is.
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { isPostgresUrl, type Config } from '../config.js';

export function tightenDataDir(config: Pick<Config, 'dataDir' | 'database'>, logger?: Logger): void {
  const own = (p: string, mode: number) => {
    try {
      const st = fs.lstatSync(p);
      if (st.isSymbolicLink() || st.uid !== process.getuid?.()) return;
      if ((st.mode & 0o777 & ~mode) !== 0) fs.chmodSync(p, mode);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') logger?.warn({ err, path: p }, 'could not tighten permissions');
    }
  };
  own(config.dataDir, 0o700);
  own(path.join(config.dataDir, 'master.key'), 0o600);
  own(path.join(config.dataDir, 'registry'), 0o700);
  if (!isPostgresUrl(config.database)) {
    for (const suffix of ['', '-wal', '-shm', '-journal']) own(config.database + suffix, 0o600);
  }
}
