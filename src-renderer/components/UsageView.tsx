import { useMemo, useState } from 'react';
import { useStore } from 'zustand';
import { agentLabel } from '../agents';
import { useServices } from '../app/services';
import {
  formatCost,
  formatDate,
  formatDuration,
  formatTokens,
  plural,
  formatShare,
  rawValue,
  USAGE_SOURCE_LABELS,
  USAGE_SOURCES,
  type ImportProgress,
  type ImportSummary,
  type UsageBlock,
  type UsageOrigin,
  type UsageOverview,
  type UsageProjectRow,
  type UsageSource,
} from '../contract';
import { unknownCostTitle, usageCostText, type CostFigures } from '../cost';
import { errorMessage } from '../errors';
import { useTranscriptImport, useUsageOverview, type TranscriptImport } from '../hooks/use-usage';
import { hrefs } from '../router';
import {
  isUnfiltered,
  usageRangeError,
  type UsageMetric,
  type UsageSourceChoice,
  type UsageStore,
} from '../stores/usage-store';
import '../styles/usage.css';
import { baseName } from '../text';
import { DailyUsageChart } from './charts/lazy-charts';
import { formatBytes } from '../patch';
import { DateRangeFields } from './DateRangeFields';
import { Segmented } from './Segmented';
import { clockTime } from './QuotaTiles';
import { Empty, ErrorState, Loading } from './StateViews';

/** Blocks listed before "Show all": a day or two of work. */
export const BLOCKS_SHOWN = 8;

const SOURCE_CHOICES: { value: UsageSourceChoice; label: string }[] = [
  { value: 'all', label: 'All' },
  ...USAGE_SOURCES.map((source) => ({ value: source, label: USAGE_SOURCE_LABELS[source] })),
];

/** Whose figures the costs are, in this order whatever the range: an estimate is not what the agent said it cost. */
const COST_SOURCE_WORDS = {
  agent: 'reported by the agents',
  estimated: 'estimated from model prices (the price data, or yours in Settings)',
  unknown: 'unknown, for models without a price',
} as const;
const COST_SOURCE_ORDER = Object.keys(COST_SOURCE_WORDS) as (keyof typeof COST_SOURCE_WORDS)[];

/** "Costs are reported by the agents." or "Costs: some reported by the agents, some estimated from …". */
export function describeCostSources(sources: readonly (keyof typeof COST_SOURCE_WORDS)[]): string {
  const words = COST_SOURCE_ORDER.filter((source) => sources.includes(source)).map((s) => COST_SOURCE_WORDS[s]);
  if (words.length === 1) return `Costs are ${words[0]}.`;
  return `Costs: ${words.map((w) => `some ${w}`).join('; ')}.`;
}

const METRICS: { value: UsageMetric; label: string }[] = [
  { value: 'cost', label: 'Cost' },
  { value: 'tokens', label: 'Tokens' },
];

function ImportButton({ transcripts }: { transcripts: TranscriptImport }) {
  const busy = transcripts.requested || transcripts.progress?.state === 'importing';
  return (
    <button type="button" data-testid="usage-import-now" disabled={busy} onClick={transcripts.importNow}>
      {busy ? 'Importing…' : 'Import now'}
    </button>
  );
}

function UsageFilters({ store, transcripts }: { store: UsageStore; transcripts: TranscriptImport }) {
  const filter = useStore(store, (s) => s.filter);
  const setFilter = useStore(store, (s) => s.setFilter);
  const rangeError = usageRangeError(filter);
  return (
    <div className="filters usage-filters" role="search" aria-label="Filter usage">
      <Segmented
        label="Source"
        testId="usage-source"
        value={filter.source}
        options={SOURCE_CHOICES}
        onChange={(source) => setFilter({ source })}
      />
      <DateRangeFields
        ids={{ from: 'usage-since', to: 'usage-until', error: 'usage-range-error' }}
        from={filter.since ?? ''}
        to={filter.until ?? ''}
        error={rangeError}
        onFrom={(value) => setFilter({ since: value || undefined })}
        onTo={(value) => setFilter({ until: value || undefined })}
      />
      <ImportButton transcripts={transcripts} />
    </div>
  );
}

/** "12 of 40": a count of a total the import may not know yet. */
function ofTotal(done: number, total: number, format: (n: number) => string): string {
  return total > 0 ? `${format(done)} of ${format(total)}` : format(done);
}

