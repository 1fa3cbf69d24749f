import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { formatDate } from '../../src-main/contract/format';
import type { UsageBlock, UsagePeriodRow, UsageTokens } from '../../src-main/contract/usage';
import { App } from '../../src-renderer/app/App';
import { createServices, ServicesProvider } from '../../src-renderer/app/services';
import { HistoryView } from '../../src-renderer/components/HistoryView';
import { describeCostSources, UsageView } from '../../src-renderer/components/UsageView';
import { BatonCallError } from '../../src-renderer/errors';
import { IMPORT_POLL_MS } from '../../src-renderer/hooks/use-usage';
import { FakeTransport, historyCharts, importProgress, summary, usageOverview, usageTokens } from './fixtures';

afterEach(() => {
  cleanup();
  vi.useRealTimers();
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
  window.location.hash = '';
});

beforeEach(() => {
  // happy-dom does no layout; recharts draws nothing in a container of no size, and measures it on observing.
  vi.stubGlobal(
    'ResizeObserver',
    class {
      observe() {}
      unobserve() {}
      disconnect() {}
    },
  );
  // Only the charts' bodies have a size: a time chart is drawn at its body's measured width.
  vi.spyOn(HTMLElement.prototype, 'clientWidth', 'get').mockImplementation(function (this: HTMLElement) {
    return this.classList.contains('chart-body') ? 800 : 0;
  });
});

const plus = (a: UsageTokens, b: UsageTokens): UsageTokens => ({
  inputTokens: a.inputTokens + b.inputTokens,
  outputTokens: a.outputTokens + b.outputTokens,
  cacheCreationTokens: a.cacheCreationTokens + b.cacheCreationTokens,
  cacheWrite1hTokens: a.cacheWrite1hTokens + b.cacheWrite1hTokens,
  cacheReadTokens: a.cacheReadTokens + b.cacheReadTokens,
  totalTokens: a.totalTokens + b.totalTokens,
  costUsd: a.costUsd + b.costUsd,
  unknownCostTokens: a.unknownCostTokens + b.unknownCostTokens,
  costSources: [...new Set([...a.costSources, ...b.costSources])],
});

function dayRow(
  period: string,
  model: string,
  sources: { baton?: Partial<UsageTokens>; interactive?: Partial<UsageTokens> },
): UsagePeriodRow {
  const baton = usageTokens(sources.baton);
  const interactive = usageTokens(sources.interactive);
  return { period, model, ...plus(baton, interactive), bySource: { baton, interactive } };
}

const HOUR = 3_600_000;
const firstStart = Date.UTC(2026, 10, 23, 9);
const activeStart = Date.UTC(2026, 10, 25, 14);
const lastImportAt = Date.UTC(2026, 10, 25, 15, 30);

function block(overrides: Partial<UsageBlock>): UsageBlock {
  return {
    ...usageTokens(),
    id: 'block',
    start: firstStart,
    end: firstStart + 5 * HOUR,
    lastActivity: firstStart + HOUR,
    isGap: false,
    isActive: false,
    models: [],
    messages: 0,
    burnRate: null,
    projection: null,
    ...overrides,
  };
}

const daily = [
  dayRow('2026-11-23', 'claude-sonnet-4-5', {
    baton: { outputTokens: 1000, costUsd: 1 },
    interactive: { outputTokens: 2000, costUsd: 2 },
  }),
  dayRow('2026-11-25', 'claude-opus-4-5', { interactive: { outputTokens: 500, costUsd: 3 } }),
  dayRow('2026-11-25', 'mystery-model', { interactive: { inputTokens: 700, unknownCostTokens: 700 } }),
];

