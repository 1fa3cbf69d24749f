/**
 * Notes left beside a task's worktree folder while Baton does what a crash could cut in two: making the
 * worktree (its branch and folder exist before the task's row does) and merging it (the merge lands
 * before the row says so). Each names the process that wrote it; the next start acts on those whose
 * process is gone (see worktree-recovery).
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

export const JOURNAL_KINDS = ['launching', 'merging'] as const;
export type JournalKind = (typeof JOURNAL_KINDS)[number];

const entrySchema = z.object({
  kind: z.enum(JOURNAL_KINDS),
  pid: z.number().int().positive(),
  taskId: z.string().min(1),
  repositoryRoot: z.string().min(1),
  /** The worktree's folder; the note is beside it. */
  path: z.string().min(1),
  branch: z.string().min(1),
});
export type JournalEntry = z.infer<typeof entrySchema>;

const SUFFIX = '.json';
const fileOf = (worktreePath: string, kind: JournalKind) => `${worktreePath}.${kind}${SUFFIX}`;

/** Writes the note whole or not at all: one cut in half would name nothing. */
export function writeJournal(entry: Omit<JournalEntry, 'pid'>): void {
  const file = fileOf(entry.path, entry.kind);
  mkdirSync(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, JSON.stringify({ ...entry, pid: process.pid }));
  renameSync(temporary, file);
}

export function removeJournal(worktreePath: string, kind: JournalKind): void {
  rmSync(fileOf(worktreePath, kind), { force: true });
}

function readEntry(file: string): JournalEntry | undefined {
  try {
    const parsed = entrySchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** The note of that kind beside a worktree folder, if there is a readable one. */
export function readJournal(worktreePath: string, kind: JournalKind): JournalEntry | undefined {
  const entry = readEntry(fileOf(worktreePath, kind));
  // A note names its own folder: one that names another was not written for this worktree.
  return entry && entry.kind === kind && entry.path === worktreePath ? entry : undefined;
}

/** Every readable note of a kind in a folder of worktrees. */
export function journalsIn(worktreesDir: string, kind: JournalKind): JournalEntry[] {
  let names: string[];
  try {
    names = readdirSync(worktreesDir);
  } catch {
    return [];
  }
  return names
    .filter((name) => name.endsWith(`.${kind}${SUFFIX}`))
    .map((name) => readJournal(path.join(worktreesDir, name.slice(0, -`.${kind}${SUFFIX}`.length)), kind))
    .filter((entry): entry is JournalEntry => entry !== undefined);
}