function ImportProgressBars({ progress }: { progress: ImportProgress | null }) {
  // Until the service reports totals, the bars have no value, which draws them indeterminate.
  const counting = progress?.state === 'importing';
  const files = counting && progress.filesTotal > 0 ? progress : null;
  const bytes = counting && progress.bytesTotal > 0 ? progress : null;
  return (
    <div className="usage-import-progress" data-testid="usage-import-progress" role="status">
      <p>Importing the agents’ transcripts…</p>
      <label>
        <span>Files{counting ? `: ${ofTotal(progress.filesDone, progress.filesTotal, formatTokens)}` : ''}</span>
        <progress
          data-testid="usage-import-files"
          max={files?.filesTotal}
          value={files?.filesDone}
          aria-label="Files imported"
        />
      </label>
      <label>
        <span>Data{counting ? `: ${ofTotal(progress.bytesDone, progress.bytesTotal, formatBytes)}` : ''}</span>
        <progress
          data-testid="usage-import-bytes"
          max={bytes?.bytesTotal}
          value={bytes?.bytesDone}
          aria-label="Bytes imported"
        />
      </label>
    </div>
  );
}

function ImportStatus({ transcripts }: { transcripts: TranscriptImport }) {
  const { progress, requested, error: callError } = transcripts;
  if (requested || progress?.state === 'importing') return <ImportProgressBars progress={progress} />;
  const error = callError ?? (progress?.state === 'failed' ? (progress.error ?? 'the import failed') : null);
  if (!error) return null;
  return (
    <p className="field-error usage-import-error" role="alert" data-testid="usage-import-error">
      The import failed: {error}
    </p>
  );
}

/** "$4.20", "$4.20 + unknown", or "unknown", with the exact known figure in data-value. */
function CostText({ usage, testId }: { usage: CostFigures; testId?: string }) {
  return (
    <span data-testid={testId} data-value={rawValue(usage.costUsd)} title={unknownCostTitle(usage)}>
      {usageCostText(usage)}
    </span>
  );
}

function UsageTotals({ overview }: { overview: UsageOverview }) {
  const { totals } = overview;
  // Each source's cost with its tokens of unknown cost, so it says "+ unknown" as the total does.
  const bySource = useMemo(() => {
    const sums = Object.fromEntries(
      USAGE_SOURCES.map((source) => [source, { costUsd: 0, totalTokens: 0, unknownCostTokens: 0 }]),
    ) as Record<UsageSource, Required<CostFigures>>;
    for (const row of overview.daily) {
      for (const source of USAGE_SOURCES) {
        const part = row.bySource[source];
        sums[source].costUsd += part.costUsd;
        sums[source].totalTokens += part.totalTokens;
        sums[source].unknownCostTokens += part.unknownCostTokens;
      }
    }
    return sums;
  }, [overview.daily]);
  return (
    <section aria-labelledby="usage-totals-heading">
      <h3 id="usage-totals-heading" className="visually-hidden">
        Totals
      </h3>
      <dl className="totals usage-strip">
        <div className="total">
          <dt>Cost</dt>
          <dd>
            <CostText usage={totals} testId="usage-total-cost" />
          </dd>
        </div>
        <div className="total">
          <dt>Tokens</dt>
          <dd data-testid="usage-total-tokens" data-value={rawValue(totals.totalTokens)}>
            {formatTokens(totals.totalTokens)}
          </dd>
        </div>
        {USAGE_SOURCES.map((source) => (
          <div className="total" key={source}>
            <dt>{USAGE_SOURCE_LABELS[source]}</dt>
            <dd>
              <CostText usage={bySource[source]} testId={`usage-total-${source}`} />
            </dd>
          </div>
        ))}
      </dl>
      {totals.costSources.length > 0 ? (
        <p className="usage-cost-source" data-testid="usage-cost-source">
          {describeCostSources(totals.costSources)}
        </p>
      ) : null}
      {totals.cacheCreationTokens > 0 ? (
        <p className="usage-cache-writes" data-testid="usage-cache-writes">
          Cache writes: {formatTokens(totals.cacheCreationTokens)} tokens
          {totals.cacheWrite1hTokens > 0
            ? `, of which ${formatTokens(totals.cacheWrite1hTokens)} kept for 1 hour (priced higher than the 5-minute ones)`
            : ''}
          ; cache reads: {formatTokens(totals.cacheReadTokens)} tokens.
        </p>
      ) : null}
      {totals.unknownCostTokens > 0 ? (
        <p className="usage-unknown-cost" role="note" data-testid="usage-unknown-cost">
          {formatTokens(totals.unknownCostTokens)} of {formatTokens(totals.totalTokens)} tokens have no known cost
          (their models have no price), so the costs shown leave them out. Their prices can be set in{' '}
          <a href={hrefs.settings}>Settings</a>.
        </p>
      ) : null}
    </section>
  );
}

