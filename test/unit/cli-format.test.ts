/** `baton task` in words: the agent and model, the agent's own session id and reasoning tokens, and the changes line. */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { formatTaskDetail } from '../../src-main/cli/format';
import { type BatonCore, openBatonCore } from '../../src-main/core/baton-core';
import { ScriptedAgent, success } from '../support/scripted-agent';

let dir: string;
let core: BatonCore | undefined;

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'baton-cli-format-'));
});
afterEach(async () => {
  await core?.close();
  rmSync(dir, { recursive: true, force: true });
});

it('names the agent and model, the agent’s own id and reasoning tokens, and why no changes were recorded', async () => {
  const reply = success('done');
  const agent = new ScriptedAgent(() => ({
    ...reply,
    result: { ...reply.result, reasoningTokens: 1234 },
    agentSessionId: 'thread-from-the-agent',
  }));
  core = await openBatonCore({
    databaseFile: path.join(dir, 'baton.db'),
    agent,
    agents: { codex: agent },
    retry: { baseDelayMs: 0, maxDelayMs: 0 },
  });
  const task = await core.orchestrator.createTask({
    dir,
    prompt: 'x',
    agent: 'codex',
    model: 'gpt-5.5',
    maxIterations: 1,
  });
  await core.orchestrator.runTask(task.id);
  const text = formatTaskDetail((await core.store.taskDetail(task.id))!);
  expect(text).toContain('agent    codex, model gpt-5.5');
  expect(text).toContain("    agent's id thread-from-the-agent, reasoning 1,234 (in out)");
  expect(text).toContain('changes  not recorded: the directory is not in a git repository');
});
