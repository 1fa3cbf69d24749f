import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BatonEvent } from '../../src-main/contract/events';
import type { BatonService } from '../../src-main/service/baton-service';
import { openBaton } from '../../src-main/service/open-baton';

// The stand-in agent holds every iteration until the test opens the gate, then replays a real CLI transcript.
let dir: string;
let databaseFile: string;
let host: BatonService;
let events: BatonEvent[];
const transcript = path.join(__dirname, '..', 'fixtures', 'claude-stream-json-tool-use.jsonl');

function gatedClaude(): string {
  const file = path.join(dir, 'claude');
  writeFileSync(file, `#!/bin/sh\nwhile [ ! -f '${dir}/go' ]; do sleep 0.02; done\ncat '${transcript}'\n`);
  chmodSync(file, 0o755);
  return file;
}

const openGate = (): void => writeFileSync(path.join(dir, 'go'), '');

async function call<T = unknown>(service: BatonService, method: string, input: unknown): Promise<T> {
  const outcome = await service.dispatch(method, input);
  if (!outcome.ok) throw new Error(`${outcome.error.code}: ${outcome.error.message}`);
  return outcome.value as T;
}

async function until(what: string, ok: () => boolean, ms = 5000): Promise<void> {
  for (const end = Date.now() + ms; !ok();) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const started = (taskId: string) => events.some((e) => e.type === 'task.started' && e.taskId === taskId);
const finished = (taskId: string) => events.some((e) => e.type === 'task.finished' && e.taskId === taskId);

/** For each task that started from `from` on: how many of this service's tasks were running as it started. */
function runningAtEachStart(from: number): number[] {
  const running = new Set<string>();
  const atStart: number[] = [];
  events.forEach((e, i) => {
    if (e.type === 'task.started') {
      if (i >= from) atStart.push(running.size);
      running.add(e.taskId);
    } else if (e.type === 'task.finished') running.delete(e.taskId);
  });
  return atStart;
}

async function launch(prompt: string): Promise<string> {
  return (await call<{ id: string }>(host, 'launchTask', { dir, prompt, maxIterations: 1 })).id;
}

async function status(taskId: string): Promise<string> {
  return (await call<{ status: string }>(host, 'getTask', { taskId })).status;
}

beforeEach(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'baton-concurrency-'));
  databaseFile = path.join(dir, 'baton.db');
  host = await openBaton({ databaseFile, mode: 'browser', claudeBinary: gatedClaude(), env: {} });
  events = [];
  host.subscribe((e) => events.push(e));
});
afterEach(async () => {
  openGate();
  await host.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the concurrency setting', () => {
  it('lowered while tasks run, stops none of them and starts no more until fewer run than it allows', async () => {
    await call(host, 'updateSettings', { maxConcurrentTasks: 2 });
    const a = await launch('a');
    const b = await launch('b');
    await until('a and b to start', () => started(a) && started(b));

    await call(host, 'updateSettings', { maxConcurrentTasks: 1 });
    const lowered = events.length;
    const rest = [await launch('c'), await launch('d'), await launch('e')];
    // Whether one of them started early shows below, in the order of the starts, with no wait here.
    expect(await Promise.all([a, b, ...rest].map(status))).toEqual([
      'running',
      'running',
      'queued',
      'queued',
      'queued',
    ]);

    openGate();
    await until('every task to end', () => [a, b, ...rest].every(finished), 15000);
    // c, d and e each started alone: after a and b had both ended, and one at a time.
    expect(runningAtEachStart(lowered)).toEqual([0, 0, 0]);
  });

  it('raised, starts a queued task at once', async () => {
    await call(host, 'updateSettings', { maxConcurrentTasks: 1 });
    const a = await launch('a');
    const b = await launch('b');
    await until('a to start', () => started(a));
    expect(await status(b)).toBe('queued');

    await call(host, 'updateSettings', { maxConcurrentTasks: 2 });
    // The gate is still shut, so a still runs: b started because the limit rose, not because a slot freed.
    await until('b to start', () => started(b), 2000);
    expect(await Promise.all([a, b].map(status))).toEqual(['running', 'running']);
  });

  it('changed by another process on the same database, holds for the next start of the open service', async () => {
    // `baton settings --max-concurrent-tasks 1` from the CLI while `baton serve` runs: another connection writes it.
    const other = await openBaton({ databaseFile, mode: 'cli', env: {} });
    try {
      expect(await call(host, 'getSettings', {})).toMatchObject({ maxConcurrentTasks: 2 });
      await call(other, 'updateSettings', { maxConcurrentTasks: 1 });

      const a = await launch('a');
      const b = await launch('b');
      await until('a to start', () => started(a));
      expect(await status(b)).toBe('queued');

      // Raised elsewhere too: the waiting task starts though nothing happened in this service, and only
      // then: its start comes after the raise, so the limit of 1 held it until there.
      const raised = events.length;
      await call(other, 'updateSettings', { maxConcurrentTasks: 2 });
      await until('b to start', () => started(b), 3000);
      expect(events.findIndex((e) => e.type === 'task.started' && e.taskId === b)).toBeGreaterThanOrEqual(raised);
      expect(await Promise.all([a, b].map(status))).toEqual(['running', 'running']);
    } finally {
      await other.close();
    }
  });

  it('stops a queued task at once, and the task behind it takes the freed place in line', async () => {
    await call(host, 'updateSettings', { maxConcurrentTasks: 1 });
    const a = await launch('a');
    const b = await launch('b');
    const c = await launch('c');
    await until('a to start', () => started(a));
    expect(await call(host, 'stopTask', { taskId: b })).toEqual({ stopped: true });
    expect(await status(b)).toBe('cancelled');

    openGate();
    await until('a and c to end', () => finished(a) && finished(c), 15000);
    expect(started(b)).toBe(false);
    expect(runningAtEachStart(0)).toEqual([0, 0]);
  });
});
