/**
 * Reports over all usage Baton knows: the responses imported from the agents' transcripts, and Baton's own
 * sessions. A Baton session counts by its own record, which equals what the API served it; its transcript's
 * lines only link it (they are marked `baton` at import) and never count a second time.
 *
 * Costs are worked out here, at read time, from the tokens: the price data and the user's prices as they are
 * now, 1-hour cache writes, fast mode and long-context tiers included. A cost an agent stated itself (Claude
 * Code's figure for a run, or `costUSD` in old transcripts) is taken as it is. SQL sums per model, speed and
 * long-context tier (tiers are per request), and each sum is priced once.
 *
 * Dates are local to a time zone SQLite does not know, so SQL sums by quarter hour (every zone's offset is
 * a whole number of quarter hours, so none straddles a local midnight) and the quarters are given their
 * dates here.
 */
import type { DataSource } from 'typeorm';
import { modelAtSpeed, type ServiceSpeed } from '../../contract/models';
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
import { modelPricesSchema } from '../../contract/views';
import { contextOfBucket, costAt, type ModelPrice, priceFor, tierThresholds } from '../pricing';
import { DAY_MS, dayDate, serviceTimeZone, zoneDaySql } from '../local-day';
import { connectionOf } from '../store/write-transaction';
import { type TranscriptDirectory } from './transcript-import';
import { blocksOf } from './usage-blocks';
import { add, addAll, settled, SYNTHETIC_MODEL, zeroTokens, type Sums } from './usage-sums';
import { existsSync } from 'node:fs';

const QUARTER_HOUR_MS = 15 * 60 * 1000;

/** A Baton session `s` none of whose messages were imported (shown in the origin, for what is linked). */
const IMPORTED_SESSIONS_SQL = `SELECT session_id FROM usage_messages WHERE session_id IS NOT NULL`;
const WITHOUT_TRANSCRIPT_SQL = `s.session_id NOT IN (${IMPORTED_SESSIONS_SQL})
  AND (s.agent_session_id IS NULL OR s.agent_session_id NOT IN (${IMPORTED_SESSIONS_SQL}))`;

/** How many long-context thresholds a request's input side is above: its tier, whatever the model. */
const bucketSql = (tokens: string) =>
  tierThresholds().length === 0
    ? '0'
    : tierThresholds()
        .map((t) => `(${tokens} > ${t})`)
        .join(' + ');

/**
 * Every usage fact: one row per imported response of a session Baton did not run, and one per Baton session.
 * `agentCost` is a cost the agent stated; every other row is priced from its tokens.
 */
const factsSql = () => `
  SELECT m.at AS at, m.agent AS agent, COALESCE(m.model, 'unknown') AS model, m.speed AS speed,
         m.project AS project, m.session_id AS sessionId, 'interactive' AS source,
         m.input_tokens AS i, m.output_tokens AS o, m.cache_creation_tokens AS cw,
         m.cache_write_1h_tokens AS cw1h, m.cache_read_tokens AS cr,
         CASE WHEN m.cost_source = 'agent' THEN m.cost_usd END AS agentCost,
         ${bucketSql('m.input_tokens + m.cache_creation_tokens + m.cache_read_tokens')} AS bucket
  FROM usage_messages m WHERE m.baton = 0
  UNION ALL
  SELECT s.started_at, t.agent, COALESCE(s.model, 'unknown'), s.speed, p.working_dir, s.session_id, 'baton',
         s.input_tokens, s.output_tokens, s.cache_creation_tokens, s.cache_write_1h_tokens, s.cache_read_tokens,
         CASE WHEN s.cost_source = 'agent' THEN s.cost_usd END, 0
  FROM sessions s JOIN tasks t ON t.id = s.task_id JOIN projects p ON p.id = t.project_id`;

/** The columns each grouped row must have to be priced. */
const PRICE_KEYS = `model, agent, speed, bucket, agentCost IS NOT NULL`;
const SUMS_SQL = `model AS model, agent AS agent, speed AS speed, bucket AS bucket,
  SUM(i) AS i, SUM(o) AS o, SUM(cw) AS cw, SUM(cw1h) AS cw1h, SUM(cr) AS cr, SUM(agentCost) AS agentCost`;

/** One priced sum of facts, as SQL groups them. */
interface RawSums {
  model: string;
  agent: AgentKind;
  speed: ServiceSpeed;
  bucket: number;
  i: number;
  o: number;
  cw: number;
  cw1h: number;
  cr: number;
  /** The agents' own costs, where every row of the sum had one; null otherwise. */
  agentCost: number | null;
}

/** The name a sum is shown under: its model, or `<model>-fast` for fast mode. */
const labelOf = (row: RawSums) => (row.model === 'unknown' ? row.model : modelAtSpeed(row.model, row.speed));

