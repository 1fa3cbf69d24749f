/**
 * The import counts each API response once, at its final usage: Claude Code writes one transcript line per
 * content block while a response streams, all with the response's `message.id` and `requestId`, and only the
 * last (the most output tokens) holds what the API billed. Prices apply at read time: 1-hour cache writes,
 * fast mode and a price changed after the import.
 */
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../migrations';
import { type BatonCore, openBatonCore } from '../../src-main/core/baton-core';
import { openDataSource } from '../../src-main/core/store/data-source';
import { importTranscripts, type TranscriptDirectory } from '../../src-main/core/usage/transcript-import';
import { connectionOf } from '../../src-main/core/store/write-transaction';
import { UsageReports } from '../../src-main/core/usage/usage-reports';
import { ScriptedAgent, success } from '../support/scripted-agent';

let root: string;
let claude: TranscriptDirectory;
let file: string;
let core: BatonCore | undefined;

beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'baton-final-usage-'));
  claude = { agent: 'claude', path: path.join(root, 'claude') };
  mkdirSync(path.join(claude.path, 'projects', '-work-app'), { recursive: true });
  file = path.join(claude.path, 'projects', '-work-app', 'session-1.jsonl');
});
afterEach(async () => {
  await core?.close();
  core = undefined;
  rmSync(root, { recursive: true, force: true });
});

const openCore = async () =>
  (core = await openBatonCore({
    databaseFile: path.join(root, 'baton.db'),
    agent: new ScriptedAgent(() => success('done', 500)),
    retry: { baseDelayMs: 0, maxDelayMs: 0 },
  }));

interface Block {
  output: number;
  model?: string;
  final?: boolean;
}
interface Response {
  id: string;
  at?: string;
  model?: string;
  input?: number;
  cacheWrite5m?: number;
  cacheWrite1h?: number;
  cacheRead?: number;
  speed?: 'standard' | 'fast';
  /** One line per content block, with the output count the CLI wrote on each. */
  blocks: Block[];
  requestId?: string | null;
}

/** A response's lines as Claude Code writes them: the usage's input side repeated, the output count growing. */
function lines(response: Response): string {
  return response.blocks
    .map((block, index) => {
      const last = index === response.blocks.length - 1;
      const usage = {
        input_tokens: response.input ?? 10,
        cache_creation_input_tokens: (response.cacheWrite5m ?? 0) + (response.cacheWrite1h ?? 0),
        cache_read_input_tokens: response.cacheRead ?? 0,
        cache_creation: {
          ephemeral_5m_input_tokens: response.cacheWrite5m ?? 0,
          ephemeral_1h_input_tokens: response.cacheWrite1h ?? 0,
        },
        output_tokens: block.output,
        service_tier: 'standard',
        ...(response.speed ? { speed: response.speed } : {}),
      };
      const line = {
        parentUuid: null,
        isSidechain: false,
        type: 'assistant',
        timestamp: response.at ?? '2026-11-20T10:00:00.000Z',
        sessionId: 'session-1',
        cwd: '/work/app',
        version: '2.1.200',
        ...(response.requestId === null ? {} : { requestId: response.requestId ?? `req_011${response.id}` }),
        message: {
          id: response.id,
          type: 'message',
          role: 'assistant',
          model: block.model ?? response.model ?? 'claude-opus-4-6',
          content: [{ type: index === 0 ? 'thinking' : 'text', text: 'x' }],
          stop_reason: last || block.final ? 'end_turn' : null,
          usage,
        },
      };
      return `${JSON.stringify(line)}\n`;
    })
    .join('');
}

const run = (dataSource: DataSource) => importTranscripts(connectionOf(dataSource), [claude]);
const daily = (dataSource: DataSource) =>
  new UsageReports(dataSource).periods({ source: 'all', timeZone: 'UTC' }, 'day');

function touched(target: string): void {
  const later = new Date(Date.now() + 10_000);
  utimesSync(target, later, later);
}

