/**
 * Reports over all usage Baton knows: the messages imported from transcripts, and Baton's own sessions
 * that have none imported (Gemini's, or Claude Code's from before an import). A Baton session whose
 * transcript was imported counts by its messages, as ccusage counts them, and never a second time by its
 * record.
 *
 * Dates are local to a time zone SQLite does not know, so SQL sums by quarter hour (every zone's offset is
 * a whole number of quarter hours, so none straddles a local midnight) and the quarters are given their
 * dates here.
 */
import type { DataSource } from 'typeorm';
import type {
  UsageBlock,
  UsageFilter,
  UsageOrigin,
  UsagePeriodRow,
  UsageProjectRow,
  UsageReport,
  UsageReportKind,
  UsageSessionRow,
  UsageSource,
  UsageTokens,
} from '../../contract/usage';
import type { AgentKind } from '../../contract/task-spec';
import type { CostSource } from '../../contract/views';
import { connectionOf } from '../store/write-transaction';
import { directoryExists, type TranscriptDirectory } from './transcript-import';

const QUARTER_HOUR_MS = 15 * 60 * 1000;
const BLOCK_MS = 5 * 60 * 60 * 1000;
/** ccusage leaves this model out of its per-model figures; its tokens stay in the totals. */
const SYNTHETIC_MODEL = '<synthetic>';

/** A Baton session `s` none of whose messages were imported: it counts by its own record. */
const WITHOUT_TRANSCRIPT_SQL = `NOT EXISTS (SELECT 1 FROM usage_messages m WHERE m.session_id = s.session_id)
  AND (s.agent_session_id IS NULL OR NOT EXISTS (SELECT 1 FROM usage_messages m WHERE m.session_id = s.agent_session_id))`;

/** Every usage fact: one row per imported message, and one per Baton session without imported messages. */
const FACTS_SQL = `
  SELECT m.at AS at, m.agent AS agent, COALESCE(m.model, 'unknown') AS model, m.project AS project,
         m.session_id AS sessionId, CASE m.baton WHEN 1 THEN 'baton' ELSE 'interactive' END AS source,
         m.input_tokens AS i, m.output_tokens AS o, m.cache_creation_tokens AS cw, m.cache_read_tokens AS cr,
         m.cost_usd AS cost, m.cost_source AS costSource
  FROM usage_messages m
  UNION ALL
  SELECT s.started_at, t.agent, COALESCE(s.model, t.model, 'unknown'), p.working_dir, s.session_id, 'baton',
         s.input_tokens, s.output_tokens, s.cache_creation_tokens, s.cache_read_tokens,
         CASE WHEN s.cost_unknown = 1 THEN NULL ELSE s.cost_usd END,
         CASE WHEN s.cost_unknown = 1 THEN 'unknown' ELSE s.cost_source END
  FROM sessions s JOIN tasks t ON t.id = s.task_id JOIN projects p ON p.id = t.project_id
  WHERE ${WITHOUT_TRANSCRIPT_SQL}`;

const SUMS_SQL = `SUM(i) AS i, SUM(o) AS o, SUM(cw) AS cw, SUM(cr) AS cr, SUM(COALESCE(cost, 0)) AS cost,
  SUM(CASE WHEN cost IS NULL THEN i + o + cw + cr ELSE 0 END) AS unknownTokens,
  GROUP_CONCAT(DISTINCT costSource) AS sources`;

interface Sums {
  i: number;
  o: number;
  cw: number;
  cr: number;
  cost: number;
  unknownTokens: number;
  /** The cost sources among the rows summed, comma-separated. */
  sources: string | null;
}

const zeroTokens = (): UsageTokens => ({
  inputTokens: 0,
  outputTokens: 0,
  cacheCreationTokens: 0,
  cacheReadTokens: 0,
  totalTokens: 0,
  costUsd: 0,
  unknownCostTokens: 0,
  costSources: [],
});