const overview = usageOverview({
  daily,
  totals: daily.reduce((sum, row) => plus(sum, row), usageTokens()),
  // Chronological, as the service counts them; the view puts the newest first.
  blocks: [
    block({
      id: 'first',
      ...usageTokens({ outputTokens: 3000, costUsd: 3 }),
      models: ['claude-sonnet-4-5'],
      messages: 10,
      burnRate: { tokensPerMinute: 50, costPerHour: 3 },
    }),
    block({ id: 'gap', start: firstStart + 5 * HOUR, end: activeStart, lastActivity: null, isGap: true }),
    block({
      id: 'active',
      start: activeStart,
      end: activeStart + 5 * HOUR,
      lastActivity: activeStart + HOUR,
      isActive: true,
      ...usageTokens({ inputTokens: 700, outputTokens: 500, costUsd: 3, unknownCostTokens: 700 }),
      models: ['claude-opus-4-5', 'mystery-model'],
      messages: 4,
      burnRate: { tokensPerMinute: 1234.4, costPerHour: 4.2 },
      projection: { totalTokens: 2_000_000, costUsd: 12.3, remainingMinutes: 127 },
    }),
  ],
  // Out of order on purpose: the table ranks them itself.
  projects: [
    { project: '/work/small', ...usageTokens({ outputTokens: 1000, costUsd: 1 }) },
    {
      project: '/work/big',
      ...usageTokens({ inputTokens: 700, outputTokens: 2500, costUsd: 5, unknownCostTokens: 700 }),
    },
  ],
  origin: {
    directories: [
      { agent: 'claude', path: '/home/me/.claude/projects', exists: true },
      { agent: 'codex', path: '/home/me/.codex/sessions', exists: false },
    ],
    files: 12,
    messages: 345,
    batonSessionsWithoutTranscript: 2,
    legacyMessages: 0,
    lastImportAt,
  },
});

const importSummary = {
  files: 12,
  newFiles: 3,
  linesRead: 400,
  messages: 120,
  duplicates: 0,
  malformed: 1,
  sessions: 4,
  durationMs: 1500,
  corrected: 0,
  skipped: [] as Array<{ path: string; reason: string }>,
  skippedFiles: 0,
};

type Handlers = Record<string, (input: unknown) => unknown>;

function transportFor(handlers: Handlers) {
  return new FakeTransport(async (method, input) => {
    const handler = handlers[method];
    if (!handler) throw new Error(`unexpected ${method}`);
    return handler(input);
  });
}

/** The All usage view alone, over a transport answering with `handlers` (no import running unless told). */
function renderUsage(handlers: Handlers = {}) {
  const transport = transportFor({
    getUsageOverview: () => overview,
    getImportProgress: () => importProgress({ state: 'done' }),
    ...handlers,
  });
  const services = createServices(transport, null);
  const view = render(
    <ServicesProvider value={services}>
      <UsageView />
    </ServicesProvider>,
  );
  return { transport, services, ...view };
}

/** Runs due timers and the answers they wait for. */
const advance = async (ms: number) => {
  await act(() => vi.advanceTimersByTimeAsync(ms));
  // The answers reach the view on TanStack Query's 0 ms timer, which fake timers set 1 ms ahead while they run.
  await act(() => vi.advanceTimersByTimeAsync(1));
};

const callsOf = (transport: FakeTransport, method: string) => transport.calls.filter((c) => c.method === method);
const lastFilter = (transport: FakeTransport) =>
  (callsOf(transport, 'getUsageOverview').at(-1)?.input as { filter: Record<string, unknown> }).filter;