describe('each response at its final usage', () => {
  it('takes the line with the most output tokens, whole, and counts the others as repeats', async () => {
    const { dataSource } = await openCore();
    writeFileSync(
      file,
      lines({ id: 'msg_a', input: 3, cacheRead: 1000, blocks: [{ output: 1 }, { output: 8 }, { output: 412 }] }) +
        // A response that fell back to another model mid-stream is the final line's model's.
        lines({
          id: 'msg_b',
          model: 'claude-opus-4-8[1m]',
          blocks: [{ output: 2 }, { output: 90, model: 'claude-sonnet-4-6' }],
        }),
    );
    expect(await run(dataSource)).toMatchObject({ linesRead: 5, messages: 2, duplicates: 3, corrected: 0 });
    const { periods, totals } = await daily(dataSource);
    expect(totals).toMatchObject({ inputTokens: 13, outputTokens: 502, cacheReadTokens: 1000 });
    expect(periods.map((p) => [p.model, p.outputTokens])).toEqual([
      ['claude-opus-4-6', 412],
      ['claude-sonnet-4-6', 90],
    ]);
  });

  it('takes the later line on a tie, and counts a response once across files (a subagent repeated in its parent)', async () => {
    const { dataSource } = await openCore();
    writeFileSync(
      file,
      lines({
        id: 'msg_t',
        blocks: [
          { output: 50, model: 'claude-opus-4-6' },
          { output: 50, model: 'claude-haiku-4-5' },
        ],
      }),
    );
    const subagent = path.join(claude.path, 'projects', '-work-app', 'session-1', 'subagents', 'agent-1.jsonl');
    mkdirSync(path.dirname(subagent), { recursive: true });
    writeFileSync(subagent, lines({ id: 'msg_t', blocks: [{ output: 3 }] }));
    await run(dataSource);
    const { periods } = await daily(dataSource);
    expect(periods.map((p) => [p.model, p.outputTokens])).toEqual([['claude-haiku-4-5', 50]]);
  });

  it('corrects a response whose partial line was imported before its final line was written, never adding it twice', async () => {
    const { dataSource } = await openCore();
    const response: Response = { id: 'msg_live', blocks: [{ output: 1 }, { output: 6 }, { output: 300 }] };
    const [first, second, last] = lines(response).split(/(?<=\n)/);
    writeFileSync(file, first! + second!);
    expect(await run(dataSource)).toMatchObject({ messages: 1, corrected: 0 });
    expect((await daily(dataSource)).totals.outputTokens).toBe(6);
    appendFileSync(file, last!);
    touched(file);
    expect(await run(dataSource)).toMatchObject({ linesRead: 1, messages: 0, corrected: 1, duplicates: 0 });
    expect((await daily(dataSource)).totals).toMatchObject({ inputTokens: 10, outputTokens: 300 });
    // An earlier partial line read again (a rewritten file) does not undo the final one.
    writeFileSync(file, first!);
    touched(file);
    expect(await run(dataSource)).toMatchObject({ messages: 0, corrected: 0, duplicates: 1 });
    expect((await daily(dataSource)).totals.outputTokens).toBe(300);
  });

  it('keeps a folder name that is not ASCII as written, raw or escaped', async () => {
    const { dataSource } = await openCore();
    const line = lines({ id: 'msg_u', blocks: [{ output: 5 }] });
    writeFileSync(
      file,
      line.replace('"cwd":"/work/app"', '"cwd":"/work/café/日本"') +
        line.replace('msg_u', 'msg_v').replace('"cwd":"/work/app"', '"cwd":"/work/caf\\u00e9"'),
    );
    await run(dataSource);
    const projects = new UsageReports(dataSource).projects({ source: 'all', timeZone: 'UTC' }).map((p) => p.project);
    expect(projects.sort()).toEqual(['/work/café', '/work/café/日本']);
  });

  it('counts keyless lines each on their own, as before', async () => {
    const { dataSource } = await openCore();
    writeFileSync(file, lines({ id: 'msg_k', requestId: null, blocks: [{ output: 4 }, { output: 9 }] }));
    expect(await run(dataSource)).toMatchObject({ messages: 2 });
    expect((await daily(dataSource)).totals.outputTokens).toBe(13);
  });
});