function add(into: UsageTokens, sums: Sums): void {
  into.inputTokens += sums.i;
  into.outputTokens += sums.o;
  into.cacheCreationTokens += sums.cw;
  into.cacheReadTokens += sums.cr;
  into.totalTokens += sums.i + sums.o + sums.cw + sums.cr;
  into.costUsd += sums.cost;
  into.unknownCostTokens += sums.unknownTokens;
  for (const source of (sums.sources ?? '').split(',')) {
    if (isCostSource(source) && !into.costSources.includes(source)) into.costSources.push(source);
  }
}

const isCostSource = (value: string): value is CostSource =>
  value === 'agent' || value === 'estimated' || value === 'unknown';

/** Costs summed in floating point print with noise past the cent's hundredth: kept to 1e-9 dollars. */
function settled<T extends UsageTokens>(tokens: T): T {
  tokens.costUsd = Math.round(tokens.costUsd * 1e9) / 1e9;
  return tokens;
}

function whereOf(filter: UsageFilter): { sql: string; params: unknown[] } {
  const clauses: string[] = [];
  const params: unknown[] = [];
  if (filter.agent) {
    clauses.push('agent = ?');
    params.push(filter.agent);
  }
  if (filter.source !== 'all') {
    clauses.push('source = ?');
    params.push(filter.source);
  }
  if (filter.project) {
    clauses.push('project = ?');
    params.push(filter.project);
  }
  return { sql: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', params };
}

/** The system's time zone, or the one asked for. */
export const timeZoneOf = (filter: UsageFilter) =>
  filter.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone ?? 'UTC';

/** YYYY-MM-DD of an instant in a zone; cached by quarter hour, the grain the sums come in. */
function localDates(timeZone: string): (at: number) => string {
  const format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
  const cache = new Map<number, string>();
  return (at) => {
    const quarter = Math.floor(at / QUARTER_HOUR_MS);
    let date = cache.get(quarter);
    if (date === undefined) {
      date = format.format(quarter * QUARTER_HOUR_MS);
      cache.set(quarter, date);
    }
    return date;
  };
}

const inRange = (date: string, filter: UsageFilter) =>
  (!filter.since || date >= filter.since) && (!filter.until || date <= filter.until);

export class UsageReports {
  constructor(
    private readonly dataSource: DataSource,
    private readonly now: () => number = Date.now,
  ) {}

  private all<T>(sql: string, params: unknown[] = []): T[] {
    return connectionOf(this.dataSource)
      .prepare(sql)
      .all(...params) as T[];
  }

  report(kind: UsageReportKind, filter: UsageFilter): UsageReport {
    const timeZone = timeZoneOf(filter);
    const base = { kind, timeZone, periods: [], sessions: [], blocks: [] };
    if (kind === 'daily' || kind === 'monthly') {
      const { periods, totals } = this.periods(filter, kind === 'daily' ? 'day' : 'month');
      return { ...base, periods, totals };
    }
    if (kind === 'session') {
      const sessions = this.sessions(filter);
      const totals = zeroTokens();
      for (const s of sessions) addTokens(totals, s);
      return { ...base, sessions, totals: settled(totals) };
    }
    const blocks = this.blocks(filter);
    const totals = zeroTokens();
    for (const b of blocks) addTokens(totals, b);
    return { ...base, blocks, totals: settled(totals) };
  }

  /** Tokens per local day (or month) and model, split by source; the totals over the same range. */
  periods(filter: UsageFilter, grain: 'day' | 'month'): { periods: UsagePeriodRow[]; totals: UsageTokens } {
    const where = whereOf(filter);
    const rows = this.all<Sums & { quarter: number; model: string; source: UsageSource }>(
      `SELECT at / ${QUARTER_HOUR_MS} AS quarter, model, source, ${SUMS_SQL}
       FROM (${FACTS_SQL}) ${where.sql} GROUP BY quarter, model, source`,
      where.params,
    );
    const dateOf = localDates(timeZoneOf(filter));
    const byKey = new Map<string, UsagePeriodRow>();
    const totals = zeroTokens();
    for (const row of rows) {
      const date = dateOf(row.quarter * QUARTER_HOUR_MS);
      if (!inRange(date, filter)) continue;
      add(totals, row);
      if (row.model === SYNTHETIC_MODEL) continue;
      const period = grain === 'day' ? date : date.slice(0, 7);
      const key = `${period}\u0000${row.model}`;
      let entry = byKey.get(key);
      if (!entry) {
        entry = {
          period,
          model: row.model,
          ...zeroTokens(),
          bySource: { baton: zeroTokens(), interactive: zeroTokens() },
        };
        byKey.set(key, entry);
      }
      add(entry, row);
      add(entry.bySource[row.source], row);
    }
    const periods = [...byKey.values()]
      .map((row) => {
        settled(row.bySource.baton);
        settled(row.bySource.interactive);
        return settled(row);
      })
      .sort((a, b) => a.period.localeCompare(b.period) || b.costUsd - a.costUsd || a.model.localeCompare(b.model));
    return { periods, totals: settled(totals) };
  }

  /** One row per session, newest activity first, within the range by its last activity. */
  sessions(filter: UsageFilter): UsageSessionRow[] {
    const where = whereOf(filter);
    const rows = this.all<
      Sums & {
        sessionId: string;
        source: UsageSource;
        agent: AgentKind;
        project: string | null;
        models: string;
        first: number;
        last: number;
      }
    >(
      `SELECT sessionId, source, agent, MAX(project) AS project, GROUP_CONCAT(DISTINCT model) AS models,
              MIN(at) AS first, MAX(at) AS last, ${SUMS_SQL}
       FROM (${FACTS_SQL}) ${where.sql} GROUP BY sessionId, source, agent ORDER BY last DESC`,
      where.params,
    );
    const dateOf = localDates(timeZoneOf(filter));
    return rows
      .filter((row) => inRange(dateOf(row.last), filter))
      .map((row) => {
        const tokens = zeroTokens();
        add(tokens, row);
        return settled({
          ...tokens,
          sessionId: row.sessionId ?? 'unknown',
          source: row.source,
          agent: row.agent,
          project: row.project,
          models: (row.models ?? '').split(',').filter((m) => m && m !== SYNTHETIC_MODEL),
          firstActivity: row.first,
          lastActivity: row.last,
        });
      });
  }

  /** Tokens and cost per project, the dearest first. */
  projects(filter: UsageFilter): UsageProjectRow[] {
    const where = whereOf(filter);
    const dateOf = localDates(timeZoneOf(filter));
    const rows = this.all<Sums & { project: string | null; quarter: number }>(
      `SELECT COALESCE(project, 'unknown') AS project, at / ${QUARTER_HOUR_MS} AS quarter, ${SUMS_SQL}
       FROM (${FACTS_SQL}) ${where.sql} GROUP BY project, quarter`,
      where.params,
    );
    const byProject = new Map<string, UsageProjectRow>();
    for (const row of rows) {
      if (!inRange(dateOf(row.quarter * QUARTER_HOUR_MS), filter)) continue;
      const project = row.project ?? 'unknown';
      let entry = byProject.get(project);
      if (!entry) byProject.set(project, (entry = { project, ...zeroTokens() }));
      add(entry, row);
    }
    return [...byProject.values()].map(settled).sort((a, b) => b.costUsd - a.costUsd || b.totalTokens - a.totalTokens);
  }

  /**
   * The 5-hour blocks as ccusage draws them: a block starts at the hour (UTC) of its first message and
   * takes every message until one comes more than 5 hours after its start or after the one before; a
   * pause longer than 5 hours shows as a gap. The active block gets a burn rate over its messages so far
   * and a projection to its end.
   */
  blocks(filter: UsageFilter): UsageBlock[] {
    const where = whereOf(filter);
    const entries = this.all<BlockEntry>(
      `SELECT at, model, i, o, cw, cr, cost, costSource FROM (${FACTS_SQL}) ${where.sql} ORDER BY at`,
      where.params,
    );
    const dateOf = localDates(timeZoneOf(filter));
    const now = this.now();
    const blocks: UsageBlock[] = [];
    let current: typeof entries = [];
    let start = 0;
    const close = () => {
      if (current.length > 0) blocks.push(blockOf(start, current, now));
    };
    for (const entry of entries) {
      if (!inRange(dateOf(entry.at), filter)) continue;
      const last = current.at(-1);
      if (!last) {
        start = floorToHour(entry.at);
        current = [entry];
        continue;
      }
      if (entry.at - start > BLOCK_MS || entry.at - last.at > BLOCK_MS) {
        close();
        if (entry.at - last.at > BLOCK_MS) blocks.push(gapOf(last.at + BLOCK_MS, entry.at));
        start = floorToHour(entry.at);
        current = [entry];
      } else {
        current.push(entry);
      }
    }
    close();
    return blocks;
  }

  origin(directories: readonly TranscriptDirectory[]): UsageOrigin {
    const [files] = this.all<{ n: number; last: number | null }>(
      `SELECT COUNT(*) AS n, MAX(imported_at) AS last FROM transcript_files`,
    );
    const [messages] = this.all<{ n: number }>(`SELECT COUNT(*) AS n FROM usage_messages`);
    const [unlinked] = this.all<{ n: number }>(`SELECT COUNT(*) AS n FROM sessions s WHERE ${WITHOUT_TRANSCRIPT_SQL}`);
    return {
      directories: directories.map((d) => ({ agent: d.agent, path: d.path, exists: directoryExists(d) })),
      files: files?.n ?? 0,
      messages: messages?.n ?? 0,
      batonSessionsWithoutTranscript: unlinked?.n ?? 0,
      lastImportAt: files?.last ?? null,
    };
  }
}

function addTokens(into: UsageTokens, from: UsageTokens): void {
  into.inputTokens += from.inputTokens;
  into.outputTokens += from.outputTokens;
  into.cacheCreationTokens += from.cacheCreationTokens;
  into.cacheReadTokens += from.cacheReadTokens;
  into.totalTokens += from.totalTokens;
  into.costUsd += from.costUsd;
  into.unknownCostTokens += from.unknownCostTokens;
  for (const source of from.costSources) if (!into.costSources.includes(source)) into.costSources.push(source);
}

const floorToHour = (at: number) => at - (((at % 3_600_000) + 3_600_000) % 3_600_000);

interface BlockEntry {
  at: number;
  model: string;
  i: number;
  o: number;
  cw: number;
  cr: number;
  cost: number | null;
  costSource: CostSource;
}

function blockOf(start: number, entries: readonly BlockEntry[], now: number): UsageBlock {
  const tokens = zeroTokens();
  for (const e of entries) {
    add(tokens, {
      i: e.i,
      o: e.o,
      cw: e.cw,
      cr: e.cr,
      cost: e.cost ?? 0,
      unknownTokens: e.cost === null ? e.i + e.o + e.cw + e.cr : 0,
      sources: e.costSource,
    });
  }
  settled(tokens);
  const end = start + BLOCK_MS;
  const first = entries[0]!.at;
  const last = entries.at(-1)!.at;
  const isActive = now - last < BLOCK_MS && now < end;
  const minutes = (last - first) / 60_000;
  const burnRate =
    minutes > 0
      ? { tokensPerMinute: tokens.totalTokens / minutes, costPerHour: (tokens.costUsd / minutes) * 60 }
      : null;
  const remainingMinutes = Math.max(0, (end - now) / 60_000);
  const projection =
    isActive && burnRate
      ? {
          totalTokens: Math.round(tokens.totalTokens + burnRate.tokensPerMinute * remainingMinutes),
          costUsd: Math.round((tokens.costUsd + (burnRate.costPerHour / 60) * remainingMinutes) * 100) / 100,
          remainingMinutes: Math.round(remainingMinutes),
        }
      : null;
  return {
    ...tokens,
    id: new Date(start).toISOString(),
    start,
    end,
    lastActivity: last,
    isGap: false,
    isActive,
    models: [...new Set(entries.map((e) => e.model))].filter((m) => m !== SYNTHETIC_MODEL),
    messages: entries.length,
    burnRate,
    projection,
  };
}

function gapOf(start: number, end: number): UsageBlock {
  return {
    ...zeroTokens(),
    id: `gap-${new Date(start).toISOString()}`,
    start,
    end,
    lastActivity: null,
    isGap: true,
    isActive: false,
    models: [],
    messages: 0,
    burnRate: null,
    projection: null,
  };
}
