/**
 * `baton doctor [--fix] [--json]`: what crashes left of task worktrees. Opening Baton already put right what
 * it could (stale git locks, merges that had landed); what remains are the worktrees and branches of launches
 * cut short, which belong to no task and so are removed only when asked. Exits 1 while any remains.
 */
import type { DoctorReport, OrphanedWorktreeView } from '../contract/views';
import { openBaton } from '../service/open-baton';
import { EXIT_NOT_COMPLETED, out } from './cli-error';

export interface DoctorOptions {
  fix?: boolean;
  json?: boolean;
  db?: string;
}

function orphanLine(orphan: OrphanedWorktreeView): string {
  const what = [
    orphan.folderExists ? `worktree ${orphan.path}` : undefined,
    orphan.branchExists ? `branch ${orphan.branch} in ${orphan.repositoryRoot}` : undefined,
  ]
    .filter(Boolean)
    .join(', ');
  const state = orphan.removed ? 'removed' : orphan.problem ? `kept: ${orphan.problem}` : 'remove with --fix';
  return `  ${what} (launch of task ${orphan.taskId} cut short): ${state}`;
}

function printReport(report: DoctorReport): void {
  if (report.recovered.length > 0) {
    out('Put right when Baton opened:');
    for (const line of report.recovered) out(`  ${line}`);
  }
  if (report.orphans.length > 0) {
    out('Left by launches cut short, with no task:');
    for (const orphan of report.orphans) out(orphanLine(orphan));
  }
  if (report.recovered.length === 0 && report.orphans.length === 0) out('Nothing left behind by a crash.');
}

export async function doctorCommand(options: DoctorOptions): Promise<number> {
  const service = await openBaton({ mode: 'cli', databaseFile: options.db });
  try {
    const report = await service.call('doctor', { fix: options.fix === true });
    if (options.json) out(JSON.stringify(report));
    else printReport(report);
    return report.orphans.some((orphan) => !orphan.removed) ? EXIT_NOT_COMPLETED : 0;
  } finally {
    await service.close();
  }
}
