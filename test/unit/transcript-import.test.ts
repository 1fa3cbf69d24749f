/**
 * The transcript import on files written here: incremental reads, rewritten and deleted files, keyless
 * lines, Baton's own sessions linked rather than doubled, Codex rollouts, and the reports over them.
 * Parity with ccusage itself is shown in test/integration/usage-parity.test.ts.
 */
import { appendFileSync, mkdirSync, rmSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BatonCore } from '../../src-main/core/baton-core';
import { importTranscripts, type TranscriptDirectory } from '../../src-main/core/usage/transcript-import';
import { connectionOf } from '../../src-main/core/store/write-transaction';
import { UsageReports } from '../../src-main/core/usage/usage-reports';
import { type ImportFixture, importFixture } from '../support/import-fixture';

let fixture: ImportFixture;
let root: string;
let core: BatonCore;
let claude: TranscriptDirectory;
let file: string;

beforeEach(async () => {
  fixture = await importFixture('import');
  ({ root, core, claude } = fixture);
  file = path.join(fixture.project, 'interactive-1.jsonl');
});
afterEach(() => fixture.close());

let messageCounter = 0;
/** An assistant line as Claude Code writes it; `blocks` lines share the message (one per content block). */
function assistant(
  options: {
    at?: string;
    model?: string;
    input?: number;
    output?: number;
    sessionId?: string;
    id?: string | null;
    blocks?: number;
  } = {},
): string {
  const id = options.id === undefined ? `msg_${++messageCounter}` : options.id;
  const line = {
    type: 'assistant',
    timestamp: options.at ?? '2026-11-20T10:00:00.000Z',
    sessionId: options.sessionId ?? 'interactive-1',
    cwd: '/work/app',
    version: '2.1.0',
    ...(id === null ? {} : { requestId: `req_${id}` }),
    message: {
      ...(id === null ? {} : { id }),
      model: options.model ?? 'claude-sonnet-4-5',
      content: [{ type: 'text', text: 'hi' }],
      usage: { input_tokens: options.input ?? 10, output_tokens: options.output ?? 2, cache_read_input_tokens: 100 },
    },
  };
  return `${JSON.stringify(line)}\n`.repeat(options.blocks ?? 1);
}

const run = () => importTranscripts(connectionOf(core.dataSource), [claude]);
const report = () => new UsageReports(core.dataSource).periods({ source: 'all', timeZone: 'UTC' }, 'day');
const input = async () => (await report()).totals.inputTokens;

/** Sizes and times alone decide whether a file is read again: move the time on, as a write would. */
function touched(target: string, secondsLater = 10): void {
  const later = new Date(Date.now() + secondsLater * 1000);
  utimesSync(target, later, later);
}

