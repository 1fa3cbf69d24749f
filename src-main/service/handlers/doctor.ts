/** `baton doctor`: what crashes left of task worktrees, and the removal of what launches cut short left. */
import type { BatonHandlers } from '../../contract/api';
import type { OrphanedWorktreeView } from '../../contract/views';
import { orphanedWorktrees, removeOrphanedWorktree } from '../../core/orchestrator/worktree-recovery';
import { isProcessAlive } from '../../core/process-tree';
import type { ServiceContext } from '../service-context';

export function doctorHandlers({ core }: ServiceContext): Pick<BatonHandlers, 'doctor'> {
  return {
    doctor: async ({ fix }) => {
      // A launch under way, here or in another live Baton, is no orphan: its note names a live process.
      const found = await orphanedWorktrees(core.store, core.dataDir, isProcessAlive);
      const orphans: OrphanedWorktreeView[] = [];
      for (const orphan of found) {
        let problem: string | null = null;
        if (fix) {
          try {
            await removeOrphanedWorktree(orphan, core.dataDir);
          } catch (error) {
            problem = (error as Error).message;
          }
        }
        orphans.push({ ...orphan, removed: fix && problem === null, problem });
      }
      return { recovered: core.recovered, orphans };
    },
  };
}
