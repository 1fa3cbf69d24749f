/** Unified diffs as `git diff` prints them, read for the window: split per file, counted, sized. */

/** A size in bytes as people read it: 900 B, 12.5 KB, 3.2 MB (1 KB = 1024 B). */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value >= 100 ? Math.round(value) : Number(value.toFixed(1))} ${units[unit]}`;
}

/** A patch's size in bytes as sent (UTF-8), for the "only its first …" of a truncated diff. */
export const byteLength = (patch: string): number => new TextEncoder().encode(patch).length;

/** Whether a patch has lines to draw (a hunk), rather than only a header (a binary file, a rename, a mode). */
export const hasHunks = (patch: string): boolean => patch.startsWith('@@ ') || patch.includes('\n@@ ');

/**
 * A multi-file patch as `git diff` prints it, split into one patch per file
 * (each starting at its `diff --git` line), with the path it names after `b/`.
 */
export function splitPatch(patch: string): { path: string; patch: string }[] {
  const parts = patch.split(/^(?=diff --git )/m).filter((part) => part.startsWith('diff --git '));
  return parts.map((part) => {
    const header = part.slice(0, part.indexOf('\n') === -1 ? undefined : part.indexOf('\n'));
    const named = / b\/(.+)$/.exec(header);
    return { path: named?.[1] ?? header.slice('diff --git '.length), patch: part };
  });
}

/** What happened to a file, as its patch's header says. */
export type FileKind = 'added' | 'deleted' | 'renamed' | 'modified';

/** One file of a multi-file patch, counted as `git diff --numstat` would count it. */
export interface PatchFile {
  path: string;
  patch: string;
  insertions: number;
  deletions: number;
  binary: boolean;
  kind: FileKind;
}

function kindOf(header: string): FileKind {
  if (/^new file mode /m.test(header)) return 'added';
  if (/^deleted file mode /m.test(header)) return 'deleted';
  if (/^rename from /m.test(header)) return 'renamed';
  return 'modified';
}

/** Each file of a patch with its lines added and removed (counted in its hunks, past the `---`/`+++` header). */
export function patchFiles(patch: string): PatchFile[] {
  return splitPatch(patch).map(({ path, patch: part }) => {
    const firstHunk = part.search(/^@@ /m);
    const header = firstHunk === -1 ? part : part.slice(0, firstHunk);
    let insertions = 0;
    let deletions = 0;
    if (firstHunk !== -1) {
      for (const line of part.slice(firstHunk).split('\n')) {
        if (line.startsWith('+')) insertions++;
        else if (line.startsWith('-')) deletions++;
      }
    }
    return {
      path,
      patch: part,
      insertions,
      deletions,
      binary: /^Binary files .* differ$/m.test(header) || /^GIT binary patch$/m.test(header),
      kind: kindOf(header),
    };
  });
}
