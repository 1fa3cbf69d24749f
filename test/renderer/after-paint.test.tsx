/**
 * useAfterPaint: what a view draws after its first paint (History's small charts) waits for the frame the view
 * first rendered in, and then for the task after it, which runs once that frame is painted.
 */
import { act, cleanup, render, screen } from '@testing-library/react';
import { afterEach, expect, it, vi } from 'vitest';
import { useAfterPaint } from '../../src-renderer/hooks/use-after-paint';

afterEach(() => {
  cleanup();
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

function Probe() {
  return <p data-testid="probe">{useAfterPaint() ? 'after' : 'first'}</p>;
}

it('is false through the first frame, and true in the task after it', () => {
  const frames: FrameRequestCallback[] = [];
  vi.stubGlobal('requestAnimationFrame', (fn: FrameRequestCallback) => frames.push(fn));
  vi.stubGlobal('cancelAnimationFrame', vi.fn());
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  render(<Probe />);
  const text = () => screen.getByTestId('probe').textContent;
  expect(text()).toBe('first');
  // No frame yet: timers alone change nothing.
  act(() => vi.runAllTimers());
  expect(text()).toBe('first');
  // The frame runs (and is then painted); the task queued from it draws the rest.
  act(() => frames.shift()!(0));
  expect(text()).toBe('first');
  act(() => vi.runAllTimers());
  expect(text()).toBe('after');
});

it('leaves nothing queued when the view goes before its first frame', () => {
  const cancel = vi.fn();
  vi.stubGlobal('requestAnimationFrame', () => 7);
  vi.stubGlobal('cancelAnimationFrame', cancel);
  const { unmount } = render(<Probe />);
  unmount();
  expect(cancel).toHaveBeenCalledWith(7);
});
