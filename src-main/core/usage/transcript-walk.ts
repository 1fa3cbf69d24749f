/**
 * Finding the transcript files under a folder, as the import walks it.
 * - Each real folder is walked once, however many symlinks lead to it: a link back to a parent folder would
 *   otherwise make the walk follow an ever longer path (and two such links, exponentially many).
 * - A file reached by several paths (a link to it, or to its folder) is one file, listed under the first of
 *   its paths in path order, so it is read and counted once, and under the same path every time.
 * - What cannot be listed or looked at (no permission, gone since its folder was read) is passed over and
 *   reported; the walk itself never fails.
 */
import { type Dirent, readdirSync, statSync, type Stats } from 'node:fs';

export interface FoundFile {
  path: string;
  size: number;
  mtimeMs: number;
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
  const found: Array<FoundFile & { id: string }> = [];
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

  // Depth first, from a stack: the folders of a deep tree cost no recursion.
  const folders = [root];
  for (let folder = folders.pop(); folder !== undefined; folder = folders.pop()) {
    let entries: Dirent[];
    try {
      entries = readdirSync(folder, { withFileTypes: true });
    } catch (error) {
      skipped.push({ path: folder, reason: reasonOf(error) });
      continue;
    }
    // Children in a fixed order, so which of two paths to one folder is walked is the same every time.
    entries.sort((x, y) => (x.name < y.name ? 1 : x.name > y.name ? -1 : 0));
    for (const entry of entries) {
      const path = `${folder}/${entry.name}`;
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
      if (stats.isDirectory()) {
        const id = identity(stats);
        if (seenFolders.has(id)) continue;
        seenFolders.add(id);
        folders.push(path);
      } else if (stats.isFile() && wanted(path)) {
        found.push({ path, size: stats.size, mtimeMs: Math.trunc(stats.mtimeMs), id: identity(stats) });
      }
    }
  }

  found.sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0));
  const seenFiles = new Set<string>();
  const files: FoundFile[] = [];
  for (const { id, ...file } of found) {
    if (seenFiles.has(id)) continue;
    seenFiles.add(id);
    files.push(file);
  }
  return { files, skipped };
}
