/**
 * Every input the contract takes is bounded where it is declared: past a bound, a call is refused as
 * invalid_input naming the field (400 in browser mode), never an internal error after running for seconds.
 * The service is real, over a finished task in a git repository, so each input reaches the code it fed.
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { CallOutcome } from '../../src-main/contract/api';
import type { BatonEvent } from '../../src-main/contract/events';
import { RpcPeer } from '../../src-main/contract/rpc-peer';
import { type BrowserServer, startBrowserServer } from '../../src-main/server/browser-server';
import type { BatonService } from '../../src-main/service/baton-service';
import { checkTaskSpec, openBaton } from '../../src-main/service/open-baton';
import { deeplyNestedJson } from '../support/deep-json';
import { makeRepository } from '../support/git-repositories';
import { checkedOutcome, wsClientPort } from '../support/rpc';

const MiB = 1024 * 1024;
const transcript = path.join(__dirname, '..', 'fixtures', 'claude-stream-json-tool-use.jsonl');
/** The latest time JavaScript can hold: 8.64e15 ms, in the year 275760. */
const END_OF_TIME = 8.64e15;

let dir: string;
let project: string;
let host: BatonService;
let server: BrowserServer;
let taskId: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'baton-bounds-'));
  project = path.join(dir, 'project');
  makeRepository(project, { 'a.txt': 'a\n' });
  // A stand-in agent that changes a file, so the task has a diff, and replays a real transcript.
  const claude = path.join(dir, 'claude');
  writeFileSync(claude, `#!/bin/sh\necho changed >> a.txt\ncat ${transcript}\n`);
  chmodSync(claude, 0o755);
  host = await openBaton({ databaseFile: path.join(dir, 'baton.db'), mode: 'browser', claudeBinary: claude, env: {} });
  const finished = new Promise<void>((resolve) => host.subscribe((e) => e.type === 'task.finished' && resolve()));
  taskId = (await host.call('launchTask', { dir: project, prompt: 'change a.txt', maxIterations: 1 })).id;
  await finished;
  writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>Baton</title>');
  server = await startBrowserServer({ host, staticDir: dir, log: () => undefined });
});
afterAll(async () => {
  await server.close();
  await host.close();
  rmSync(dir, { recursive: true, force: true });
});

async function post(method: string, input: unknown): Promise<{ status: number; outcome: CallOutcome }> {
  const response = await fetch(`http://127.0.0.1:${server.port}/api/${method}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${server.token}` },
    body: JSON.stringify(input),
  });
  return { status: response.status, outcome: checkedOutcome(method, (await response.json()) as CallOutcome) };
}

/** The answer to a call refused at the contract: 400, invalid_input, the field named, and why. */
const refusedAt = (field: (string | number)[], why: RegExp) => ({
  status: 400,
  outcome: {
    ok: false,
    error: { code: 'invalid_input', issues: [{ path: field, message: expect.stringMatching(why) as unknown }] },
  },
});

