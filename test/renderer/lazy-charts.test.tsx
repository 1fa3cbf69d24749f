import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { session } from './fixtures';

afterEach(cleanup);

describe('the charts, loaded on first use', () => {
  it('are wanted from the start on the pages that draw them only', async () => {
    const { chartsWantedOn } = await import('../../src-renderer/components/charts/lazy-charts');
    const { parseHash } = await import('../../src-renderer/router');
    expect(['#/history', '#/tasks/t-1'].map((hash) => chartsWantedOn(parseHash(hash)))).toEqual([true, true]);
    expect(['#/', '#/settings', '#/nowhere'].map((hash) => chartsWantedOn(parseHash(hash)))).toEqual([
      false,
      false,
      false,
    ]);
  });

  it('hold their place while their module loads, then draw', async () => {
    // A fresh copy of the module, as the window has it on its first load: nothing preloaded.
    vi.resetModules();
    const lazyCharts = await import('../../src-renderer/components/charts/lazy-charts');
    render(<lazyCharts.IterationTokensChart sessions={[session({ sessionId: 's-1', iteration: 1 })]} />);
    expect(document.querySelector('.chart-loading')).not.toBeNull();
    expect(screen.queryByTestId('chart-iteration-tokens')).toBeNull();
    expect(await screen.findByTestId('chart-iteration-tokens')).toBeTruthy();
    expect(document.querySelector('.chart-loading')).toBeNull();
  });
});