describe('the All usage view', () => {
  it('charts the days by source and by model, with stacked bars', async () => {
    renderUsage();
    const bySource = await screen.findByTestId('chart-usage-by-source');
    const byModel = screen.getByTestId('chart-usage-by-model');
    // A bar for each source and model that cost something that day: Baton and interactive on the 23rd,
    // interactive on the 25th; Sonnet on the 23rd, Opus on the 25th (the unpriced model costs nothing known).
    expect(bySource.querySelectorAll('.recharts-bar-rectangle')).toHaveLength(3);
    expect(byModel.querySelectorAll('.recharts-bar-rectangle')).toHaveLength(2);
    expect(bySource.querySelector('figcaption')?.textContent).toContain('Cost per day by source');
    expect(bySource.textContent).toContain('Baton');
    expect(bySource.textContent).toContain('Interactive');
    expect(byModel.textContent).toContain('claude-opus-4-5');

    fireEvent.click(within(bySource).getByRole('radio', { name: 'Tokens' }));
    expect(screen.getByTestId('chart-usage-by-source').querySelector('figcaption')?.textContent).toContain(
      'Tokens per day by source',
    );
    expect(screen.getByTestId('chart-usage-by-model').querySelector('figcaption')?.textContent).toContain(
      'Tokens per day by model',
    );
  });

  it('says the cost is short where tokens have no known cost, for each source too', async () => {
    renderUsage();
    expect((await screen.findByTestId('usage-total-cost')).textContent).toBe('$6.00 + unknown');
    expect(screen.getByTestId('usage-total-tokens').textContent).toBe('4,200');
    expect(screen.getByTestId('usage-total-baton').textContent).toBe('$1.00');
    // The interactive sessions hold the tokens of unknown cost: their figure says so, as the total does.
    expect(screen.getByTestId('usage-total-interactive').textContent).toBe('$5.00 + unknown');
    expect(screen.getByTestId('usage-total-interactive').title).toBe(
      '700 tokens have no known cost, left out of this figure',
    );
    expect(screen.getByTestId('usage-unknown-cost').textContent).toContain(
      '700 of 4,200 tokens have no known cost (their models have no price)',
    );
  });

  it('says whose figures the costs are, in one order whatever the range', async () => {
    renderUsage({
      getUsageOverview: () => ({ ...overview, totals: { ...overview.totals, costSources: ['estimated', 'agent'] } }),
    });
    expect((await screen.findByTestId('usage-cost-source')).textContent).toBe(
      'Costs: some reported by the agents; some estimated from model prices (the price data, or yours in Settings).',
    );
    expect(describeCostSources(['agent', 'estimated'])).toBe(describeCostSources(['estimated', 'agent']));
    expect(describeCostSources(['unknown', 'estimated'])).toBe(
      'Costs: some estimated from model prices (the price data, or yours in Settings); some unknown, for models without a price.',
    );
    expect(describeCostSources(['agent'])).toBe('Costs are reported by the agents.');
  });

  it('lists the 5-hour blocks newest first, the active one with its burn rate and projection', async () => {
    renderUsage();
    await screen.findByTestId('usage-view');
    const blocks = await screen.findAllByTestId('usage-block');
    // The gap carries no usage and is left out.
    expect(blocks).toHaveLength(2);
    expect(blocks[0]!.dataset.active).toBe('true');
    expect(blocks[0]!.getAttribute('aria-current')).toBe('true');
    expect(blocks[1]!.dataset.active).toBeUndefined();
    expect(screen.getByTestId('usage-burn-rate').textContent).toBe('Burning 1,234 tokens/min · $4.20/h');
    expect(screen.getByTestId('usage-projection').textContent).toBe(
      'At this rate the block ends in 2h07m at 2,000,000 tokens, $12.30.',
    );
    expect(blocks[0]!.textContent).toContain('$3.00 + unknown');
    // Only the active block shows a burn rate.
    expect(screen.getAllByTestId('usage-burn-rate')).toHaveLength(1);
  });

  it('says how many older blocks of the range it does not list', async () => {
    renderUsage({ getUsageOverview: () => ({ ...overview, olderBlocks: 340 }) });
    await screen.findAllByTestId('usage-block');
    expect(screen.getByTestId('usage-older-blocks').textContent).toBe(
      '340 older blocks of this range not listed: choose later dates to see them.',
    );
  });

  it('breaks the cache writes down into the 1-hour ones', async () => {
    renderUsage({
      getUsageOverview: () => ({
        ...overview,
        totals: usageTokens({ cacheCreationTokens: 5000, cacheWrite1hTokens: 2000, cacheReadTokens: 9000 }),
      }),
    });
    expect((await screen.findByTestId('usage-cache-writes')).textContent).toBe(
      'Cache writes: 5,000 tokens, of which 2,000 kept for 1 hour (priced higher than the 5-minute ones); cache reads: 9,000 tokens.',
    );
  });

  it('says which messages an earlier Baton counted by their first line', async () => {
    renderUsage({ getUsageOverview: () => ({ ...overview, origin: { ...overview.origin, legacyMessages: 7 } }) });
    expect((await screen.findByTestId('usage-origin-legacy')).textContent).toBe(
      '7 messages counted by an earlier Baton whose transcript files are gone: counted from their first line, so their output tokens may be short.',
    );
  });

  it('ranks the projects by cost', async () => {
    renderUsage();
    const rows = await screen.findAllByTestId('usage-project');
    expect(rows.map((row) => row.dataset.project)).toEqual(['/work/big', '/work/small']);
    expect(rows[0]!.textContent).toContain('big');
    expect(rows[0]!.textContent).toContain('$5.00 + unknown');
    expect(rows[0]!.textContent).toContain('83.3%');
    expect(rows[1]!.textContent).toContain('$1.00');
  });

  it('says where the data came from', async () => {
    renderUsage();
    const origin = await screen.findByTestId('usage-origin');
    const directories = within(origin).getAllByTestId('usage-directory');
    expect(directories.map((d) => [d.dataset.exists, d.textContent])).toEqual([
      ['true', '/home/me/.claude/projects Claude Code found'],
      ['false', '/home/me/.codex/sessions Codex not found'],
    ]);
    expect(within(origin).getByTestId('usage-origin-counts').textContent).toBe(
      '12 transcript files imported, holding 345 messages.',
    );
    expect(within(origin).getByTestId('usage-origin-baton').textContent).toBe(
      '2 Baton sessions without a transcript counted from Baton’s own records.',
    );
    expect(within(origin).getByTestId('usage-origin-last-import').textContent).toBe(
      `Last change ${formatDate(lastImportAt)}.`,
    ); // No message was counted the old way.
    expect(within(origin).queryByTestId('usage-origin-legacy')).toBeNull();
  });

  it('shows where Baton looks when nothing is imported, and imports on request', async () => {
    let answer = usageOverview();
    let finish: (summary: typeof importSummary) => void = () => {};
    const { transport } = renderUsage({
      getUsageOverview: () => answer,
      getImportProgress: () => importProgress(),
      importTranscripts: () => new Promise((resolve) => (finish = resolve)),
    });
    const empty = await screen.findByTestId('empty-state');
    expect(empty.textContent).toContain('Nothing imported yet');
    expect(screen.getByTestId('usage-directory').textContent).toContain('/home/me/.claude/projects');
    expect(screen.queryByTestId('chart-usage-by-source')).toBeNull();

    // One "Import now", the toolbar's: the empty state does not offer a second.
    expect(screen.getAllByTestId('usage-import-now')).toHaveLength(1);
    fireEvent.click(screen.getByTestId('usage-import-now'));
    expect(await screen.findByTestId('usage-import-progress')).toBeTruthy();
    expect((screen.getByTestId('usage-import-now') as HTMLButtonElement).disabled).toBe(true);
    expect(callsOf(transport, 'importTranscripts')).toHaveLength(1);

    answer = { ...overview, origin: { ...overview.origin } };
    await act(async () => finish(importSummary));
    await screen.findByTestId('chart-usage-by-source');
    expect(screen.queryByTestId('usage-import-progress')).toBeNull();
    expect(callsOf(transport, 'getUsageOverview')).toHaveLength(2);
    expect(screen.getByTestId('usage-origin-last-import').textContent).toBe(
      `Last change ${formatDate(lastImportAt)}: 3 new files, 120 messages, 1 unreadable line skipped in 1.5s.`,
    );
  });

  it('lists what the last import could not read, and how many more it passed over', async () => {
    const skipped = {
      ...importSummary,
      skipped: [{ path: '/home/me/.claude/projects/app/big.jsonl', reason: 'not readable (permission denied)' }],
      skippedFiles: 3,
    };
    renderUsage({ getImportProgress: () => importProgress({ state: 'done', last: skipped }) });
    const list = await screen.findByTestId('usage-origin-skipped');
    expect(list.textContent).toContain('could not read 3 files or folders and passed over them; everything else');
    expect(list.textContent).toContain('/home/me/.claude/projects/app/big.jsonl: not readable (permission denied)');
    expect(list.textContent).toContain('and 2 more');
  });

  it('says the last change apart from a later check that found nothing new', async () => {
    const empty = {
      ...importSummary,
      newFiles: 0,
      messages: 0,
      corrected: 0,
      malformed: 0,
      linesRead: 0,
      durationMs: 40,
    };
    renderUsage({ getImportProgress: () => importProgress({ state: 'done', last: empty }) });
    const line = await screen.findByTestId('usage-origin-last-import');
    await waitFor(() =>
      expect(line.textContent).toBe(
        `Last change ${formatDate(lastImportAt)}. Checked again since: nothing new (12 files looked at in 40ms).`,
      ),
    );
    expect(line.textContent).not.toContain('0 new files');
  });

  it('says where the import looked and that it found nothing, once it has run', async () => {
    const empty = { ...importSummary, files: 0, newFiles: 0, messages: 0, corrected: 0, malformed: 0, durationMs: 5 };
    renderUsage({
      getUsageOverview: () => usageOverview(),
      getImportProgress: () => importProgress({ state: 'done', last: empty }),
    });
    const state = await screen.findByTestId('empty-state');
    await waitFor(() =>
      expect(state.textContent).toBe('The import looked in these folders and found no transcripts of the agents:'),
    );
    expect(screen.getByTestId('usage-directory').textContent).toContain('/home/me/.claude/projects');
    expect(screen.getAllByTestId('usage-import-now')).toHaveLength(1);
  });

  it('says so when the filters select nothing, without the offer to import', async () => {
    renderUsage({
      getUsageOverview: (input) =>
        (input as { filter: { source: string } }).filter.source === 'baton'
          ? usageOverview({ origin: overview.origin })
          : overview,
    });
    await screen.findByTestId('chart-usage-by-source');
    fireEvent.click(within(screen.getByTestId('usage-source')).getByRole('radio', { name: 'Baton' }));
    expect((await screen.findByTestId('empty-state')).textContent).toBe('No usage matches these filters.');
    // Only the toolbar's button: the empty state's offer is for nothing imported at all.
    expect(screen.getAllByTestId('usage-import-now')).toHaveLength(1);
  });

  it('asks a busy service twice more before it shows the load error, with Retry', async () => {
    vi.useFakeTimers();
    let fail = true;
    const { transport } = renderUsage({
      getUsageOverview: () => {
        if (fail) throw new BatonCallError('unavailable', 'the store is busy');
        return overview;
      },
    });
    await advance(0);
    expect(screen.queryByTestId('error-state')).toBeNull();
    // TanStack Query's delays between attempts: 1 s, then 2 s.
    await advance(1000);
    await advance(2000);
    expect(callsOf(transport, 'getUsageOverview')).toHaveLength(3);
    const error = screen.getByTestId('error-state');
    expect(error.textContent).toContain('Could not load the usage');
    expect(error.textContent).toContain('the store is busy');
    fail = false;
    fireEvent.click(within(error).getByRole('button', { name: 'Retry' }));
    await advance(0);
    expect(screen.getByTestId('chart-usage-by-source')).toBeTruthy();
    expect(callsOf(transport, 'getUsageOverview')).toHaveLength(4);
  });

  it('says when an import failed', async () => {
    renderUsage({ getImportProgress: () => importProgress({ state: 'failed', error: 'EACCES: permission denied' }) });
    expect((await screen.findByTestId('usage-import-error')).textContent).toBe(
      'The import failed: EACCES: permission denied',
    );
  });

  it('sends the source and the dates it filters by, and refuses a reversed range at its field', async () => {
    const { transport } = renderUsage();
    await screen.findByTestId('chart-usage-by-source');
    expect(lastFilter(transport)).toEqual({ source: 'all', timeZone: expect.any(String) });

    fireEvent.click(within(screen.getByTestId('usage-source')).getByRole('radio', { name: 'Interactive' }));
    await waitFor(() => expect(lastFilter(transport)).toMatchObject({ source: 'interactive' }));

    fireEvent.change(screen.getByLabelText('From'), { target: { value: '2026-11-24' } });
    await waitFor(() => expect(lastFilter(transport)).toMatchObject({ source: 'interactive', since: '2026-11-24' }));

    const before = callsOf(transport, 'getUsageOverview').length;
    fireEvent.change(screen.getByLabelText('To'), { target: { value: '2026-11-20' } });
    expect(screen.getByRole('alert').textContent).toBe('The date range ends before it starts');
    expect(screen.getByTestId('empty-state').textContent).toBe('Fix the date range to see the usage.');
    expect(callsOf(transport, 'getUsageOverview')).toHaveLength(before);

    fireEvent.change(screen.getByLabelText('To'), { target: { value: '2026-11-30' } });
    await waitFor(() =>
      expect(lastFilter(transport)).toEqual({
        source: 'interactive',
        since: '2026-11-24',
        until: '2026-11-30',
        timeZone: expect.any(String),
      }),
    );
  });
});