function MetricSwitch({ store }: { store: UsageStore }) {
  const metric = useStore(store, (s) => s.metric);
  const setMetric = useStore(store, (s) => s.setMetric);
  return <Segmented label="Show" testId="usage-metric" value={metric} options={METRICS} onChange={setMetric} />;
}

function UsageCharts({ store, overview }: { store: UsageStore; overview: UsageOverview }) {
  const metric = useStore(store, (s) => s.metric);
  const since = useStore(store, (s) => s.filter.since);
  const until = useStore(store, (s) => s.filter.until);
  const range = useMemo(() => ({ since, until }), [since, until]);
  return (
    <section className="charts usage-charts" aria-labelledby="usage-charts-heading">
      <h3 id="usage-charts-heading" className="visually-hidden">
        Usage per day
      </h3>
      <DailyUsageChart
        rows={overview.daily}
        stack="source"
        metric={metric}
        range={range}
        controls={<MetricSwitch store={store} />}
      />
      <DailyUsageChart rows={overview.daily} stack="model" metric={metric} range={range} />
    </section>
  );
}

function BlockCard({ block }: { block: UsageBlock }) {
  return (
    <li
      className={block.isActive ? 'usage-block usage-block-active' : 'usage-block'}
      data-testid="usage-block"
      data-active={block.isActive || undefined}
      aria-current={block.isActive ? 'true' : undefined}
    >
      <div className="usage-block-head">
        <span className="usage-block-time">
          {formatDate(block.start)} – {clockTime(block.end, block.start)}
        </span>
        {block.isActive ? <span className="badge status-running">Active</span> : null}
      </div>
      <div className="usage-block-figures">
        <span>{formatTokens(block.totalTokens)} tokens</span>
        <CostText usage={block} />
        <span>{plural(block.messages, 'message')}</span>
        {block.models.length > 0 ? <span className="muted">{block.models.join(', ')}</span> : null}
      </div>
      {block.isActive ? (
        block.burnRate ? (
          <p className="usage-burn-rate" data-testid="usage-burn-rate">
            Burning {formatTokens(block.burnRate.tokensPerMinute)} tokens/min · {formatCost(block.burnRate.costPerHour)}
            /h
          </p>
        ) : (
          <p className="muted">The burn rate shows once this block’s messages span some time.</p>
        )
      ) : null}
      {block.isActive && block.projection ? (
        <p className="usage-projection" data-testid="usage-projection">
          At this rate the block ends in {formatDuration(block.projection.remainingMinutes * 60_000)} at{' '}
          {formatTokens(block.projection.totalTokens)} tokens, {formatCost(block.projection.costUsd)}.
        </p>
      ) : null}
    </li>
  );
}

function Blocks({ blocks, olderBlocks }: { blocks: UsageBlock[]; olderBlocks: number }) {
  const [showAll, setShowAll] = useState(false);
  // Gaps between blocks carry no usage; the most recent block comes first.
  const recent = useMemo(() => blocks.filter((b) => !b.isGap).sort((a, b) => b.start - a.start), [blocks]);
  const shown = showAll ? recent : recent.slice(0, BLOCKS_SHOWN);
  return (
    <section aria-labelledby="usage-blocks-heading">
      <h3 id="usage-blocks-heading">5-hour blocks</h3>
      {recent.length === 0 ? (
        <p className="muted">No blocks in this range.</p>
      ) : (
        <ol className="usage-blocks">
          {shown.map((block) => (
            <BlockCard key={block.id} block={block} />
          ))}
        </ol>
      )}
      {recent.length > shown.length ? (
        <button type="button" className="link-button" onClick={() => setShowAll(true)}>
          Show all {formatTokens(recent.length)} blocks
        </button>
      ) : null}
      {olderBlocks > 0 && (showAll || recent.length <= shown.length) ? (
        <p className="muted" data-testid="usage-older-blocks">
          {plural(olderBlocks, 'older block')} of this range not listed: choose later dates to see them.
        </p>
      ) : null}
    </section>
  );
}