describe('baton import', () => {
  it('counts a message once however many content-block lines repeat it, and says what it read', async () => {
    writeFileSync(file, assistant({ blocks: 3 }) + assistant({ input: 5 }) + '{"type":"assistant","times\n');
    const summary = await run();
    expect(summary).toMatchObject({
      files: 1,
      newFiles: 1,
      linesRead: 5,
      messages: 2,
      duplicates: 2,
      malformed: 1,
      sessions: 1,
    });
    expect(await input()).toBe(15);
  });

  it('adds nothing on a re-import, and only the new messages of an appended file', async () => {
    writeFileSync(file, assistant() + assistant());
    await run();
    expect(await run()).toMatchObject({ files: 1, newFiles: 0, linesRead: 0, messages: 0 });
    appendFileSync(file, assistant({ input: 7 }));
    touched(file);
    expect(await run()).toMatchObject({ linesRead: 1, messages: 1, duplicates: 0 });
    expect(await input()).toBe(27);
  });

  it('leaves a half-written last line for the next import', async () => {
    const whole = assistant({ input: 3 });
    writeFileSync(file, assistant() + whole.slice(0, 40));
    expect(await run()).toMatchObject({ messages: 1, malformed: 0 });
    appendFileSync(file, whole.slice(40));
    touched(file);
    expect(await run()).toMatchObject({ messages: 1, malformed: 0 });
    expect(await input()).toBe(13);
  });

  it('reads a shrunk or rewritten file again without counting anything twice, and keeps what it cut', async () => {
    const first = assistant({ input: 1 });
    const second = assistant({ input: 2 });
    writeFileSync(file, first + second + assistant({ input: 4 }));
    await run();
    truncateSync(file, first.length + second.length);
    touched(file);
    expect(await run()).toMatchObject({ messages: 0, duplicates: 2 });
    expect(await input()).toBe(7);
    // Rewritten in place with a new message before the old ones: the head changed, so all of it is read.
    writeFileSync(file, assistant({ input: 8 }) + first + second);
    touched(file, 20);
    expect(await run()).toMatchObject({ messages: 1, duplicates: 2 });
    expect(await input()).toBe(15);
  });

  it('keeps a file’s history after the agent deletes it', async () => {
    writeFileSync(file, assistant({ input: 9 }));
    await run();
    rmSync(file);
    expect(await run()).toMatchObject({ files: 0, messages: 0 });
    expect(await input()).toBe(9);
  });

  it('counts lines without a message id each time, as ccusage does, and a re-read none twice', async () => {
    const keyless = assistant({ id: null, input: 3 });
    writeFileSync(file, keyless + keyless);
    expect(await run()).toMatchObject({ messages: 2, duplicates: 0 });
    appendFileSync(file, keyless);
    touched(file);
    expect(await run()).toMatchObject({ messages: 1 });
    writeFileSync(file, assistant({ input: 100 }) + keyless + keyless + keyless);
    touched(file, 20);
    expect(await run()).toMatchObject({ messages: 1, duplicates: 3 });
    expect(await input()).toBe(109);
  });

  it('skips lines ccusage would not count: a null model, a bad timestamp or version', async () => {
    const good = JSON.parse(assistant()) as Record<string, unknown> & { message: Record<string, unknown> };
    writeFileSync(
      file,
      [
        { ...good, message: { ...good.message, model: null } },
        { ...good, timestamp: '2026-11-20 10:00:00' },
        { ...good, version: 'v2' },
        { ...good, message: { ...good.message, id: 'other' }, requestId: 'r', isSidechain: true },
      ]
        .map((line) => JSON.stringify(line))
        .join('\n') + '\n',
    );
    expect(await run()).toMatchObject({ messages: 1, malformed: 0 });
    expect(await input()).toBe(10);
  });

  it('counts Baton’s own sessions by their record, their transcripts only linking them', async () => {
    const task = await core.orchestrator.createTask({ dir: root, prompt: 'x', maxIterations: 2 });
    await core.orchestrator.runTask(task.id);
    const sessions = await core.store.sessionsOfTask(task.id);
    // Before any import the two sessions count by their records (500 input tokens each, as the agent said).
    expect(await input()).toBe(1000);
    // The transcript of the first one is imported (run in a worktree elsewhere): it changes nothing.
    const worktree = path.join(claude.path, 'projects', '-data-worktrees-0f3a');
    mkdirSync(worktree, { recursive: true });
    const transcript = path.join(worktree, `${sessions[0]!.sessionId}.jsonl`);
    writeFileSync(transcript, assistant({ sessionId: sessions[0]!.sessionId, input: 499, blocks: 2 }));
    writeFileSync(file, assistant({ input: 1 }));
    expect(await run()).toMatchObject({ messages: 2 });
    const { periods, totals } = await report();
    expect(totals.inputTokens).toBe(500 + 500 + 1);
    expect(periods.reduce((sum, row) => sum + row.bySource.baton.inputTokens, 0)).toBe(1000);
    expect(periods.reduce((sum, row) => sum + row.bySource.interactive.inputTokens, 0)).toBe(1);
    const reports = new UsageReports(core.dataSource);
    const baton = reports.sessions({ source: 'baton', timeZone: 'UTC' });
    expect(baton.map((s) => s.sessionId).sort()).toEqual(sessions.map((s) => s.sessionId).sort());
    // Under its task's project, not the worktree's folder.
    expect(reports.projects({ source: 'baton', timeZone: 'UTC' }).map((p) => p.project)).toEqual([root]);
    expect(reports.origin([claude])).toMatchObject({ messages: 2, batonSessionsWithoutTranscript: 1 });
  });
});

