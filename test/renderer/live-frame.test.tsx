/**
 * What a fast stream costs the Tasks view per frame: the events of a frame are one commit, and they render the
 * running task's card, not the view around it (the launch form among them, which the user may be typing in).
 */
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { Profiler, type ComponentProps } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { BatonEvent } from '../../src-main/contract/events';
import { createServices, ServicesProvider } from '../../src-renderer/app/services';
import { AgentStream } from '../../src-renderer/components/AgentStream';
import { LiveView } from '../../src-renderer/components/LiveView';
import type * as LaunchFormModule from '../../src-renderer/components/LaunchForm';
import { connectLiveStore, type StreamItem } from '../../src-renderer/stores/live-store';
import { emptyTasksViewAnswer, FakeTransport, spec, summary } from './fixtures';

const formRenders = vi.hoisted(() => ({ count: 0 }));

vi.mock('../../src-renderer/components/LaunchForm', async (importOriginal) => {
  const actual = await importOriginal<typeof LaunchFormModule>();
  return {
    ...actual,
    LaunchForm: (props: ComponentProps<typeof actual.LaunchForm>) => {
      formRenders.count++;
      return <actual.LaunchForm {...props} />;
    },
  };
});

const SID = '0b7f8a5e-1111-4222-8333-944455556666';
let disconnect: (() => void) | null = null;

afterEach(() => {
  disconnect?.();
  disconnect = null;
  cleanup();
});

const started: BatonEvent[] = [
  {
    type: 'task.queued',
    taskId: 'run-1',
    task: summary({ id: 'run-1', title: 'Streaming task', status: 'queued', spec: spec({ maxIterations: 2 }) }),
  },
  { type: 'task.started', taskId: 'run-1' },
  { type: 'iteration.started', taskId: 'run-1', sessionId: SID, iteration: 1, maxIterations: 2 },
];
const text = (n: number): BatonEvent => ({
  type: 'agent.event',
  taskId: 'run-1',
  sessionId: SID,
  iteration: 1,
  event: { kind: 'text', text: `line ${n}` },
});

/** The Tasks view on a fake service, its frames run by the test; `commits` counts what React committed. */
async function tasksView() {
  const transport = new FakeTransport(async (method) => emptyTasksViewAnswer(method));
  const services = createServices(transport, null);
  const frames: (() => void)[] = [];
  disconnect = connectLiveStore(services.live, transport, (flush) => {
    frames.push(flush);
    return () => frames.splice(frames.indexOf(flush), 1);
  });
  const commits = { count: 0 };
  render(
    <ServicesProvider value={services}>
      <Profiler id="tasks" onRender={() => commits.count++}>
        <LiveView canPickDirectory={false} notify={false} />
      </Profiler>
    </ServicesProvider>,
  );
  await screen.findByText(/No running tasks/);
  const frame = () => act(() => frames.splice(0).forEach((flush) => flush()));
  return { transport, frames, frame, commits };
}

const shownTexts = () => screen.queryAllByTestId('assistant-text').map((el) => el.textContent);

describe('a fast stream on the Tasks view', () => {
  it('shows a frame’s burst of events in order, in one commit at the frame', async () => {
    const { transport, frames, frame, commits } = await tasksView();
    for (const event of started) transport.emit(event);
    frame();
    commits.count = 0;

    for (let n = 0; n < 40; n++) transport.emit(text(n));
    expect(frames).toHaveLength(1);
    expect(commits.count).toBe(0);
    expect(shownTexts()).toEqual([]);

    frame();
    expect(commits.count).toBe(1);
    expect(shownTexts()).toEqual(Array.from({ length: 40 }, (_, n) => `line ${n}`));
  });

  it('renders the running task’s card, not the launch form the user opened beside it', async () => {
    const { transport, frame } = await tasksView();
    for (const event of started) transport.emit(event);
    frame();
    // Folded while a task runs; opened, as to launch another.
    fireEvent.click(screen.getByRole('button', { name: 'New task' }));
    expect(await screen.findByLabelText('Prompt')).toBeTruthy();
    formRenders.count = 0;

    for (let burst = 0; burst < 3; burst++) {
      for (let n = 0; n < 10; n++) transport.emit(text(burst * 10 + n));
      frame();
    }
    expect(shownTexts()).toHaveLength(30);
    expect(formRenders.count).toBe(0);
  });
});

describe('a long stream', () => {
  const item = (n: number): StreamItem => ({ seq: n + 1, event: { kind: 'text', text: `line ${n}` } });
  const stream = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => item(from + i));

  it('shows its newest items, and the earlier ones in order once asked', () => {
    render(<AgentStream items={stream(0, 1000)} droppedItems={0} />);
    const shown = shownTexts();
    expect(shown.length).toBeGreaterThanOrEqual(400);
    expect(shown.at(-1)).toBe('line 999');
    fireEvent.click(screen.getByRole('button', { name: `Show ${1000 - shown.length} earlier items` }));
    expect(shownTexts()).toEqual(stream(0, 1000).map((i) => (i.event as { text: string }).text));
  });

  it('takes a new item by adding it, and leaves what it shows before it in place', async () => {
    // Past the cap of the store: the oldest items were dropped, as in a long session.
    const { rerender } = render(<AgentStream items={stream(310, 2310)} droppedItems={310} />);
    const log = screen.getByTestId('agent-stream');
    const changes: MutationRecord[] = [];
    const observer = new MutationObserver((records) => changes.push(...records));
    observer.observe(log, { childList: true, subtree: true });
    for (let n = 2310; n < 2330; n++) {
      rerender(<AgentStream items={stream(n - 1999, n + 1)} droppedItems={n - 1999} />);
    }
    await Promise.resolve();
    observer.disconnect();
    const removed = changes.flatMap((r) => [...r.removedNodes]);
    const added = changes.flatMap((r) => [...r.addedNodes].map((node) => node.textContent));
    expect(removed).toEqual([]);
    expect(added).toEqual(Array.from({ length: 20 }, (_, i) => `line ${2310 + i}`));
    expect(shownTexts().at(-1)).toBe('line 2329');
  });
});
