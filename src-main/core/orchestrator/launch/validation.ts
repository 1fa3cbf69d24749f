/**
 * What a launch must pass before anything is made: the spec itself, its directory, and the repository a
 * `--worktree` task branches from. None of it needs the database.
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import { inputIssuesOf } from '../../../contract/api';
import { describeSpecError, type TaskSpec, type TaskSpecInput, taskSpecSchema } from '../../../contract/task-spec';
import { findRepository } from '../../git/repository';
import { InvalidTaskError } from '../errors';

/** Validates a spec, including that its directory exists, and normalises it. */
export function validateTaskSpec(input: TaskSpecInput): TaskSpec {
  const parsed = taskSpecSchema.safeParse(input);
  if (!parsed.success) throw new InvalidTaskError(describeSpecError(parsed.error), inputIssuesOf(parsed.error));
  const spec = parsed.data;
  // Every text of a spec ends up in an argument, a shell command or the agent's prompt, none of which can hold
  // a NUL byte: refused here, it would only fail each iteration at spawn. (The prompt and check say so in the schema.)
  for (const [field, value] of Object.entries(spec)) {
    if (!(Array.isArray(value) ? value : [value]).some((text) => typeof text === 'string' && text.includes('\0'))) {
      continue;
    }
    const message = `the ${field.replace(/[A-Z]/g, (c) => ` ${c.toLowerCase()}`)} must not contain a NUL byte (\\0)`;
    throw new InvalidTaskError(message, [{ path: [field], message }]);
  }
  const dirError = (message: string) => new InvalidTaskError(message, [{ path: ['dir'], message }]);
  // Resolved here, a relative path would mean the folder Baton happens to run in: each front end resolves its own.
  if (!path.isAbsolute(spec.dir)) {
    throw dirError(`the project directory must be an absolute path, not ${spec.dir} (~ is not expanded)`);
  }
  const dir = path.resolve(spec.dir);
  let isDirectory: boolean;
  try {
    isDirectory = statSync(dir).isDirectory();
  } catch {
    throw dirError(`project directory ${dir} does not exist`);
  }
  if (!isDirectory) throw dirError(`project directory ${dir} is not a directory`);
  return { ...spec, dir };
}

export const worktreeRefusal = (message: string) => new InvalidTaskError(message, [{ path: ['worktree'], message }]);

/** The repository and commit a `--worktree` task would branch from, or a refusal naming what is missing. */
export async function worktreeBase(dir: string): Promise<{ root: string; head: string; branch: string | null }> {
  const lookup = await findRepository(dir);
  if (lookup.kind === 'git_unavailable') throw worktreeRefusal(`--worktree needs git: ${lookup.reason}`);
  if (lookup.kind === 'not_a_repository') {
    throw worktreeRefusal(`--worktree needs a git repository, and ${dir} is not in one`);
  }
  const { root, head, branch } = lookup.repository;
  if (!head) throw worktreeRefusal(`--worktree needs a commit to branch from, and the repository ${root} has none yet`);
  return { root, head, branch };
}

/**
 * Checks what of a spec needs no database, the repository of a `--worktree` task included, writing nothing:
 * a command refuses such input before it opens one. What needs the store (the agent, a budget's prices,
 * today's budget) is the orchestrator's checkNewTask.
 */
export async function checkLaunch(input: TaskSpecInput): Promise<TaskSpec> {
  const spec = validateTaskSpec(input);
  if (spec.worktree) await worktreeBase(spec.dir);
  return spec;
}

export function titleOf(spec: TaskSpec): string {
  if (spec.title) return spec.title;
  const firstLine = spec.prompt.split('\n')[0] ?? spec.prompt;
  return firstLine.length > 80 ? `${firstLine.slice(0, 79)}…` : firstLine;
}