describe('priced as served, at read time', () => {
  it('prices 1-hour cache writes at their rate and leaves fast mode unpriced under its own name', async () => {
    const { dataSource } = await openCore();
    writeFileSync(
      file,
      lines({ id: 'msg_c', input: 0, cacheWrite5m: 600_000, cacheWrite1h: 400_000, blocks: [{ output: 0 }] }) +
        lines({ id: 'msg_f', input: 1000, speed: 'fast', blocks: [{ output: 1 }, { output: 2000 }] }),
    );
    await run(dataSource);
    const { periods, totals } = await daily(dataSource);
    const normal = periods.find((p) => p.model === 'claude-opus-4-6')!;
    expect(normal).toMatchObject({ cacheCreationTokens: 1_000_000, cacheWrite1hTokens: 400_000 });
    expect(normal.costUsd).toBeCloseTo(0.6 * 6.25 + 0.4 * 10, 9);
    const fast = periods.find((p) => p.model === 'claude-opus-4-6-fast')!;
    expect(fast).toMatchObject({ outputTokens: 2000, costUsd: 0, unknownCostTokens: 3000, costSources: ['unknown'] });
    expect(totals.costSources.sort()).toEqual(['estimated', 'unknown']);
  });

  it('applies a price set after the import to what was imported', async () => {
    const baton = await openCore();
    writeFileSync(file, lines({ id: 'msg_p', model: 'claude-opus-4-6', input: 1_000_000, blocks: [{ output: 0 }] }));
    await run(baton.dataSource);
    expect((await daily(baton.dataSource)).totals.costUsd).toBe(5);
    await baton.store.updateSettings({
      modelPrices: { 'claude-opus-4-6': { input: 7, output: 1, cacheWrite: 1, cacheRead: 1 } },
    });
    expect((await daily(baton.dataSource)).totals.costUsd).toBe(7);
  });
});

describe('stores from before the final-usage rule', () => {
  it('re-derives what is still on disk, keeps what is gone as legacy, and gives each model one name', async () => {
    const databaseFile = path.join(root, 'old.db');
    const old = await openDataSource({ file: databaseFile, migrations: MIGRATIONS.slice(0, 14) });
    writeFileSync(
      file,
      lines({ id: 'msg_o', blocks: [{ output: 2 }, { output: 700 }] }) +
        lines({ id: 'msg_s', blocks: [{ output: 40 }] }),
    );
    const gone = path.join(claude.path, 'projects', '-work-app', 'gone.jsonl');
    // What the first-line rule stored: a partial count, fast usage under `-fast`, a cost computed then.
    await old.query(
      `INSERT INTO usage_messages (dedup_key, agent, file_path, session_id, project, model, at, input_tokens,
         output_tokens, cache_creation_tokens, cache_read_tokens, cost_usd, cost_source)
       VALUES ('msg_o:req_011msg_o', 'claude', ?, 'session-1', '/work/app', 'claude-opus-4-6', 1763632800000, 10, 2, 0, 0, 0.1, 'estimated'),
              ('msg_g:req_g', 'claude', ?, 'gone', '/work/app', 'claude-opus-4-6-fast', 1763632800000, 5, 1, 0, 0, 0.2, 'estimated'),
              ('msg_s:req_011msg_s', 'claude', ?, 'session-1', '/work/app', 'claude-opus-4-6', 1763632800000, 10, 40, 0, 0, 0.3, 'estimated')`,
      [file, gone, file],
    );
    await old.query(
      `INSERT INTO transcript_files (path, agent, size, mtime_ms, read_to, head, lines, imported_at)
       VALUES (?, 'claude', 1, 1, 1, 'x', 2, 1)`,
      [file],
    );
    await old.query(`INSERT INTO projects VALUES ('p1', 'app', '/work/app', 1000)`);
    await old.query(
      `INSERT INTO tasks (id, project_id, title, prompt, agent, model, spec, status, created_at)
       VALUES ('t1', 'p1', 't', 'p', 'claude', 'default', '{}', 'completed', 2000)`,
    );
    await old.query(
      `INSERT INTO sessions (session_id, task_id, iteration, status, started_at, model, input_tokens, output_tokens,
         cache_creation_tokens, cache_read_tokens, turns, cost_usd)
       VALUES ('s1', 't1', 1, 'completed', 3000, 'Claude-Opus-4-8[1m]', 1, 2, 3, 4, 1, 0.5)`,
    );
    await old.destroy();

    const dataSource = await openDataSource({ file: databaseFile, migrations: MIGRATIONS });
    try {
      // A row whose final line reads as it was stored is confirmed, not counted as corrected.
      expect(await run(dataSource)).toMatchObject({ messages: 0, corrected: 1, duplicates: 2 });
      const rows = (await dataSource.query(
        `SELECT dedup_key AS key, model, speed, output_tokens AS output, legacy, cost_usd AS cost
         FROM usage_messages ORDER BY dedup_key`,
      )) as unknown[];
      expect(rows).toEqual([
        { key: 'msg_g:req_g', model: 'claude-opus-4-6', speed: 'fast', output: 1, legacy: 1, cost: null },
        { key: 'msg_o:req_011msg_o', model: 'claude-opus-4-6', speed: 'standard', output: 700, legacy: 0, cost: null },
        { key: 'msg_s:req_011msg_s', model: 'claude-opus-4-6', speed: 'standard', output: 40, legacy: 0, cost: null },
      ]);
      const reports = new UsageReports(dataSource);
      expect(reports.origin([claude]).legacyMessages).toBe(1);
      expect(await dataSource.query(`SELECT model FROM sessions`)).toEqual([{ model: 'claude-opus-4-8' }]);
      expect(await dataSource.query(`SELECT model, sessions FROM usage_by_task_day`)).toEqual([
        { model: 'claude-opus-4-8', sessions: 1 },
      ]);
    } finally {
      await dataSource.destroy();
    }
  });
});