describe('Codex rollouts', () => {
  it('counts each response once, in Baton’s four kinds, from a thread’s rollout file', async () => {
    const codex: TranscriptDirectory = { agent: 'codex', path: path.join(root, 'codex') };
    const thread = '0199a000-0000-7000-8000-000000000001';
    const dir = path.join(codex.path, 'sessions', '2026', '11', '20');
    mkdirSync(dir, { recursive: true });
    const at = '2026-11-20T10:00:00.000Z';
    const tokenCount = (last: number, total: number) =>
      JSON.stringify({
        timestamp: at,
        type: 'event_msg',
        payload: {
          type: 'token_count',
          info: {
            last_token_usage: { input_tokens: last, cached_input_tokens: 4, output_tokens: 3 },
            total_token_usage: { input_tokens: total },
          },
        },
      });
    writeFileSync(
      path.join(dir, `rollout-2026-11-20T10-00-00-${thread}.jsonl`),
      [
        JSON.stringify({ timestamp: at, type: 'session_meta', payload: { id: thread, cwd: '/work/app' } }),
        JSON.stringify({ timestamp: at, type: 'turn_context', payload: { model: 'gpt-5.5' } }),
        tokenCount(10, 10),
        tokenCount(10, 10), // Codex repeats the count when nothing new was spent.
        tokenCount(20, 30),
      ].join('\n') + '\n',
    );
    expect(await importTranscripts(connectionOf(core.dataSource), [codex])).toMatchObject({ messages: 2, sessions: 1 });
    const rows = new UsageReports(core.dataSource).sessions({ source: 'all', timeZone: 'UTC' });
    expect(rows).toMatchObject([
      {
        sessionId: thread,
        agent: 'codex',
        project: '/work/app',
        models: ['gpt-5.5'],
        inputTokens: 30 - 8,
        cacheReadTokens: 8,
        outputTokens: 6,
      },
    ]);
  });
});

describe('usage reports', () => {
  it('says where each cost came from: the transcript’s own, the price data, or none', async () => {
    const stated = { ...(JSON.parse(assistant()) as Record<string, unknown>), costUSD: 0.5 };
    writeFileSync(
      file,
      `${JSON.stringify(stated)}\n` + assistant({ model: 'claude-sonnet-4-5' }) + assistant({ model: 'house-model-1' }),
    );
    await run();
    const rows = (await report()).periods;
    const sourcesOf = (model: string) => rows.find((row) => row.model === model)?.costSources;
    expect(sourcesOf('claude-sonnet-4-5')?.sort()).toEqual(['agent', 'estimated']);
    expect(sourcesOf('house-model-1')).toEqual(['unknown']);
    expect(rows.find((row) => row.model === 'house-model-1')).toMatchObject({ costUsd: 0, unknownCostTokens: 112 });
    expect((await report()).totals.costSources.sort()).toEqual(['agent', 'estimated', 'unknown']);
  });

  it('dates messages in the time zone asked for, and draws the 5-hour blocks as ccusage does', async () => {
    writeFileSync(
      file,
      assistant({ at: '2026-11-20T23:30:00.000Z' }) +
        assistant({ at: '2026-11-21T01:00:00.000Z', model: 'claude-opus-4-5' }) +
        assistant({ at: '2026-11-21T12:00:00.000Z' }) +
        assistant({ at: '2026-11-21T12:00:07.000Z' }),
    );
    await run();
    const reports = new UsageReports(core.dataSource, () => Date.parse('2026-11-21T13:00:00.000Z'));
    const days = (timeZone: string) =>
      reports.periods({ source: 'all', timeZone }, 'day').periods.map((row) => `${row.period} ${row.model}`);
    expect(days('UTC')).toEqual([
      '2026-11-20 claude-sonnet-4-5',
      '2026-11-21 claude-sonnet-4-5',
      '2026-11-21 claude-opus-4-5',
    ]);
    // Within a day the dearest model comes first, as in ccusage's breakdown: three Sonnet messages here.
    expect(days('Asia/Kolkata')).toEqual(['2026-11-21 claude-sonnet-4-5', '2026-11-21 claude-opus-4-5']);
    const blocks = reports.blocks({ source: 'all', timeZone: 'UTC' });
    expect(blocks.map((b) => [b.id, b.isGap, b.isActive, b.messages])).toEqual([
      ['2026-11-20T23:00:00.000Z', false, false, 2],
      ['gap-2026-11-21T06:00:00.000Z', true, false, 0],
      ['2026-11-21T12:00:00.000Z', false, true, 2],
    ]);
    expect(blocks[0]!.burnRate?.tokensPerMinute).toBeCloseTo(224 / 90, 6);
    // A burst within a minute (a batch of Baton sessions, each at its start) has no rate to tell.
    expect(blocks[2]!).toMatchObject({ burnRate: null, projection: null });
  });
});
