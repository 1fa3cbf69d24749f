/**
 * Per-test set-up for tests that run the real claude CLI: a scripted API and
 * a fresh workspace, both torn down after each test.
 */
import { rmSync } from 'node:fs';
import { afterEach } from 'vitest';
import type { taskJson } from '../../src-main/cli/task-json';
import { makeWorkspace } from './baton-cli';
import { type Script, startScriptedServer } from './scripted-anthropic-server';

/** What `run --json` and `task --json` print. */
export type TaskJson = ReturnType<typeof taskJson>;

/** Call at the top of a test file; returns the per-test set-up. */
export function useScriptedWorkspaces() {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  return async (script: Script) => {
    const server = await startScriptedServer(script);
    const workspace = makeWorkspace(server.url);
    cleanups.push(
      () => server.close(),
      () => rmSync(workspace.root, { recursive: true, force: true }),
    );
    return { server, ...workspace };
  };
}
