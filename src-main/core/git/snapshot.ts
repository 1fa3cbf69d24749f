/**
 * Snapshots of a working tree that leave the user's HEAD, index and branches alone: the files are
 * added to an index of Baton's own (GIT_INDEX_FILE), written as a tree, wrapped in a commit and kept
 * under refs/baton/, so gc keeps it. Files .gitignore ignores stay out, as they would of a commit.
 */
import { randomUUID } from 'node:crypto';
import { copyFileSync, existsSync, rmSync, statSync, utimesSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FileChange } from '../../contract/views';
import { git, gitHead } from './git';

/** Who Baton's own commits are by, where the user's identity is not asked for. */
export const BATON_IDENTITY: NodeJS.ProcessEnv = {
  GIT_AUTHOR_NAME: 'Baton',
  GIT_AUTHOR_EMAIL: 'baton@localhost',
  GIT_COMMITTER_NAME: 'Baton',
  GIT_COMMITTER_EMAIL: 'baton@localhost',
};

/** The tree of the work tree's files as they are now, without touching the real index. */
export async function workingTree(root: string): Promise<string> {
  const index = path.join(os.tmpdir(), `baton-index-${randomUUID()}`);
  try {
    // Starting from a copy of the real index lets git skip re-hashing every file it already knows unchanged.
    const { stdout } = await git(['rev-parse', '--path-format=absolute', '--git-path', 'index'], { cwd: root });
    const realIndex = stdout.trim();
    if (existsSync(realIndex)) {
      copyFileSync(realIndex, index);
      // The copy keeps the index's own time: git re-reads a file changed in the same second as the index was
      // written ("racily clean"), and a copy stamped now would make it trust a rewrite of the same size.
      const { atime, mtime } = statSync(realIndex);
      utimesSync(index, atime, mtime);
    }
    const env = { GIT_INDEX_FILE: index };
    await git(['add', '--all', '--', ':/'], { cwd: root, env });
    return (await git(['write-tree'], { cwd: root, env })).stdout.trim();
  } finally {
    rmSync(index, { force: true });
  }
}

/** Whether the work tree has nothing git would add (what .gitignore ignores aside). */
export async function workTreeIsClean(root: string): Promise<boolean> {
  const { stdout } = await git(['status', '--porcelain', '--untracked-files=all'], { cwd: root });
  return stdout.trim() === '';
}

/**
 * A commit of the work tree as it is, on top of `parent` (none in a repository without commits),
 * kept under `ref`. Returns its id.
 */
export async function snapshotCommit(
  root: string,
  options: { parent: string | null; message: string; ref: string },
): Promise<string> {
  const tree = await workingTree(root);
  const parents = options.parent ? ['-p', options.parent] : [];
  const { stdout } = await git(['commit-tree', tree, ...parents, '-m', options.message], {
    cwd: root,
    env: BATON_IDENTITY,
  });
  const commit = stdout.trim();
  await git(['update-ref', options.ref, commit], { cwd: root });
  return commit;
}

/** Deletes every ref under `prefix` (which ends in a slash), so the commits they kept can be collected. */
export async function deleteRefs(root: string, prefix: string): Promise<void> {
  const { stdout } = await git(['for-each-ref', '--format=%(refname)', prefix], { cwd: root });
  const refs = stdout.split('\n').filter(Boolean);
  for (const ref of refs) await git(['update-ref', '-d', ref], { cwd: root });
}

/** How many files the session keeps by name; the counts cover all of them. */
export const MAX_LISTED_FILES = 500;

export interface ChangeStats {
  filesChanged: number;
  insertions: number;
  deletions: number;
  /** The first MAX_LISTED_FILES, by path. */
  files: FileChange[];
}

/** Options that keep the user's diff configuration (external tools, colours, renames) out of what Baton reads. */
const PLAIN_DIFF = ['--no-ext-diff', '--no-textconv', '--no-color', '--no-renames'];

/** What changed between two commits, per file, as `git diff --numstat` counts it. */
export async function changeStats(root: string, before: string, after: string): Promise<ChangeStats> {
  const { stdout } = await git(['diff', '--numstat', '-z', ...PLAIN_DIFF, before, after], { cwd: root });
  const files: FileChange[] = [];
  let filesChanged = 0;
  let insertions = 0;
  let deletions = 0;
  for (const record of stdout.split('\0')) {
    const match = /^(-|\d+)\t(-|\d+)\t(.*)$/s.exec(record);
    if (!match) continue;
    const [, added, removed, file] = match as unknown as [string, string, string, string];
    const binary = added === '-';
    const change = {
      path: file,
      insertions: binary ? 0 : Number(added),
      deletions: binary ? 0 : Number(removed),
      binary,
    };
    filesChanged++;
    insertions += change.insertions;
    deletions += change.deletions;
    if (files.length < MAX_LISTED_FILES) files.push(change);
  }
  return { filesChanged, insertions, deletions, files };
}

/** The unified diff between two commits (of one file when `file` is given), cut at a line end past `maxBytes`. */
export async function unifiedDiff(
  root: string,
  range: { before: string; after: string; file?: string },
  maxBytes: number,
): Promise<{ patch: string; truncated: boolean; totalBytes: number }> {
  const args = ['diff', ...PLAIN_DIFF, range.before, range.after, '--'];
  // ':(literal)' so a file named like a pathspec pattern ('*.ts') means only itself.
  if (range.file !== undefined) args.push(`:(literal)${range.file}`);
  const { head, totalBytes } = await gitHead(args, { cwd: root, keepBytes: maxBytes });
  if (totalBytes <= maxBytes) return { patch: head.toString('utf8'), truncated: false, totalBytes };
  const lastLineEnd = head.lastIndexOf(0x0a);
  const cut = lastLineEnd >= 0 ? head.subarray(0, lastLineEnd + 1) : head;
  return { patch: cut.toString('utf8'), truncated: true, totalBytes };
}
