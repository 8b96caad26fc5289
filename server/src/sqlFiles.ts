/**
 * How the CLI and the language server read the SQL files a plan names
 * (`{file: path}`): relative to the plan's folder, inside its repository (the
 * nearest folder above it with a `.git`, else the plan's own folder), regular
 * files of at most 5 MiB, as UTF-8.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SqlFiles } from './service/sql/sqlValues';

const MAX_SQL_FILE_BYTES = 5 * 1024 * 1024;

/** The repository a folder is in: the nearest folder at or above it holding `.git`; else the folder itself. */
export function repositoryRoot(dir: string): string {
  for (let d = path.resolve(dir); ; ) {
    if (fs.existsSync(path.join(d, '.git'))) return d;
    const up = path.dirname(d);
    if (up === d) return path.resolve(dir);
    d = up;
  }
}

export function nodeSqlFiles(planPath: string): SqlFiles {
  const dir = path.dirname(planPath);
  return {
    resolve(written) {
      const absolute = path.resolve(dir, written);
      const root = repositoryRoot(dir);
      const rel = path.relative(root, absolute);
      if (rel.startsWith('..') || path.isAbsolute(rel)) return { error: `is outside the repository (${root})` };
      return { absolute };
    },
    read(absolute) {
      try {
        // Through a symlink, the file it points to must be in the repository too.
        const real = fs.realpathSync(absolute);
        const root = repositoryRoot(path.dirname(planPath));
        const rel = path.relative(fs.realpathSync(root), real);
        if (rel.startsWith('..') || path.isAbsolute(rel)) return { error: 'is a link to a file outside the repository' };
        const st = fs.statSync(real);
        if (!st.isFile()) return { error: st.isDirectory() ? 'is a folder' : 'is not a regular file' };
        if (st.size > MAX_SQL_FILE_BYTES) return { error: `is ${Math.round(st.size / 1048576)} MiB, over the 5 MiB a SQL file may have` };
        const bytes = fs.readFileSync(real);
        const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
        return { text };
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') return { error: 'does not exist' };
        if (code === 'EACCES' || code === 'EPERM') return { error: 'cannot be read (permission denied)' };
        if (err instanceof TypeError) return { error: 'is not UTF-8 text' };
        return { error: `cannot be read (${code ?? (err instanceof Error ? err.message : String(err))})` };
      }
    },
  };
}