/**
 * The facts' instants that can fall on the filter's local dates, with a day to spare each side (every zone is
 * within 14 hours of UTC), for a report that then keeps each row by its own local date: SQL then groups and
 * sorts the range's facts only, not every fact there is.
 */
function loosely(filter: UsageFilter, clauses: string[], params: unknown[]): void {
  const utcMidnight = (date: string) => Date.parse(`${date}T00:00:00Z`);
  if (filter.since) {
    clauses.push('at >= ?');
    params.push(utcMidnight(filter.since) - DAY_MS);
  }
  if (filter.until) {
    clauses.push('at < ?');
    params.push(utcMidnight(filter.until) + 2 * DAY_MS);
  }
}

/**
 * The filter as SQL over the facts. `byFact`: the report keeps each fact by its own date, so the range may
 * bound the facts read; a session report keeps a session by its last activity and sums all of it, so it may not.
 */
function whereOf(filter: UsageFilter, byFact = false): { sql: string; params: unknown[] } {
  const clauses: string[] = [];
  const params: unknown[] = [];
  if (byFact) loosely(filter, clauses, params);
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
export const timeZoneOf = (filter: UsageFilter): string => filter.timeZone ?? serviceTimeZone();

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

  /** SQL for a fact's local day number in the filter's zone, over the span the facts cover. */
  private localDay(filter: UsageFilter): string {
    const [span] = this.all<{ first: number | null; last: number | null }>(
      `SELECT MIN(first) AS first, MAX(last) AS last FROM (
         SELECT MIN(at) AS first, MAX(at) AS last FROM usage_messages
         UNION ALL SELECT MIN(started_at), MAX(started_at) FROM sessions)`,
    );
    const now = this.now();
    return zoneDaySql('at', timeZoneOf(filter), span?.first ?? now, span?.last ?? now);
  }

  /** Prices grouped sums with the settings' prices as they are now (read once per report). */
  private pricer(): (row: RawSums) => Sums {
    const [stored] = this.all<{ value: string }>(`SELECT value FROM app_settings WHERE key = 'modelPrices'`);
    const parsed = stored ? modelPricesSchema.safeParse(JSON.parse(stored.value) as unknown) : undefined;
    const overrides = parsed?.success ? parsed.data : {};
    const prices = new Map<string, ModelPrice | null>();
    return (row) => {
      const tokens = { i: row.i, o: row.o, cw: row.cw, cw1h: row.cw1h, cr: row.cr };
      if (row.agentCost !== null) return { ...tokens, cost: row.agentCost, unknownTokens: 0, source: 'agent' };
      const usage = {
        inputTokens: row.i,
        outputTokens: row.o,
        cacheCreationTokens: row.cw,
        cacheWrite1hTokens: row.cw1h,
        cacheReadTokens: row.cr,
      };
      const key = `${row.model}\u0000${row.agent}\u0000${row.speed}`;
      let price = prices.get(key);
      if (price === undefined) {
        price = (row.model !== 'unknown' && priceFor(row.model, row.agent, overrides, row.speed)) || null;
        prices.set(key, price);
      }
      const cost = costAt(price ?? undefined, usage, contextOfBucket(row.bucket));
      return cost === null
        ? { ...tokens, cost: 0, unknownTokens: row.i + row.o + row.cw + row.cr, source: 'unknown' }
        : { ...tokens, cost, unknownTokens: 0, source: 'estimated' };
    };
  }

  report(kind: UsageReportKind, filter: UsageFilter): UsageReport {
    const timeZone = timeZoneOf(filter);
    const base = { kind, timeZone, periods: [], sessions: [], blocks: [] };
    if (kind === 'daily' || kind === 'monthly') {
      const { periods, totals } = this.periods(filter, kind === 'daily' ? 'day' : 'month');
      return { ...base, periods, totals };
    }
    const rows = kind === 'session' ? this.sessions(filter) : this.blocks(filter);
    const totals = zeroTokens();
    for (const row of rows) addAll(totals, row);
    return { ...base, [kind === 'session' ? 'sessions' : 'blocks']: rows, totals: settled(totals) };
  }

  /** Tokens per local day (or month) and model, split by source; the totals over the same range. */
  periods(filter: UsageFilter, grain: 'day' | 'month'): { periods: UsagePeriodRow[]; totals: UsageTokens } {
    const where = whereOf(filter, true);
    const rows = this.all<RawSums & { day: number; source: UsageSource }>(
      `SELECT ${this.localDay(filter)} AS day, source, ${SUMS_SQL}
       FROM (${factsSql()}) ${where.sql} GROUP BY day, source, ${PRICE_KEYS}`,
      where.params,
    );
    const price = this.pricer();
    const byKey = new Map<string, UsagePeriodRow>();
    const totals = zeroTokens();
    for (const row of rows) {
      const date = dayDate(row.day);
      if (!inRange(date, filter)) continue;
      const sums = price(row);
      add(totals, sums);
      if (row.model === SYNTHETIC_MODEL) continue;
      const period = grain === 'day' ? date : date.slice(0, 7);
      const model = labelOf(row);
      const key = `${period}\u0000${model}`;
      let entry = byKey.get(key);
      if (!entry) {
        entry = { period, model, ...zeroTokens(), bySource: { baton: zeroTokens(), interactive: zeroTokens() } };
        byKey.set(key, entry);
      }
      add(entry, sums);
      add(entry.bySource[row.source], sums);
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
      RawSums & { sessionId: string; source: UsageSource; project: string | null; first: number; last: number }
    >(
      `SELECT sessionId, source, MAX(project) AS project, MIN(at) AS first, MAX(at) AS last, ${SUMS_SQL}
       FROM (${factsSql()}) ${where.sql} GROUP BY sessionId, source, ${PRICE_KEYS}`,
      where.params,
    );
    const price = this.pricer();
    const dateOf = localDates(timeZoneOf(filter));
    const bySession = new Map<string, UsageSessionRow>();
    for (const row of rows) {
      const key = `${row.sessionId}\u0000${row.source}\u0000${row.agent}`;
      let entry = bySession.get(key);
      if (!entry) {
        entry = {
          ...zeroTokens(),
          sessionId: row.sessionId ?? 'unknown',
          source: row.source,
          agent: row.agent,
          project: row.project,
          models: [],
          firstActivity: row.first,
          lastActivity: row.last,
        };
        bySession.set(key, entry);
      }
      add(entry, price(row));
      const model = labelOf(row);
      if (model !== SYNTHETIC_MODEL && !entry.models.includes(model)) entry.models.push(model);
      entry.firstActivity = Math.min(entry.firstActivity, row.first);
      entry.lastActivity = Math.max(entry.lastActivity, row.last);
      if (row.project !== null && (entry.project === null || row.project > entry.project)) entry.project = row.project;
    }
    return [...bySession.values()]
      .filter((row) => inRange(dateOf(row.lastActivity), filter))
      .map(settled)
      .sort((a, b) => b.lastActivity - a.lastActivity);
  }

  /** Tokens and cost per project, the dearest first. */
  projects(filter: UsageFilter): UsageProjectRow[] {
    const where = whereOf(filter, true);
    const rows = this.all<RawSums & { project: string | null; day: number }>(
      `SELECT COALESCE(project, 'unknown') AS project, ${this.localDay(filter)} AS day, ${SUMS_SQL}
       FROM (${factsSql()}) ${where.sql} GROUP BY 1, day, ${PRICE_KEYS}`,
      where.params,
    );
    const price = this.pricer();
    const byProject = new Map<string, UsageProjectRow>();
    for (const row of rows) {
      if (!inRange(dayDate(row.day), filter)) continue;
      const project = row.project ?? 'unknown';
      let entry = byProject.get(project);
      if (!entry) byProject.set(project, (entry = { project, ...zeroTokens() }));
      add(entry, price(row));
    }
    return [...byProject.values()].map(settled).sort((a, b) => b.costUsd - a.costUsd || b.totalTokens - a.totalTokens);
  }

  /** The 5-hour blocks of the range (see usage-blocks.ts). */
  blocks(filter: UsageFilter): UsageBlock[] {
    const where = whereOf(filter, true);
    const rows = this.all<RawSums & { at: number }>(
      `SELECT at, ${SUMS_SQL} FROM (${factsSql()}) ${where.sql} GROUP BY at, ${PRICE_KEYS} ORDER BY at`,
      where.params,
    );
    const price = this.pricer();
    const dateOf = localDates(timeZoneOf(filter));
    const entries = rows
      .filter((row) => inRange(dateOf(row.at), filter))
      .map((row) => ({ at: row.at, model: labelOf(row), sums: price(row) }));
    return blocksOf(entries, this.now());
  }

  origin(directories: readonly TranscriptDirectory[]): UsageOrigin {
    const [files] = this.all<{ n: number; last: number | null }>(
      `SELECT COUNT(*) AS n, MAX(imported_at) AS last FROM transcript_files`,
    );
    const [messages] = this.all<{ n: number; legacy: number | null }>(
      `SELECT COUNT(*) AS n, SUM(legacy) AS legacy FROM usage_messages`,
    );
    const [unlinked] = this.all<{ n: number }>(`SELECT COUNT(*) AS n FROM sessions s WHERE ${WITHOUT_TRANSCRIPT_SQL}`);
    return {
      directories: directories.map((d) => ({ agent: d.agent, path: d.path, exists: existsSync(d.path) })),
      files: files?.n ?? 0,
      messages: messages?.n ?? 0,
      batonSessionsWithoutTranscript: unlinked?.n ?? 0,
      legacyMessages: messages?.legacy ?? 0,
      lastImportAt: files?.last ?? null,
    };
  }
}
