import type { Migration, MigrationDb } from './migration';

/**
 * What each iteration changed and how its check ended, and the worktrees tasks run in.
 *
 * Per session: the commits before and after (snapshots, or the worktree's checkpoint), the diff's
 * counts as columns (History sums them), and the first files by name as JSON; the check's exit code,
 * duration, timeout and the tail of its output. `git_before` is written with the row's INSERT, so a
 * crash mid-iteration leaves it for the next start to finish the record from.
 *
 * Per task: whether changes are tracked (`git`, or why not), and `stalled`: a task that ended for
 * making no progress is stored as 'failed' with it set, as the tasks table's CHECK has no 'stalled'
 * and rebuilding that table would cascade-delete its sessions inside the migrations' transaction.
 */
export class IterationOutcomes1764030000011 implements Migration {
  name = 'IterationOutcomes1764030000011';

  async up(db: MigrationDb): Promise<void> {
    for (const column of [
      'git_before TEXT',
      'git_after TEXT',
      'files_changed INTEGER',
      'insertions INTEGER',
      'deletions INTEGER',
      'changed_files TEXT',
      'check_exit_code INTEGER',
      'check_duration_ms INTEGER',
      'check_output TEXT',
      'check_timed_out INTEGER',
    ]) {
      await db.query(`ALTER TABLE sessions ADD COLUMN ${column}`);
    }
    await db.query(`ALTER TABLE tasks ADD COLUMN change_tracking TEXT`);
    await db.query(`ALTER TABLE tasks ADD COLUMN stalled INTEGER NOT NULL DEFAULT 0`);
    await db.query(`
      CREATE TABLE task_worktrees (
        task_id         TEXT PRIMARY KEY NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
        repository_root TEXT NOT NULL,
        path            TEXT NOT NULL,
        branch          TEXT NOT NULL,
        base_commit     TEXT NOT NULL,
        base_branch     TEXT,
        state           TEXT NOT NULL DEFAULT 'active' CHECK (state IN ('active','merged','discarded')),
        created_at      INTEGER NOT NULL
      )`);
  }

  async down(db: MigrationDb): Promise<void> {
    await db.query(`DROP TABLE task_worktrees`);
    await db.query(`ALTER TABLE tasks DROP COLUMN stalled`);
    await db.query(`ALTER TABLE tasks DROP COLUMN change_tracking`);
    for (const column of [
      'check_timed_out',
      'check_output',
      'check_duration_ms',
      'check_exit_code',
      'changed_files',
      'deletions',
      'insertions',
      'files_changed',
      'git_after',
      'git_before',
    ]) {
      await db.query(`ALTER TABLE sessions DROP COLUMN ${column}`);
    }
  }
}
