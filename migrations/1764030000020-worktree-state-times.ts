import type { Migration, MigrationDb } from './migration';

/**
 * `task_worktrees.state_changed_at`: when a worktree was merged or discarded (epoch ms), so a task's page can say
 * when. Worktrees merged or discarded before have none (NULL).
 */
export class WorktreeStateTimes1764030000020 implements Migration {
  name = 'WorktreeStateTimes1764030000020';

  async up(db: MigrationDb): Promise<void> {
    await db.query(`ALTER TABLE task_worktrees ADD COLUMN state_changed_at INTEGER`);
  }

  async down(db: MigrationDb): Promise<void> {
    await db.query(`ALTER TABLE task_worktrees DROP COLUMN state_changed_at`);
  }
}
