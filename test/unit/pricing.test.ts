import { describe, expect, it } from 'vitest';
import { estimateCostUsd, hasKnownPrice, priceOf } from '../../src-main/core/pricing';

describe('pricing', () => {
  it('matches model names to their family, most specific first', () => {
    expect(priceOf('claude-opus-4-5').input).toBe(5);
    expect(priceOf('claude-opus-4-1-20250805').input).toBe(15);
    expect(priceOf('claude-sonnet-4-5').output).toBe(15);
    expect(priceOf('claude-sonnet-5').cacheRead).toBe(0.2);
    expect(priceOf('claude-haiku-4.5').cacheWrite).toBe(1.25);
    expect(priceOf(null)).toEqual(priceOf('claude-sonnet-4'));
  });

  it('tells a listed model from one priced only by the fallback', () => {
    expect(hasKnownPrice('claude-sonnet-4-5')).toBe(true);
    expect(hasKnownPrice('claude-opus-5-5')).toBe(false);
    expect(hasKnownPrice(null)).toBe(false);
  });

  it('prices every token kind, cache writes and reads included', () => {
    // The real CLI priced this tool-use transcript (sonnet 4.5) at $0.00993.
    const usage = { inputTokens: 2000, outputTokens: 42, cacheCreationTokens: 400, cacheReadTokens: 6000 };
    expect(estimateCostUsd('claude-sonnet-4-5', usage)).toBeCloseTo(0.00993, 10);
    expect(
      estimateCostUsd('claude-opus-4-6', {
        inputTokens: 1_000_000,
        outputTokens: 0,
        cacheCreationTokens: 0,
        cacheReadTokens: 0,
      }),
    ).toBe(5);
  });
});
