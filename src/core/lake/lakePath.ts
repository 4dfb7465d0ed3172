import * as path from 'node:path';

/**
 * Where a lake may never be, by its path alone (no file system access, so the settings can use it): the filesystem
 * root, the system's own folders and the pseudo-filesystems. A run swaps `<lake>/gold` and writes its run log beside
 * it, so a lake in one of these would write into (or replace part of) the system; and on /proc Node's recursive
 * mkdir never returns.
 */

/** Pseudo-filesystems: what is written there is not stored, and some of it is the running kernel. */
const PSEUDO_TREES = ['/proc', '/sys', '/dev'];
/** The system's own trees: neither they nor anything in them is a lake. */
const SYSTEM_TREES = ['/etc', '/boot', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32', '/usr/bin', '/usr/sbin', '/usr/lib',
  '/usr/lib32', '/usr/lib64', '/usr/libexec', '/usr/include', '/usr/share'];
/** Folders that hold other things: a lake can live inside them, never be one of them. */
const SYSTEM_FOLDERS = ['/home', '/media', '/mnt', '/opt', '/root', '/run', '/srv', '/tmp', '/usr', '/usr/local', '/var', '/var/lib',
  '/var/log', '/var/tmp'];

const within = (dir: string, tree: string) => dir === tree || dir.startsWith(`${tree}/`);

/** Why this absolute folder cannot be a lake (a phrase after the folder's name), or undefined when it may be. */
export function lakePathProblem(lakeDir: string): string | undefined {
  const dir = path.resolve(lakeDir);
  if (path.parse(dir).root === dir) return 'is the filesystem root';
  // The system folder names below are POSIX ones.
  if (path.sep !== '/') return undefined;
  const pseudo = PSEUDO_TREES.find((tree) => within(dir, tree));
  if (pseudo) return `is on ${pseudo}, a pseudo-filesystem where nothing is stored`;
  const system = SYSTEM_TREES.find((tree) => within(dir, tree));
  if (system) return dir === system ? 'is a system folder' : `is inside the system folder ${system}`;
  if (SYSTEM_FOLDERS.includes(dir)) return 'is a system folder';
  return undefined;
}