describe('stores migrated by the first builds of the final-usage migration', () => {
  it('opens them, with the column and the indexes that migration came to have, and keeps their rows', async () => {
    const databaseFile = path.join(root, 'morning.db');
    const old = await openDataSource({ file: databaseFile, migrations: MIGRATIONS.slice(0, 15) });
    // What the first build of migration 14 left: no sessions.speed, and usage_messages' two indexes kept.
    await old.query(`ALTER TABLE sessions DROP COLUMN speed`);
    await old.query(`CREATE INDEX idx_usage_messages_at ON usage_messages(at)`);
    await old.query(`CREATE INDEX idx_usage_messages_session ON usage_messages(session_id)`);
    await old.query(`INSERT INTO projects VALUES ('p1', 'app', '/work/app', 1000)`);
    await old.query(
      `INSERT INTO tasks (id, project_id, title, prompt, agent, model, spec, status, created_at)
       VALUES ('t1', 'p1', 't', 'p', 'claude', 'claude-opus-4-8', '{}', 'completed', 2000)`,
    );
    await old.query(
      `INSERT INTO sessions (session_id, task_id, iteration, status, started_at, model, input_tokens, output_tokens,
         cache_creation_tokens, cache_read_tokens, turns, cost_usd)
       VALUES ('s1', 't1', 1, 'completed', 3000, 'claude-opus-4-8', 1, 2, 3, 4, 1, 0.5)`,
    );
    await old.destroy();

    const dataSource = await openDataSource({ file: databaseFile, migrations: MIGRATIONS });
    try {
      const db = connectionOf(dataSource);
      expect(db.prepare(`SELECT speed FROM sessions WHERE session_id = 's1'`).get()).toEqual({ speed: 'standard' });
      const indexes = db
        .prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'usage_messages'`)
        .all();
      expect(indexes).toEqual([{ name: 'sqlite_autoindex_usage_messages_1' }]);
      // The rollups the later migrations build count the session.
      expect(db.prepare(`SELECT SUM(sessions) AS n, SUM(cost_usd) AS cost FROM usage_by_day`).get()).toEqual({
        n: 1,
        cost: 0.5,
      });
    } finally {
      await dataSource.destroy();
    }
  });
});
