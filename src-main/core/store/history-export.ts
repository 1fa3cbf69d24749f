/** History's exports: the tasks as CSV or JSON, and the file name they are saved under. */
import { roundUsd } from '../../contract/format';
import { modelName } from '../../contract/models';
import type { TaskFilter } from '../../contract/api';
import type { TaskSummary } from '../../contract/views';
import { dayDate, zoneDay } from '../local-day';

/** A task as exported: its summary and the models its sessions reported. */
export interface ExportedTask extends TaskSummary {
  models: string[];
}

const CSV_COLUMNS = [
  'id',
  'title',
  'project',
  'agent',
  'model',
  'status',
  'statusReason',
  'createdAt',
  'finishedAt',
  'iterations',
  'inputTokens',
  'outputTokens',
  'cacheCreationTokens',
  'cacheReadTokens',
  'totalTokens',
  'turns',
  'costUsd',
  'durationMs',
  'linesChanged',
] as const;

/**
 * Costs in exports: 8 decimals, which every token price per million tokens fits exactly, and no
 * float noise from summing (0.30000000000000004).
 */
export function exportCost(usd: number): number {
  return roundUsd(usd, 8);
}

/** A text cell a spreadsheet would run as a formula (=, +, -, @, tab, CR first) gets a leading apostrophe. */
export function neutralizeFormula(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

/** RFC 4180 quoting: a field with a comma, quote or line break is quoted, quotes doubled. Text is defused first. */
function csvField(value: string | number | null): string {
  if (value === null) return '';
  const text = typeof value === 'number' ? String(value) : neutralizeFormula(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

const isoTime = (epochMs: number | null) => (epochMs === null ? null : new Date(epochMs).toISOString());

/** The model(s) a task ran on: what its sessions reported, else what it asked for; each by its one name. */
const modelOf = (t: TaskSummary) => (t.models && t.models.length > 0 ? t.models.join(' ') : (modelName(t.model) ?? ''));

export function tasksToCsv(tasks: TaskSummary[]): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const t of tasks) {
    const row: Record<(typeof CSV_COLUMNS)[number], string | number | null> = {
      id: t.id,
      title: t.title,
      project: t.workingDir,
      agent: t.agent,
      model: modelOf(t),
      status: t.status,
      statusReason: t.statusReason,
      createdAt: isoTime(t.createdAt),
      finishedAt: isoTime(t.finishedAt),
      iterations: t.iterations,
      inputTokens: t.totals.inputTokens,
      outputTokens: t.totals.outputTokens,
      cacheCreationTokens: t.totals.cacheCreationTokens,
      cacheReadTokens: t.totals.cacheReadTokens,
      totalTokens: t.totals.totalTokens,
      turns: t.totals.turns,
      costUsd: exportCost(t.totals.costUsd),
      durationMs: t.durationMs,
      // Empty where git recorded no iteration of the task.
      linesChanged: t.linesChanged ?? null,
    };
    lines.push(CSV_COLUMNS.map((column) => csvField(row[column])).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}

/** The JSON export: each task's summary with its costs rounded as in the CSV. */
export function tasksToJson(tasks: ExportedTask[]): string {
  return JSON.stringify(
    tasks.map((t) => ({
      ...t,
      // The model asked for by its one name; null for the agent's default.
      model: modelName(t.model),
      totals: { ...t.totals, costUsd: exportCost(t.totals.costUsd) },
    })),
    null,
    2,
  );
}

/** Lower-case letters, digits and dots, runs of anything else as one dash. */
export function slug(text: string, maxLength = 40): string {
  return text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9.]+/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '')
    .slice(0, maxLength)
    .replace(/-+$/, '');
}

/**
 * The export's file name after its filter: baton-tasks-<project>-<status>-<search>-<from>_<to>.<ext>,
 * each part only when the filter has it, dates as the caller's local days (`to` is exclusive, so
 * the name shows the last day included). Without a filter: baton-tasks-<today>.<ext>.
 */
export function exportFileName(
  filter: TaskFilter,
  extension: string,
  context: { projectName?: string; timeZone: string; now: number },
): string {
  const day = (epochMs: number) => dayDate(zoneDay(context.timeZone, epochMs));
  const parts: string[] = [];
  if (filter.projectId !== undefined) parts.push(slug(context.projectName ?? filter.projectId) || 'project');
  if (filter.status !== undefined) parts.push(slug(filter.status));
  const search = filter.search?.trim();
  if (search) parts.push(`search-${slug(search, 30) || 'text'}`);
  const from = filter.from !== undefined ? day(filter.from) : undefined;
  const to = filter.to !== undefined ? day(Math.max(filter.to - 1, filter.from ?? 0)) : undefined;
  if (from && to) parts.push(`${from}_${to}`);
  else if (from) parts.push(`from-${from}`);
  else if (to) parts.push(`until-${to}`);
  if (parts.length === 0) parts.push(day(context.now));
  return `baton-tasks-${parts.join('-')}.${extension}`;
}