function Projects({ projects }: { projects: UsageProjectRow[] }) {
  const ranked = useMemo(
    () => [...projects].sort((a, b) => b.costUsd - a.costUsd || b.totalTokens - a.totalTokens),
    [projects],
  );
  const allCost = ranked.reduce((sum, p) => sum + p.costUsd, 0);
  return (
    <section aria-labelledby="usage-projects-heading">
      <h3 id="usage-projects-heading">Projects by cost</h3>
      {ranked.length === 0 ? (
        <p className="muted">No project in this range.</p>
      ) : (
        <div className="table-wrap">
          <table className="usage-projects" data-testid="usage-projects" aria-labelledby="usage-projects-heading">
            <thead>
              <tr>
                <th scope="col" className="num">
                  #
                </th>
                <th scope="col">Project</th>
                <th scope="col" className="num">
                  Tokens
                </th>
                <th scope="col" className="num">
                  Cost
                </th>
                <th scope="col" className="num">
                  Share
                </th>
              </tr>
            </thead>
            <tbody>
              {ranked.map((p, i) => (
                <tr key={p.project} data-testid="usage-project" data-project={p.project}>
                  <td className="num">{i + 1}</td>
                  <td title={p.project}>
                    <strong>{baseName(p.project)}</strong> <span className="muted usage-path">{p.project}</span>
                  </td>
                  <td className="num" data-value={rawValue(p.totalTokens)}>
                    {formatTokens(p.totalTokens)}
                  </td>
                  <td className="num">
                    <CostText usage={p} />
                  </td>
                  <td className="num muted">{formatShare(p.costUsd, allCost)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function Directories({ directories }: { directories: UsageOrigin['directories'] }) {
  if (directories.length === 0) return <p className="muted">No transcript folder is configured.</p>;
  return (
    <ul className="usage-directories">
      {directories.map((d) => (
        <li key={`${d.agent}:${d.path}`} data-testid="usage-directory" data-exists={d.exists}>
          <code>{d.path}</code> <span className="muted">{agentLabel(d.agent)}</span>{' '}
          <span className={d.exists ? 'usage-found' : 'usage-missing'}>{d.exists ? 'found' : 'not found'}</span>
        </li>
      ))}
    </ul>
  );
}

function describeImport(summary: ImportSummary): string {
  const parts = [plural(summary.newFiles, 'new file'), plural(summary.messages, 'message')];
  if (summary.corrected > 0) parts.push(`${plural(summary.corrected, 'message')} corrected`);
  if (summary.duplicates > 0) parts.push(`${plural(summary.duplicates, 'duplicate')} skipped`);
  if (summary.malformed > 0) parts.push(`${plural(summary.malformed, 'unreadable line')} skipped`);
  return `${parts.join(', ')} in ${formatDuration(summary.durationMs)}`;
}

/** Whether an import stored or corrected anything; the watch's polls mostly find nothing new. */
const changedSomething = (summary: ImportSummary) =>
  summary.newFiles > 0 || summary.messages > 0 || summary.corrected > 0;

/**
 * The last import that changed the figures, and the later check that found nothing where there was one, each
 * said as itself: the time is the change's, the counts are those of the import they describe.
 */
export function describeLastImport(lastImportAt: number | null, last: ImportSummary | null): string {
  if (lastImportAt === null) {
    return last ? `No import has stored anything yet; the last one found nothing new.` : 'No import has run yet.';
  }
  const when = `Last change ${formatDate(lastImportAt)}`;
  if (!last) return `${when}.`;
  if (changedSomething(last)) return `${when}: ${describeImport(last)}.`;
  return `${when}. Checked again since: nothing new (${plural(last.files, 'file')} looked at in ${formatDuration(last.durationMs)}).`;
}

function Origin({ origin, last }: { origin: UsageOrigin; last: ImportSummary | null }) {
  return (
    <section aria-labelledby="usage-origin-heading" data-testid="usage-origin">
      <h3 id="usage-origin-heading">Where the data came from</h3>
      <p>The agents’ transcript folders Baton reads:</p>
      <Directories directories={origin.directories} />
      <p data-testid="usage-origin-counts">
        {plural(origin.files, 'transcript file')} imported, holding {plural(origin.messages, 'message')}.
      </p>
      <p data-testid="usage-origin-baton">
        {plural(origin.batonSessionsWithoutTranscript, 'Baton session')} without a transcript counted from Baton’s own
        records.
      </p>
      {origin.legacyMessages > 0 ? (
        <p data-testid="usage-origin-legacy">
          {plural(origin.legacyMessages, 'message')} counted by an earlier Baton whose transcript files are gone:
          counted from their first line, so their output tokens may be short.
        </p>
      ) : null}
      <p data-testid="usage-origin-last-import">{describeLastImport(origin.lastImportAt, last)}</p>
      {last && last.skippedFiles > 0 ? <SkippedFiles summary={last} /> : null}
    </section>
  );
}

/** What the last import could not read: passed over, every other file imported. */
function SkippedFiles({ summary }: { summary: ImportSummary }) {
  const unlisted = summary.skippedFiles - summary.skipped.length;
  return (
    <div data-testid="usage-origin-skipped">
      <p>
        The last import could not read {plural(summary.skippedFiles, 'file or folder', 'files or folders')} and passed
        over {summary.skippedFiles === 1 ? 'it' : 'them'}; everything else was imported:
      </p>
      <ul>
        {summary.skipped.map((entry) => (
          <li key={entry.path}>
            <code>{entry.path}</code>: {entry.reason}
          </li>
        ))}
        {unlisted > 0 ? <li>and {plural(unlisted, 'more', 'more')}</li> : null}
      </ul>
    </div>
  );
}

/** What an empty All usage says: whether an import has looked yet, and where it looks. */
export function noUsageText(lastImportAt: number | null, imported: boolean): string {
  if (lastImportAt !== null) return 'The last import found no usage in the agents’ transcript folders:';
  if (imported) return 'The import looked in these folders and found no transcripts of the agents:';
  return 'Nothing imported yet. Baton counts every session, interactive ones too, from the agents’ transcripts in these folders:';
}

/** Nothing to show: nothing imported, or nothing the filters select. The toolbar's "Import now" serves both. */
function NoUsage({
  store,
  overview,
  transcripts,
}: {
  store: UsageStore;
  overview: UsageOverview;
  transcripts: TranscriptImport;
}) {
  const unfiltered = useStore(store, (s) => isUnfiltered(s.filter));
  // An import that ended, the watch's own included, has looked even where it stored nothing.
  const imported = transcripts.lastImport !== null || transcripts.progress?.last != null;
  if (!unfiltered) return <Empty>No usage matches these filters.</Empty>;
  const { origin } = overview;
  return (
    <div className="usage-nothing">
      <Empty>{noUsageText(origin.lastImportAt, imported)}</Empty>
      <Directories directories={origin.directories} />
    </div>
  );
}

/** History's "All usage": what the agents' own transcripts say was spent, Baton's sessions and interactive ones. */
export function UsageView() {
  const { usage } = useServices();
  const query = useUsageOverview(usage);
  const overview = query.data;
  const invalid = useStore(usage, (s) => usageRangeError(s.filter));
  // An import may already run (the service imports as transcripts change): its bar shows until it ends.
  const transcripts = useTranscriptImport();
  const lastImport = transcripts.lastImport ?? transcripts.progress?.last ?? null;

  let body;
  if (invalid) body = <Empty>Fix the date range to see the usage.</Empty>;
  else if (query.isError)
    body = (
      <ErrorState
        title="Could not load the usage"
        message={errorMessage(query.error)}
        onRetry={() => void query.refetch()}
      />
    );
  else if (!overview) body = <Loading label="Loading usage…" />;
  else if (overview.daily.length === 0 && overview.totals.totalTokens === 0)
    body = <NoUsage store={usage} overview={overview} transcripts={transcripts} />;
  else
    body = (
      <>
        <UsageTotals overview={overview} />
        <UsageCharts store={usage} overview={overview} />
        <Blocks blocks={overview.blocks} olderBlocks={overview.olderBlocks} />
        <Projects projects={overview.projects} />
        <Origin origin={overview.origin} last={lastImport} />
      </>
    );

  return (
    <div className="usage-view" data-testid="usage-view" aria-busy={query.isFetching || undefined}>
      <UsageFilters store={usage} transcripts={transcripts} />
      <ImportStatus transcripts={transcripts} />
      {body}
    </div>
  );
}