describe('an import under way', () => {
  it('shows its progress over files and bytes, and reloads the overview when the service says it stored something', async () => {
    vi.useFakeTimers();
    let progress = importProgress({
      state: 'importing',
      filesDone: 3,
      filesTotal: 10,
      bytesDone: 1024,
      bytesTotal: 4096,
    });
    const { transport } = renderUsage({ getImportProgress: () => progress });
    await advance(0);

    const files = screen.getByTestId('usage-import-files') as HTMLProgressElement;
    const bytes = screen.getByTestId('usage-import-bytes') as HTMLProgressElement;
    expect([files.value, files.max]).toEqual([3, 10]);
    expect([bytes.value, bytes.max]).toEqual([1024, 4096]);
    const bar = screen.getByTestId('usage-import-progress');
    expect(bar.textContent).toContain('Files: 3 of 10');
    expect(bar.textContent).toContain('Data: 1 KB of 4 KB');
    expect(callsOf(transport, 'getUsageOverview')).toHaveLength(1);

    progress = { ...progress, filesDone: 7, bytesDone: 3072 };
    await advance(IMPORT_POLL_MS);
    expect((screen.getByTestId('usage-import-files') as HTMLProgressElement).value).toBe(7);

    progress = importProgress({ state: 'done', filesDone: 10, filesTotal: 10, bytesDone: 4096, bytesTotal: 4096 });
    await advance(IMPORT_POLL_MS);
    expect(screen.queryByTestId('usage-import-progress')).toBeNull();
    // The end of an import is no reason to reload by itself: the service's event is.
    expect(callsOf(transport, 'getUsageOverview')).toHaveLength(1);
    act(() => transport.emit({ type: 'usage.imported', messages: 12, corrected: 1 }));
    await advance(0);
    expect(callsOf(transport, 'getUsageOverview')).toHaveLength(2);

    // Done: no more questions.
    const asked = callsOf(transport, 'getImportProgress').length;
    await advance(IMPORT_POLL_MS * 10);
    expect(callsOf(transport, 'getImportProgress')).toHaveLength(asked);
  });

  it('reloads on an import the service ran by itself, only while the view is open', async () => {
    const { transport, unmount } = renderUsage();
    await screen.findByTestId('usage-total-cost');
    expect(callsOf(transport, 'getUsageOverview')).toHaveLength(1);
    // Events about tasks are not about usage.
    act(() => transport.emit({ type: 'task.started', taskId: 't1' }));
    act(() => transport.emit({ type: 'usage.imported', messages: 3, corrected: 0 }));
    await waitFor(() => expect(callsOf(transport, 'getUsageOverview')).toHaveLength(2));
    unmount();
    // Closed, the overview is only marked stale, or it would be asked at once: no time need pass to see it was not.
    await act(async () => transport.emit({ type: 'usage.imported', messages: 3, corrected: 0 }));
    expect(callsOf(transport, 'getUsageOverview')).toHaveLength(2);
  });

  it('follows an import it asked for until the call answers, though the service has not said it runs', async () => {
    vi.useFakeTimers();
    let finish: (summary: typeof importSummary) => void = () => {};
    const { transport } = renderUsage({
      getImportProgress: () => importProgress(),
      importTranscripts: () => new Promise((resolve) => (finish = resolve)),
    });
    await advance(0);
    const asked = () => callsOf(transport, 'getImportProgress').length;
    expect(asked()).toBe(1);
    fireEvent.click(screen.getByTestId('usage-import-now'));
    await advance(IMPORT_POLL_MS * 3);
    expect(asked()).toBeGreaterThanOrEqual(4);
    expect(screen.getByTestId('usage-import-progress')).toBeTruthy();

    await act(async () => finish(importSummary));
    await advance(0);
    expect(screen.queryByTestId('usage-import-progress')).toBeNull();
    // Once more for the summary's sake, then no more: the service says nothing runs.
    const after = asked();
    await advance(IMPORT_POLL_MS * 10);
    expect(asked()).toBe(after);
    expect(callsOf(transport, 'getUsageOverview')).toHaveLength(2);
  });

  it('says why an import it asked for failed, and does not ask again by itself', async () => {
    const { transport } = renderUsage({
      importTranscripts: () => {
        throw new BatonCallError('invalid_input', 'an import is already running');
      },
    });
    await screen.findByTestId('usage-total-cost');
    fireEvent.click(screen.getByTestId('usage-import-now'));
    expect((await screen.findByTestId('usage-import-error')).textContent).toBe(
      'The import failed: an import is already running',
    );
    expect(callsOf(transport, 'importTranscripts')).toHaveLength(1);
  });

  it('stops asking when the view closes', async () => {
    vi.useFakeTimers();
    const { transport, unmount } = renderUsage({
      getImportProgress: () => importProgress({ state: 'importing', filesTotal: 10 }),
    });
    await advance(IMPORT_POLL_MS * 2);
    const asked = callsOf(transport, 'getImportProgress').length;
    expect(asked).toBeGreaterThanOrEqual(2);
    unmount();
    await advance(IMPORT_POLL_MS * 10);
    expect(callsOf(transport, 'getImportProgress')).toHaveLength(asked);
  });
});

