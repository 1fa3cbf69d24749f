/**
 * The replay panel as a person uses it, on fake timers: it opens at the end, Space plays it from the start in
 * the events' own time, the keys step, change speed and skim, the header's totals follow the scrubber, and a
 * text is written out over its time. Every event shows the time it came.
 */
import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { formatTimeOfDay } from '../../src-main/contract/format';
import { createServices, ServicesProvider } from '../../src-renderer/app/services';
import { ReplayPanel } from '../../src-renderer/components/ReplayPanel';
import { ShortcutsHelp } from '../../src-renderer/components/ShortcutsHelp';
import { FakeTransport, session } from './fixtures';
import { SESSION_EVENTS, SESSION_TIMES, T0 } from './replay-fixture';

const stored = session({ sessionId: 's-replayed', iteration: 3, turns: 3, costUsd: 0.05 });

beforeEach(() => {
  vi.useFakeTimers({ now: T0 + 3_600_000 });
});
afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

async function openReplay() {
  const transport = new FakeTransport(async (method) => {
    if (method === 'getSessionEvents') return { events: SESSION_EVENTS, times: SESSION_TIMES, truncated: false };
    throw new Error(`unexpected ${method}`);
  });
  render(
    <ServicesProvider value={createServices(transport, null)}>
      <ReplayPanel session={stored} onClose={() => {}} />
    </ServicesProvider>,
  );
  const panel = screen.getByTestId('replay-panel');
  await act(async () => {
    await vi.advanceTimersByTimeAsync(0);
  });
  const q = within(panel);
  return {
    panel,
    time: () => q.getByTestId('replay-time').textContent,
    position: () => q.getByTestId('replay-position').textContent,
    /** The speed button that is pressed, and the play button's name. */
    state: () => [
      q.getByRole('radiogroup', { name: 'Speed' }).querySelector('[aria-checked="true"]')!.textContent,
      q.getByRole('button', { name: /^(Play|Pause)$/ }).textContent,
    ],
  };
}

/** Moves the fake clock, as the page's own time would pass. */
const pass = (ms: number) =>
  act(async () => {
    await vi.advanceTimersByTimeAsync(ms);
  });
const press = (key: string, init: KeyboardEventInit = {}) =>
  act(() => {
    fireEvent.keyDown(document.body, { key, ...init });
  });

