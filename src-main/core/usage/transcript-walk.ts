/**
 * Finding the transcript files under a folder, as the import walks it.
 * - Each real folder is walked once, however many symlinks lead to it: a link back to a parent folder would
 *   otherwise make the walk follow an ever longer path (and two such links, exponentially many).
 * - A file reached by several paths (a link to it, or to its folder) is one file, listed under a path without
 *   links where it has one (the first in path order), so it is read and counted once, and under the same
 *   path every time: adding a link never moves a file to a new path, which would read it again.
 * - What cannot be listed or looked at (no permission, gone since its folder was read) is passed over and
 *   reported; the walk itself never fails.
 */
import { type Dirent, readdirSync, statSync, type Stats } from 'node:fs';

export interface FoundFile {
  path: string;
  size: number;
  mtimeMs: number;
  /** Device and inode: the same file however it was reached, in this walk or another folder's. */
  id: string;
}

export interface Skipped {
  path: string;
  reason: string;
}

export interface Walk {
  files: FoundFile[];
  /** Folders and files that could not be read, with why. */
  skipped: Skipped[];
}

const identity = (stats: Stats) => `${stats.dev}:${stats.ino}`;
const reasonOf = (error: unknown) => (error as NodeJS.ErrnoException).code ?? (error as Error).message;

/** Every file under `root` (a missing root holds none) whose path `wanted` accepts, in path order. */
export function walkTranscripts(root: string, wanted: (path: string) => boolean): Walk {
  const skipped: Skipped[] = [];
  const seenFolders = new Set<string>();
  let rootStats: Stats;
  try {
    rootStats = statSync(root);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') skipped.push({ path: root, reason: reasonOf(error) });
    return { files: [], skipped };
  }
  if (!rootStats.isDirectory()) return { files: [], skipped: [{ path: root, reason: 'not a folder' }] };
  seenFolders.add(identity(rootStats));

  // Depth first, from a stack: the folders of a deep tree cost no recursion. Real folders first; the folders
  // links lead to after them, so a folder reached both ways is walked under its real path.
  const folders: Array<{ path: string; viaLink: boolean }> = [{ path: root, viaLink: false }];
  const linked: Array<{ path: string; viaLink: boolean }> = [];
  const found: Array<FoundFile & { viaLink: boolean }> = [];
  // A linked folder is walked once, under the first link to it, and never where a real path reached it:
  // claimed when its turn comes, after every real folder.
  const claimLinked = () => {
    for (let next = linked.shift(); next; next = linked.shift()) {
      let id: string;
      try {
        id = identity(statSync(next.path));
      } catch {
        continue;
      }
      if (seenFolders.has(id)) continue;
      seenFolders.add(id);
      return next;
    }
    return undefined;
  };
  for (let folder = folders.pop() ?? claimLinked(); folder; folder = folders.pop() ?? claimLinked()) {
    let entries: Dirent[];
    try {
      entries = readdirSync(folder.path, { withFileTypes: true });
    } catch (error) {
      skipped.push({ path: folder.path, reason: reasonOf(error) });
      continue;
    }
    // Children in a fixed order, so the walk is the same every time.
    entries.sort((x, y) => (x.name < y.name ? 1 : x.name > y.name ? -1 : 0));
    for (const entry of entries) {
      const path = `${folder.path}/${entry.name}`;
      const isLink = entry.isSymbolicLink();
      if (!isLink && !entry.isDirectory() && !(entry.isFile() && wanted(path))) continue;
      let stats: Stats;
      try {
        stats = statSync(path);
      } catch (error) {
        // A dangling link is no file of ours; anything else is worth saying.
        if (!(isLink && (error as NodeJS.ErrnoException).code === 'ENOENT')) {
          skipped.push({ path, reason: reasonOf(error) });
        }
        continue;
      }
      const viaLink = folder.viaLink || isLink;
      if (stats.isDirectory()) {
        if (isLink) {
          // Claimed when walked, so a real path met later still wins.
          linked.push({ path, viaLink });
        } else {
          const id = identity(stats);
          if (seenFolders.has(id)) continue;
          seenFolders.add(id);
          folders.push({ path, viaLink });
        }
      } else if (stats.isFile() && wanted(path)) {
        found.push({ path, size: stats.size, mtimeMs: Math.trunc(stats.mtimeMs), id: identity(stats), viaLink });
      }
    }
  }

  // Paths without links first, then in path order: the first of a file's paths is the one kept.
  found.sort((x, y) =>
    x.viaLink !== y.viaLink ? (x.viaLink ? 1 : -1) : x.path < y.path ? -1 : x.path > y.path ? 1 : 0,
  );
  const seenFiles = new Set<string>();
  const files: FoundFile[] = [];
  for (const { viaLink: _viaLink, ...file } of found) {
    if (seenFiles.has(file.id)) continue;
    seenFiles.add(file.id);
    files.push(file);
  }
  files.sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0));
  return { files, skipped };
}