describe('inputs that once ended as internal errors', () => {
  it('refuses a chart or an export ending past the year 9999, instead of counting months to 275760', async () => {
    const range = /the end of the range must be a time from 1970 to the year 9999/;
    expect(await post('getHistoryCharts', { filter: { to: END_OF_TIME } })).toMatchObject(
      refusedAt(['filter', 'to'], range),
    );
    expect(await post('exportTasks', { filter: { to: END_OF_TIME + 3 * 86_400_000 }, format: 'csv' })).toMatchObject(
      refusedAt(['filter', 'to'], range),
    );
    expect(await post('exportTasks', { filter: { from: END_OF_TIME }, format: 'json' })).toMatchObject(
      refusedAt(['filter', 'from'], /the start of the range must be/),
    );
    // The last day allowed is still answered.
    expect(
      await post('getHistoryCharts', { filter: { to: Date.UTC(9999, 0, 1) }, timeZone: 'Pacific/Kiritimati' }),
    ).toMatchObject({ status: 200, outcome: { ok: true } });
  });

  it('refuses a NUL byte in a diff’s path, which git could never be given', async () => {
    expect(await post('getDiff', { taskId, path: 'a.txt\0' })).toMatchObject(
      refusedAt(['path'], /^the path must not contain a NUL byte/),
    );
    // The WebSocket is the same contract: the same refusal, on a socket that stays open.
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws`, {
      headers: { authorization: `Bearer ${server.token}` },
    });
    await new Promise((resolve) => ws.once('open', resolve));
    const peer = new RpcPeer(wsClientPort(ws));
    expect(await peer.request('getDiff', { taskId, path: 'a.txt\0' })).toMatchObject(
      refusedAt(['path'], /NUL byte/).outcome,
    );
    ws.close();
    expect(await post('getDiff', { taskId, path: 'a.txt' })).toMatchObject({
      status: 200,
      outcome: { ok: true, value: { patch: expect.stringContaining('+changed') as unknown } },
    });
  });
});

describe('every method input is bounded', () => {
  it('refuses each number, text and list past its bound, naming the field', async () => {
    const prices = { input: 1, output: 1, cacheWrite: 1, cacheRead: 1 };
    const cases: Array<[string, unknown, (string | number)[], RegExp]> = [
      ['listTasks', { filter: { from: 9e15 } }, ['filter', 'from'], /from 1970 to the year 9999/],
      ['listTasks', { filter: { search: 'fix\0' } }, ['filter', 'search'], /NUL byte/],
      ['listTasks', { filter: { projectId: 'p\0' } }, ['filter', 'projectId'], /NUL byte/],
      ['listTasks', { offset: 1e15 }, ['offset'], /at most 10000000/],
      ['getHistoryCharts', { filter: { from: END_OF_TIME } }, ['filter', 'from'], /from 1970 to the year 9999/],
      ['getTask', { taskId: `${taskId}\0` }, ['taskId'], /NUL byte/],
      ['getSessionEvents', { sessionId: 's\0' }, ['sessionId'], /NUL byte/],
      ['stopTask', { taskId: 't\0' }, ['taskId'], /NUL byte/],
      ['getDirectoryInfo', { dir: `${project}\0` }, ['dir'], /NUL byte/],
      ['getDirectoryInfo', { dir: `/${'d'.repeat(5000)}` }, ['dir'], /at most 4096 characters/],
      ['getDiff', { taskId, iteration: 1e15 }, ['iteration'], /at most 1000000/],
      ['launchTask', { dir: `/${'d'.repeat(5000)}`, prompt: 'p' }, ['dir'], /at most 4096 characters/],
      ['launchTask', { dir: project, prompt: 'p'.repeat(4 * MiB + 1) }, ['prompt'], /at most 4194304/],
      ['launchTask', { dir: project, prompt: 'p', title: 't'.repeat(501) }, ['title'], /at most 500/],
      ['launchTask', { dir: project, prompt: 'p', model: 'm'.repeat(201) }, ['model'], /at most 200/],
      ['launchTask', { dir: project, prompt: 'p', check: 'c'.repeat(16 * 1024 + 1) }, ['check'], /at most 16384/],
      ['launchTask', { dir: project, prompt: 'p', completionMarker: 'x'.repeat(201) }, ['completionMarker'], /200/],
      ['launchTask', { dir: project, prompt: 'p', maxTurns: 2 ** 40 }, ['maxTurns'], /at most 10000/],
      ['launchTask', { dir: project, prompt: 'p', maxTokens: 2 ** 50 }, ['maxTokens'], /at most 1000000000000/],
      ['updateSettings', { taskDefaults: { model: 'm\0' } }, ['taskDefaults', 'model'], /NUL byte/],
      ['updateSettings', { taskDefaults: { codex: { model: 'm\0' } } }, ['taskDefaults', 'codex', 'model'], /NUL/],
      ['updateSettings', { modelPrices: { 'm\0': prices } }, ['modelPrices', 'm\0'], /NUL byte/],
      ['getUsageReport', { kind: 'daily', filter: { since: '2025-02-30' } }, ['filter', 'since'], /calendar/],
      ['getUsageReport', { kind: 'daily', filter: { until: '0000-01-01' } }, ['filter', 'until'], /1970 to 9999/],
      ['getUsageReport', { kind: 'session', filter: { project: 'p\0' } }, ['filter', 'project'], /NUL byte/],
      ['getUsageReport', { kind: 'daily', filter: { timeZone: 'Z'.repeat(200) } }, ['filter', 'timeZone'], /100/],
      ['getUsageOverview', { filter: { since: '2025-13-01' } }, ['filter', 'since'], /calendar/],
      // A zone, never an offset, and one this system knows: History, its export and the budget's day alike.
      ['getHistoryCharts', { timeZone: 'Mars/Olympus' }, ['timeZone'], /^"Mars\/Olympus" is not a time zone/],
      ['getHistoryCharts', { timeZone: '+05:30' }, ['timeZone'], /is not a time zone this system knows/],
      ['exportTasks', { format: 'csv', timeZone: 'Europe/Nowhere' }, ['timeZone'], /IANA name/],
      ['updateSettings', { timeZone: 'Mars/Olympus' }, ['timeZone'], /is not a time zone/],
    ];
    const notRefused: string[] = [];
    for (const [method, input, field, why] of cases) {
      const outcome = await host.dispatch(method, input);
      const issue = outcome.ok ? undefined : outcome.error.issues.find((i) => i.path.join('.') === field.join('.'));
      const refused = !outcome.ok && outcome.error.code === 'invalid_input' && issue && why.test(issue.message);
      if (!refused) notRefused.push(`${method} ${field.join('.')}: ${JSON.stringify(outcome).slice(0, 200)}`);
    }
    expect(notRefused).toEqual([]);
    // Nothing of it was written: no second task, and the settings as they were.
    expect((await host.call('listTasks', {})).total).toBe(1);
    expect(await host.call('getSettings', {})).toMatchObject({ taskDefaults: {}, modelPrices: {} });
  });
});

describe('a batch of launches', () => {
  it('is checked against the same bounds before its first task is made', async () => {
    await expect(checkTaskSpec({ dir: project, prompt: 'p', maxTurns: 2 ** 40 })).rejects.toMatchObject({
      code: 'invalid_input',
      issues: [{ path: ['maxTurns'], message: 'max turns must be at most 10000' }],
    });
    await expect(checkTaskSpec({ dir: project, prompt: 'p', maxTurns: 10_000 })).resolves.toBeUndefined();
  });
});

describe('a limit the agent would not heed', () => {
  it('is refused for it, naming the field, rather than dropped while the task runs without it', async () => {
    for (const agent of ['codex', 'gemini'] as const) {
      const turns = host.call('launchTask', { dir: project, prompt: 'p', agent, maxTurns: 4 });
      await expect(turns).rejects.toMatchObject({ code: 'invalid_input', issues: [{ path: ['maxTurns'] }] });
      await expect(turns).rejects.toThrow(/takes no limit of turns/);
      await expect(
        checkTaskSpec({ dir: project, prompt: 'p', agent, allowedTools: ['Bash(ls:*)'] }),
      ).rejects.toMatchObject({ code: 'invalid_input', issues: [{ path: ['allowedTools'] }] });
    }
    // Nothing was made; Claude Code takes both, and an empty list is no list.
    expect((await host.call('listTasks', {})).total).toBe(1);
    await expect(
      checkTaskSpec({ dir: project, prompt: 'p', agent: 'claude', maxTurns: 4, allowedTools: ['Bash(ls:*)'] }),
    ).resolves.toBeUndefined();
    await expect(
      checkTaskSpec({ dir: project, prompt: 'p', agent: 'codex', allowedTools: [] }),
    ).resolves.toBeUndefined();
  });
});

describe('a tool input nested 20,000 levels deep', () => {
  it('is kept with its deep part cut: stored for replay, and sent on as every transport can carry it', async () => {
    // An assistant line calling a tool whose input holds an array 20,000 levels deep.
    const line =
      '{"type":"assistant","message":{"id":"msg_deep","content":[{"type":"tool_use","id":"toolu_deep",' +
      `"name":"Write","input":{"file_path":"/p/deep.json","deep":${deeplyNestedJson(20_000)}}}]}}`;
    const lines = readFileSync(transcript, 'utf8').trimEnd().split('\n');
    const deepTranscript = path.join(dir, 'deep.jsonl');
    writeFileSync(deepTranscript, [lines[0], line, ...lines.slice(1)].join('\n') + '\n');
    const claude = path.join(dir, 'claude-deep');
    writeFileSync(claude, `#!/bin/sh\ncat ${deepTranscript}\n`);
    chmodSync(claude, 0o755);
    const deepHost = await openBaton({
      databaseFile: path.join(dir, 'deep.db'),
      mode: 'cli',
      claudeBinary: claude,
      env: {},
    });
    const published: BatonEvent[] = [];
    deepHost.subscribe((event) => published.push(event));
    const logged: unknown[] = [];
    const log = console.error;
    console.error = (...args: unknown[]) => logged.push(args);
    try {
      const task = await deepHost.call('launchTask', { dir: project, prompt: 'p', maxIterations: 1 });
      await deepHost.waitForTask(task.id);
      const [session] = (await deepHost.call('getTask', { taskId: task.id })).sessions;
      const { events } = await deepHost.call('getSessionEvents', { sessionId: session?.sessionId ?? '' });
      const call = events.find((e) => e.kind === 'tool_use' && e.toolUseId === 'toolu_deep');
      expect(call).toMatchObject({ name: 'Write', input: { file_path: '/p/deep.json' } });
      expect(JSON.stringify(call)).toContain('[cut: nested deeper than 64 levels]');
      // What the bus carried serialises for the WebSocket and clones for IPC.
      const sent = published.find((e) => e.type === 'agent.event' && e.event.kind === 'tool_use');
      expect(() => structuredClone(sent)).not.toThrow();
      expect(JSON.stringify(sent)).toContain('[cut: nested deeper than 64 levels]');
      expect(logged).toEqual([]);
    } finally {
      console.error = log;
      await deepHost.close();
    }
  });
});