describe('the replay panel', () => {
  it('opens at the end, and Space plays it from the start at 1×, in real time', async () => {
    const { panel, time, position, state } = await openReplay();
    expect(position()).toBe('11 of 11 events');
    expect(time()).toBe('0:31 of 0:31');
    expect(state()).toEqual(['1×', 'Play']);

    await press(' ');
    expect(state()).toEqual(['1×', 'Pause']);
    expect(position()).toBe('1 of 11 events');
    await pass(2_000);
    expect(position()).toBe('3 of 11 events');
    expect(time()).toBe('0:02 of 0:31');
    await pass(1_000);
    expect(time()).toBe('0:03 of 0:31');

    await press(' ');
    await pass(5_000);
    expect(time()).toBe('0:03 of 0:31');
    expect(state()).toEqual(['1×', 'Play']);
    expect(panel.textContent).toContain('Replay of iteration 3');
  });

  it('plays faster with the speed keys, and stops at the end', async () => {
    const { time, state } = await openReplay();
    await press(' ');
    await press('2');
    expect(state()).toEqual(['4×', 'Pause']);
    await pass(1_000);
    expect(time()).toBe('0:04 of 0:31');
    await press('+');
    expect(state()).toEqual(['16×', 'Pause']);
    await pass(1_000);
    expect(time()).toBe('0:20 of 0:31');
    await press('-');
    await press('-');
    expect(state()).toEqual(['1×', 'Pause']);
    await press('4');
    await pass(1_000);
    expect(time()).toBe('0:31 of 0:31');
    expect(state()).toEqual(['64×', 'Play']);
  });

  it('steps with the arrows and skims to the next tool call, error and file change, by key and button', async () => {
    const { panel, time } = await openReplay();
    await press('Home');
    expect(time()).toBe('0:00 of 0:31');
    await press('ArrowRight');
    expect(time()).toBe('0:02 of 0:31');
    expect(within(panel).getAllByTestId('tool-call')).toHaveLength(1);
    await press('ArrowRight');
    await press('ArrowLeft');
    expect(time()).toBe('0:02 of 0:31');

    await press('f');
    expect(time()).toBe('0:11 of 0:31');
    expect(within(panel).getAllByTestId('tool-call').at(-1)!.dataset.toolName).toBe('Edit');
    await press('e');
    expect(time()).toBe('0:12 of 0:31');
    expect(within(panel).getAllByTestId('tool-result').at(-1)!.className).toContain('is-error');
    await press('T');
    expect(time()).toBe('0:11 of 0:31');
    fireEvent.click(within(panel).getByRole('button', { name: 'Next tool call' }));
    expect(time()).toBe('0:20 of 0:31');
    expect((within(panel).getByRole('button', { name: 'Next error' }) as HTMLButtonElement).disabled).toBe(true);
    expect((within(panel).getByRole('button', { name: 'Next file change' }) as HTMLButtonElement).disabled).toBe(true);

    // And back, by button: the file change before, then the error before; none before the first tool call.
    fireEvent.click(within(panel).getByRole('button', { name: 'Previous file change' }));
    expect(time()).toBe('0:11 of 0:31');
    expect((within(panel).getByRole('button', { name: 'Previous error' }) as HTMLButtonElement).disabled).toBe(true);
    fireEvent.click(within(panel).getByRole('button', { name: 'Previous tool call' }));
    expect(time()).toBe('0:02 of 0:31');
    expect((within(panel).getByRole('button', { name: 'Previous tool call' }) as HTMLButtonElement).disabled).toBe(
      true,
    );
  });

  it('shows the totals of the point the scrubber is at, and the session’s own at the end', async () => {
    const { panel } = await openReplay();
    const figure = (id: string) => within(panel).getByTestId(id).dataset.value;
    expect([figure('replay-tokens'), figure('replay-cost'), figure('replay-turns')]).toEqual(['3150', '0.05', '3']);
    fireEvent.change(within(panel).getByLabelText('Position'), { target: { value: '6000' } });
    expect([figure('replay-tokens'), figure('replay-cost'), figure('replay-turns')]).toEqual(['300', '0.03', '1']);
    fireEvent.change(within(panel).getByLabelText('Position'), { target: { value: '1500' } });
    expect([figure('replay-tokens'), figure('replay-cost'), figure('replay-turns')]).toEqual(['100', '0.01', '0']);
  });

  it('writes a whole text out over the time it took', async () => {
    const { panel } = await openReplay();
    fireEvent.change(within(panel).getByLabelText('Position'), { target: { value: '4000' } });
    expect(within(panel).queryAllByTestId('assistant-text')).toHaveLength(0);
    await press(' ');
    await pass(3_000);
    const writing = within(panel).getByTestId('assistant-text');
    expect(writing.dataset.partial).toBe('true');
    expect(writing.textContent).toBe('Now I edit');
    await pass(3_000);
    expect(within(panel).getByTestId('assistant-text').textContent).toBe('Now I edit the file.');
    expect(within(panel).getByTestId('assistant-text').dataset.partial).toBeUndefined();
  });

  it('shows each event beside the time it came, in the window’s zone', async () => {
    const { panel } = await openReplay();
    const times = within(panel)
      .getAllByTestId('stream-timed')
      .map((row) => row.querySelector('time')!.textContent);
    // The items the stream shows: init, 3 tool calls with their results, the text and the result.
    const shownAt = [0, 2, 3, 10, 11, 12, 20, 30, 31].map((second) => formatTimeOfDay(T0 + second * 1000));
    expect(times).toEqual(shownAt);
  });

  it('lists its keys in the shortcuts help', () => {
    render(<ShortcutsHelp onClose={() => {}} />);
    const help = screen.getByTestId('shortcuts-help');
    for (const keys of ['Space', '← / →', '1 – 4', '+ / −', 't / Shift + T', 'e / Shift + E', 'f / Shift + F']) {
      expect(within(help).getByText(keys)).toBeTruthy();
    }
  });
});
