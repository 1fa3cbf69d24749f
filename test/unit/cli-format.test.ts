/** `baton task` in words: the agent and model, the agent's own session id and reasoning tokens, and the changes line. */
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { formatTaskDetail, formatTaskLine, taskCostText } from '../../src-main/cli/format';
import { exitQuietlyOnClosedPipe } from '../../src-main/cli/cli-error';
import type { TaskSummary } from '../../src-main/contract/views';
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
  // One iteration, in the right number.
  expect(text).toContain('         1 iteration, ');
  expect(text).not.toContain('1 iterations');
  expect((await core.store.taskSummary(task.id))?.statusReason).toBe('reached its limit of 1 iteration');
});

it('says a task’s cost is unknown, or short, as the window does, never $0.00 for an unknown one', () => {
  const summary = (costUsd: number, totalTokens: number, unknownCostTokens: number) =>
    ({
      id: 'task-1',
      createdAt: Date.UTC(2026, 11, 7, 8, 31),
      status: 'completed',
      iterations: 1,
      title: 'Codex task',
      totals: { costUsd, totalTokens, unknownCostTokens },
    }) as unknown as TaskSummary;
  expect(taskCostText(summary(0, 7812, 7812))).toBe('unknown');
  expect(formatTaskLine(summary(0, 7812, 7812))).toContain('  unknown  Codex task');
  expect(formatTaskLine(summary(0, 7812, 7812))).not.toContain('$0.00');
  expect(taskCostText(summary(0.11, 9000, 7812))).toBe('$0.11 + unknown');
  expect(taskCostText(summary(0.11, 9000, 0))).toBe('$0.11');
});

it('exits quietly, with 0, when the reader of its output closed the pipe', () => {
  const stream = new EventEmitter();
  const exits: number[] = [];
  exitQuietlyOnClosedPipe(stream as unknown as NodeJS.WriteStream, (code) => exits.push(code));
  stream.emit('error', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
  expect(exits).toEqual([0]);
  // Any other failure to write is still one.
  expect(() => stream.emit('error', Object.assign(new Error('write EIO'), { code: 'EIO' }))).toThrow('EIO');
});
