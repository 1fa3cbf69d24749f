/** `baton import` and `baton usage`: the agents' transcripts into the store, and reports over all usage. */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { formatCost, formatTokens } from '../contract/format';
import type { UsageFilterInput, UsageReport, UsageReportKind, UsageTokens } from '../contract/usage';
import { openBaton } from '../service/open-baton';
import { CliError, EXIT_BAD_INPUT, out } from './cli-error';
import {
  clearImportProgress,
  type ImportOptions,
  namedDirectories,
  printImportProgress,
  printImportSummary,
  showsProgress,
} from './import-cli';

export type { ImportOptions } from './import-cli';

export async function importCommand(options: ImportOptions): Promise<number> {
  const service = await openBaton({
    mode: 'cli',
    databaseFile: options.db,
    transcriptDirectories: namedDirectories(options),
    watchTranscripts: false,
  });
  const ticker = showsProgress(options.json)
    ? setInterval(
        () =>
          void service.call('getImportProgress', {}).then((progress) => {
            if (progress.state === 'importing') printImportProgress(progress);
          }),
        250,
      )
    : undefined;
  try {
    const summary = await service.call('importTranscripts', {});
    if (ticker) clearImportProgress();
    printImportSummary(summary, options.json === true);
    return 0;
  } finally {
    if (ticker) clearInterval(ticker);
    await service.close();
  }
}

export interface UsageOptions {
  since?: string;
  until?: string;
  project?: string;
  agent?: string;
  source?: string;
  timezone?: string;
  json?: boolean;
  db?: string;
}

const tokensJson = (t: UsageTokens) => ({
  inputTokens: t.inputTokens,
  outputTokens: t.outputTokens,
  cacheCreationTokens: t.cacheCreationTokens,
  cacheWrite1hTokens: t.cacheWrite1hTokens,
  cacheReadTokens: t.cacheReadTokens,
  totalTokens: t.totalTokens,
  costUsd: t.costUsd,
  unknownCostTokens: t.unknownCostTokens,
  costSources: t.costSources,
});

/** The JSON of a report, in the shapes `baton usage … --json` documents. */
export function usageJson(report: UsageReport): unknown {
  const totals = tokensJson(report.totals);
  switch (report.kind) {
    case 'daily':
    case 'monthly': {
      const key = report.kind === 'daily' ? 'date' : 'month';
      return {
        [report.kind]: report.periods.map((row) => ({
          [key]: row.period,
          model: row.model,
          ...tokensJson(row),
          bySource: { baton: tokensJson(row.bySource.baton), interactive: tokensJson(row.bySource.interactive) },
        })),
        totals,
        timeZone: report.timeZone,
      };
    }
    case 'session':
      return { sessions: report.sessions, totals, timeZone: report.timeZone };
    case 'blocks':
      return { blocks: report.blocks, totals };
  }
}

const costText = (t: UsageTokens) =>
  t.unknownCostTokens > 0
    ? `${formatCost(t.costUsd)} + unpriced ${formatTokens(t.unknownCostTokens)} tok`
    : formatCost(t.costUsd);

/** Columns of text first (left-aligned), then figures (right-aligned). */
function table(rows: string[][], textColumns: number): string[] {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) =>
    row
      .map((cell, column) => (column < textColumns ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!)))
      .join('  ')
      .trimEnd(),
  );
}

const tokenCells = (t: UsageTokens) => [
  formatTokens(t.inputTokens),
  formatTokens(t.outputTokens),
  formatTokens(t.cacheCreationTokens),
  formatTokens(t.cacheReadTokens),
  formatTokens(t.totalTokens),
  costText(t),
];
const TOKEN_HEADINGS = ['input', 'output', 'cache write', 'cache read', 'total', 'cost'];

function usageLines(report: UsageReport): string[] {
  const when = (at: number) => new Date(at).toISOString().replace('T', ' ').slice(0, 16);
  switch (report.kind) {
    case 'daily':
    case 'monthly':
      if (report.periods.length === 0) return [];
      return table(
        [
          [report.kind === 'daily' ? 'date' : 'month', 'model', ...TOKEN_HEADINGS],
          ...report.periods.map((row) => [row.period, row.model, ...tokenCells(row)]),
          ['total', '', ...tokenCells(report.totals)],
        ],
        2,
      );
    case 'session':
      if (report.sessions.length === 0) return [];
      return table(
        [
          ['session', 'source', 'project', 'last activity (UTC)', ...TOKEN_HEADINGS],
          ...report.sessions.map((s) => [
            s.sessionId,
            s.source,
            s.project ?? '',
            when(s.lastActivity),
            ...tokenCells(s),
          ]),
        ],
        4,
      );
    case 'blocks':
      if (report.blocks.length === 0) return [];
      return table(
        [
          ['block start (UTC)', 'state', ...TOKEN_HEADINGS, 'burn rate'],
          ...report.blocks.map((b) => [
            when(b.start),
            b.isGap ? 'gap' : b.isActive ? 'ACTIVE' : '',
            ...tokenCells(b),
            b.burnRate
              ? `${Math.round(b.burnRate.tokensPerMinute)} tok/min${b.projection ? `, ${formatTokens(b.projection.totalTokens)} tok by the end` : ''}`
              : '',
          ]),
        ],
        2,
      );
  }
}

/** Whose figures the costs are, as the price data's are estimates. */
export function costSourceLine(totals: UsageTokens): string {
  const said = {
    agent: 'as the agent reported them',
    estimated: 'estimated from the price data (@pydantic/genai-prices, or your own prices in settings)',
    unknown: 'unknown for models without prices',
  } as const;
  return `costs: ${totals.costSources.map((source) => said[source]).join('; ') || 'none'}`;
}

export async function usageCommand(kind: string, options: UsageOptions): Promise<number> {
  const kinds: readonly UsageReportKind[] = ['daily', 'monthly', 'session', 'blocks'];
  if (!kinds.includes(kind as UsageReportKind)) {
    throw new CliError(`usage reports are ${kinds.join(', ')}; got "${kind}"`, EXIT_BAD_INPUT);
  }
  const filter = {
    since: options.since,
    until: options.until,
    // A folder given as a path (`.`) means the project there, stored by its full path.
    project: options.project && existsSync(options.project) ? path.resolve(options.project) : options.project,
    agent: options.agent,
    source: options.source ?? 'all',
    timeZone: options.timezone,
  } as UsageFilterInput;
  const service = await openBaton({ mode: 'cli', databaseFile: options.db, watchTranscripts: false });
  try {
    const report = await service.call('getUsageReport', { kind: kind as UsageReportKind, filter });
    if (options.json) {
      out(JSON.stringify(usageJson(report)));
      return 0;
    }
    const lines = usageLines(report);
    if (lines.length > 0) {
      for (const line of lines) out(line);
      out(costSourceLine(report.totals));
    } else {
      const origin = await service.call('getUsageOverview', { filter: { source: 'all' } });
      out(
        origin.origin.files === 0
          ? 'no usage yet: run `baton import` to read the agents’ transcripts'
          : 'no usage in this range',
      );
    }
    return 0;
  } finally {
    await service.close();
  }
}