describe('the History tabs', () => {
  const historyHandlers: Handlers = {
    listTasks: () => ({ tasks: [], total: 0 }),
    listProjects: () => [],
    getHistoryCharts: () => historyCharts(),
    getQuota: () => ({ windows: [] }),
    getUsageOverview: () => overview,
    getImportProgress: () => importProgress(),
  };

  it('switch between the tasks and all usage with the arrow keys, one tab stop between them', async () => {
    const services = createServices(transportFor(historyHandlers), null);
    window.location.hash = '#/history';
    render(
      <ServicesProvider value={services}>
        <HistoryView />
      </ServicesProvider>,
    );
    const tasksTab = screen.getByRole('tab', { name: 'Tasks' });
    const usageTab = screen.getByRole('tab', { name: 'All usage' });
    const selected = async (tab: HTMLElement) => waitFor(() => expect(tab.getAttribute('aria-selected')).toBe('true'));
    expect(screen.getByTestId('history-tabs').getAttribute('role')).toBe('tablist');
    expect(tasksTab.getAttribute('aria-selected')).toBe('true');
    expect([tasksTab.tabIndex, usageTab.tabIndex]).toEqual([0, -1]);
    expect(screen.getByRole('tabpanel').getAttribute('aria-labelledby')).toBe(tasksTab.id);
    await screen.findByText(/No tasks yet/);

    tasksTab.focus();
    fireEvent.keyDown(tasksTab, { key: 'ArrowRight' });
    await selected(usageTab);
    // Each tab has its address: Back returns to the other, and a link can open either.
    expect(window.location.hash).toBe('#/history/usage');
    expect(document.activeElement).toBe(usageTab);
    expect([tasksTab.tabIndex, usageTab.tabIndex]).toEqual([-1, 0]);
    expect(screen.getByRole('tabpanel').getAttribute('aria-labelledby')).toBe(usageTab.id);
    await screen.findByTestId('chart-usage-by-source');
    // The task list's count and exports belong to the tasks tab.
    expect(screen.queryByTestId('history-total')).toBeNull();

    fireEvent.keyDown(usageTab, { key: 'ArrowRight' });
    await selected(tasksTab);
    expect(window.location.hash).toBe('#/history');
    fireEvent.keyDown(tasksTab, { key: 'End' });
    await selected(usageTab);
    fireEvent.keyDown(usageTab, { key: 'Home' });
    await selected(tasksTab);
    fireEvent.click(usageTab);
    await selected(usageTab);
  });

  it('go back to the tasks for the search shortcut', async () => {
    window.location.hash = '#/history/usage';
    const services = createServices(
      transportFor({
        ...historyHandlers,
        // A task to search for: with none yet, History offers no search.
        listTasks: () => ({ tasks: [summary()], total: 1 }),
        getAppInfo: () => ({
          mode: 'browser',
          version: '0.1.0',
          databaseFile: '/tmp/baton.db',
          canPickDirectory: false,
        }),
      }),
      null,
    );
    render(
      <ServicesProvider value={services}>
        <App />
      </ServicesProvider>,
    );
    await screen.findByTestId('usage-view');
    fireEvent.keyDown(document.body, { key: '/' });
    await waitFor(() => expect(document.activeElement?.id).toBe('history-search'));
    expect(screen.getByRole('tab', { name: 'Tasks' }).getAttribute('aria-selected')).toBe('true');
  });
});
