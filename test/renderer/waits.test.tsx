/**
 * A wait reads as a wait: an iteration turned away by a spent window, or whose API does not answer, is shown
 * waiting (for quota, for the API), in the live card and in the replay of its stored events, never as
 * running or in failed's red; and how an agent stopped is said in words, never in its own codes.
 */
import { cleanup, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { AgentEvent } from '../../src-main/contract/agent-events';
import type { BatonEvent } from '../../src-main/contract/events';
import { createServices, ServicesProvider } from '../../src-renderer/app/services';
import { AgentStream } from '../../src-renderer/components/AgentStream';
import { LiveTaskCard } from '../../src-renderer/components/LiveView';
import { createLiveStore } from '../../src-renderer/stores/live-store';
import { buildStream } from '../../src-renderer/stores/stream';
import { fakeClient, FakeTransport, summary } from './fixtures';

afterEach(cleanup);

const SID = 'aaaaaaaa-0000-4000-8000-000000000001';
const NEXT = 'bbbbbbbb-0000-4000-8000-000000000002';
const WAKE = 1_800_000_000_000;
const QUOTA_REASON = 'the 5-hour window is spent; it reopens at 2027-01-15 08:00';

const result = (overrides: Partial<Extract<AgentEvent, { kind: 'result' }>['result']> = {}): AgentEvent => ({
  kind: 'result',
  result: {
    isError: true,
    subtype: 'success',
    apiErrorStatus: 429,
    resultText: "You've hit your 5-hour limit · resets 8:00am (UTC)",
    turns: 1,
    costUsd: 0,
    durationMs: 300,
    apiDurationMs: 0,
    usage: { inputTokens: 0, outputTokens: 0, cacheCreationTokens: 0, cacheReadTokens: 0 },
    permissionDenials: 0,
    ...overrides,
  },
});

/** What the CLI prints when the window is spent, then Baton's wait, as the bus carries them. */
const turnedAwayByQuota: AgentEvent[] = [
  { kind: 'init', agentSessionId: SID, model: 'claude-sonnet-4-5', cwd: '/work/demo', tools: [] },
  {
    kind: 'rate_limit',
    info: {
      status: 'rejected',
      rateLimitType: 'five_hour',
      resetsAt: WAKE,
      utilization: 1,
      isUsingOverage: false,
      windows: {},
    },
  },
  { kind: 'text', text: "You've hit your 5-hour limit · resets 8:00am (UTC)" },
  result(),
  { kind: 'wait', for: 'quota', reason: QUOTA_REASON, until: WAKE },
];

async function liveCard(events: BatonEvent[]) {
  const store = createLiveStore(
    fakeClient({
      getLiveState: async () => ({ tasks: [], currentEvents: {}, feed: 'feed', seq: 0, tasksSeq: 0 }),
      listTasks: async () => ({ tasks: [], total: 0 }),
    }),
  );
  await store.getState().resync();
  store
    .getState()
    .applyEvents([
      { type: 'task.queued', taskId: 't1', task: summary({ id: 't1' }) },
      { type: 'task.started', taskId: 't1' },
      { type: 'iteration.started', taskId: 't1', sessionId: SID, iteration: 1, maxIterations: 3 },
      ...events,
    ]);
  const services = createServices(new FakeTransport(async () => null), null);
  render(
    <ServicesProvider value={services}>
      <LiveTaskCard task={store.getState().tasks['t1']!} />
    </ServicesProvider>,
  );
}

const agentEvents = (events: AgentEvent[]): BatonEvent[] =>
  events.map((event) => ({ type: 'agent.event', taskId: 't1', sessionId: SID, iteration: 1, event }));

describe('an iteration a spent window turned away', () => {
  it('reads as waiting for quota on its chip, its panel and its stream, with no running clock and no red', async () => {
    await liveCard([
      ...agentEvents(turnedAwayByQuota),
      { type: 'task.waiting', taskId: 't1', wakeAt: WAKE, reason: `waiting: ${QUOTA_REASON}` },
    ]);
    const chip = screen.getByTestId('iteration');
    expect(chip.dataset.status).toBe('waiting');
    expect(chip.className).toContain('status-waiting');
    expect(within(chip).getByText('waiting for quota')).toBeTruthy();
    expect(screen.getByTestId('iteration-status').textContent).toBe('waiting for quota');
    expect(screen.getByTestId('live-task-status').textContent).toBe('waiting for quota');
    expect(screen.queryByTestId('iteration-duration')).toBeNull();

    const ended = screen.getByTestId('stream-result');
    expect(ended.textContent).toMatch(/^The API turned the agent away: the subscription window is spent · 1 turn/);
    expect(ended.className).toContain('is-waiting');
    expect(ended.className).not.toContain('is-error');
    expect(ended.textContent).not.toContain('(success)');
    const wait = screen.getByTestId('stream-wait');
    expect(wait.textContent).toMatch(new RegExp(`^Waiting for quota: ${QUOTA_REASON}\\. Baton tries again at `));
    expect(document.querySelector('.is-error')).toBeNull();
  });

  it('goes on in a new session with a note, not a failure, once the window reopens', async () => {
    await liveCard([
      ...agentEvents(turnedAwayByQuota),
      { type: 'task.waiting', taskId: 't1', wakeAt: WAKE, reason: `waiting: ${QUOTA_REASON}` },
      { type: 'task.started', taskId: 't1' },
      {
        type: 'iteration.retrying',
        taskId: 't1',
        iteration: 1,
        attempt: 1,
        previousSessionId: SID,
        sessionId: NEXT,
        error: QUOTA_REASON,
      },
    ]);
    expect(screen.getByTestId('iteration').dataset.status).toBe('running');
    const note = screen.getByTestId('attempt-failed');
    expect(note.textContent).toBe(`The iteration goes on in a new session, ${NEXT}.`);
    expect(note.className).not.toContain('is-warning');
  });

  it('replays as a wait from its stored events', () => {
    render(<AgentStream items={buildStream(turnedAwayByQuota)} droppedItems={0} />);
    expect(screen.getByTestId('stream-result').className).toContain('is-waiting');
    expect(screen.getByTestId('stream-wait').dataset.wait).toBe('quota');
  });
});

describe('an iteration whose API does not answer', () => {
  it('reads as waiting for the API while the agent retries, the task too', async () => {
    await liveCard([
      ...agentEvents([
        { kind: 'init', agentSessionId: SID, model: 'claude-sonnet-4-5', cwd: '/work/demo', tools: [] },
        {
          kind: 'retry',
          attempt: 2,
          maxRetries: 10,
          delayMs: 1200,
          errorStatus: null,
          error: 'unknown',
          apiUrl: 'http://127.0.0.1:9',
        },
      ]),
      {
        type: 'task.waiting',
        taskId: 't1',
        wakeAt: WAKE,
        reason: "waiting: can't reach http://127.0.0.1:9; the agent tries again (2 of 10)",
      },
    ]);
    expect(screen.getByTestId('live-task-status').textContent).toBe('waiting for the API');
    expect(screen.getByTestId('iteration-status').textContent).toBe('waiting for the API');
    expect(screen.getByTestId('wait-reason').textContent).toBe(
      "Waiting: can't reach http://127.0.0.1:9; the agent tries again (2 of 10). ",
    );
  });

  it('reads the attempt the agent gave up as a wait for the API, once Baton waits to try again', async () => {
    const refused = 'could not reach the API at http://127.0.0.1:9: the connection was refused';
    await liveCard([
      ...agentEvents([
        result({ apiErrorStatus: null, resultText: 'API Error: Unable to connect to API (ConnectionRefused)' }),
        { kind: 'wait', for: 'api', reason: refused, until: WAKE },
      ]),
      { type: 'task.waiting', taskId: 't1', wakeAt: WAKE, reason: `waiting: ${refused}` },
    ]);
    expect(screen.getByTestId('iteration-status').textContent).toBe('waiting for the API');
    expect(screen.getByTestId('stream-result').textContent).toMatch(
      /^The agent gave up on an API that did not answer · /,
    );
    expect(screen.getByTestId('stream-wait').textContent).toMatch(/^Waiting for the API: could not reach the API at /);
  });
});

describe('how an agent stopped, in words', () => {
  it('never shows the agent’s own code for it', () => {
    const stops = [
      result({ subtype: 'error_max_budget_usd', apiErrorStatus: null, resultText: '' }),
      result({ subtype: 'error_max_turns', apiErrorStatus: null, resultText: '' }),
      result({ subtype: 'error_during_execution', apiErrorStatus: null, resultText: '' }),
      result({ subtype: 'success', apiErrorStatus: 529 }),
      result({ subtype: 'error_something_new', apiErrorStatus: null }),
      result({ isError: false, apiErrorStatus: null }),
    ];
    render(<AgentStream items={buildStream(stops)} droppedItems={0} />);
    expect(screen.getAllByTestId('stream-result').map((e) => e.textContent?.split(' · ')[0])).toEqual([
      'The agent stopped at its budget',
      'The agent stopped at its limit of turns',
      'The agent stopped with an error while it ran',
      'The agent stopped: the API answered 529',
      'The agent stopped with an error (something new)',
      'The agent finished',
    ]);
  });
});
