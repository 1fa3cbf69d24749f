import { describe, expect, it } from 'vitest';
import { estimateCostUsd, priceFor, pricingWith, tierThresholds } from '../../src-main/core/pricing';

const million = (kind: 'inputTokens' | 'outputTokens' | 'cacheCreationTokens' | 'cacheReadTokens') => ({
  inputTokens: 0,
  outputTokens: 0,
  cacheCreationTokens: 0,
  cacheReadTokens: 0,
  [kind]: 1_000_000,
});

describe('pricing', () => {
  it('prices Claude models from the data, cache writes (5-minute rate) and reads included', () => {
    expect(priceFor('claude-sonnet-4-5')).toMatchObject({
      input: 3,
      output: 15,
      cacheWrite: 3.75,
      cacheWrite1h: 6,
      cacheRead: 0.3,
    });
    expect(priceFor('claude-opus-4-5', 'claude')).toEqual({
      input: 5,
      output: 25,
      cacheWrite: 6.25,
      cacheWrite1h: 10,
      cacheRead: 0.5,
    });
    // Dated names and dotted versions are the same model; Opus 4.1 is not Opus 4.5.
    expect(priceFor('claude-sonnet-4-5-20250929')).toEqual(priceFor('claude-sonnet-4-5'));
    expect(priceFor('claude-haiku-4.5')).toEqual({
      input: 1,
      output: 5,
      cacheWrite: 1.25,
      cacheWrite1h: 2,
      cacheRead: 0.1,
    });
    expect(priceFor('claude-opus-4-1-20250805')).toMatchObject({
      input: 15,
      output: 75,
      cacheWrite: 18.75,
      cacheRead: 1.5,
    });
  });

  it('prices OpenAI and Google models from the data, a missing cache-write rate charged as input', () => {
    expect(priceFor('gpt-5.2-codex', 'codex')).toMatchObject({
      input: 1.75,
      output: 14,
      cacheWrite: 1.75,
      cacheRead: 0.175,
    });
    expect(priceFor('gpt-5.1-codex-mini', 'codex')).toMatchObject({
      input: 0.25,
      output: 2,
      cacheWrite: 0.25,
      cacheRead: 0.025,
    });
    // Below the 200k-token tier: a session's tokens add up many requests, so the base rate is the one used.
    expect(priceFor('gemini-2.5-pro', 'gemini')).toMatchObject({
      input: 1.25,
      output: 10,
      cacheWrite: 1.25,
      cacheRead: 0.125,
    });
    expect(priceFor('gemini-3-pro-preview', 'gemini')).toMatchObject({
      input: 2,
      output: 12,
      cacheWrite: 2,
      cacheRead: 0.2,
    });
  });

  it('gives a model the data does not know no price, not another family’s', () => {
    for (const model of ['made-up-model', 'claude-fable-9', 'claude-sonnet-9-9', 'gemini-9-ultra', 'gpt-99']) {
      expect(priceFor(model), model).toBeUndefined();
      expect(estimateCostUsd(model, million('inputTokens')), model).toBeNull();
    }
    expect(priceFor(null)).toBeUndefined();
    expect(priceFor('  ')).toBeUndefined();
    // An agent's own provider first, then the name alone: a Claude model run by Codex is still Claude's price.
    expect(priceFor('claude-sonnet-4-5', 'codex')).toEqual(priceFor('claude-sonnet-4-5'));
  });

  it('prices every token kind, cache writes and reads included', () => {
    // The real CLI priced this tool-use transcript (sonnet 4.5) at $0.00993.
    const usage = { inputTokens: 2000, outputTokens: 42, cacheCreationTokens: 400, cacheReadTokens: 6000 };
    expect(estimateCostUsd('claude-sonnet-4-5', usage)).toBeCloseTo(0.00993, 10);
    expect(estimateCostUsd('claude-opus-4-6', million('inputTokens'))).toBe(5);
    expect(estimateCostUsd('claude-opus-4-6', million('cacheCreationTokens'))).toBe(6.25);
    expect(estimateCostUsd('gpt-5.2', million('cacheReadTokens'), 'codex')).toBeCloseTo(0.175, 12);
    expect(estimateCostUsd('gemini-2.5-flash', million('outputTokens'), 'gemini')).toBe(2.5);
  });

  it('lets an override win over the data and add a model it lacks, matching the name without case', () => {
    const pricing = pricingWith(
      {
        'claude-sonnet-4-5': { input: 1, output: 2, cacheWrite: 3, cacheRead: 4 },
        'My-Local-Model': { input: 0.5, output: 1.5, cacheWrite: 0, cacheRead: 0.05 },
      },
      'claude',
    );
    expect(pricing.priceFor('claude-sonnet-4-5')).toEqual({
      input: 1,
      output: 2,
      cacheWrite: 3,
      cacheWrite1h: 2,
      cacheRead: 4,
    });
    expect(pricing.costOf('claude-sonnet-4-5', million('cacheReadTokens'))).toBe(4);
    expect(pricing.priceFor(' my-local-model ')).toMatchObject({
      input: 0.5,
      output: 1.5,
      cacheWrite: 0,
      cacheRead: 0.05,
    });
    expect(pricing.costOf('my-local-model', million('outputTokens'))).toBe(1.5);
    // Only the named model: its dated name and other models still come from the data.
    expect(pricing.priceFor('claude-sonnet-4-5-20250929')?.input).toBe(3);
    expect(pricing.priceFor('claude-opus-4-5')?.input).toBe(5);
    expect(pricing.costOf('made-up-model', million('inputTokens'))).toBeNull();
  });

  it('prices 1-hour cache writes at their own rate, never as 5-minute ones', () => {
    const writes = { ...million('cacheCreationTokens'), cacheWrite1hTokens: 400_000 };
    // Opus 4.6: 600k at $6.25 (5 minutes) and 400k at $10 (1 hour).
    expect(estimateCostUsd('claude-opus-4-6', writes)).toBeCloseTo(0.6 * 6.25 + 0.4 * 10, 10);
    // A 1-hour part larger than the writes it belongs to is capped at them.
    expect(estimateCostUsd('claude-opus-4-6', { ...writes, cacheWrite1hTokens: 5_000_000 })).toBeCloseTo(10, 10);
    // A user price without a 1-hour rate takes Anthropic's rule, twice the input rate.
    const own = pricingWith({ 'my-model': { input: 1, output: 2, cacheWrite: 1.25, cacheRead: 0.1 } });
    expect(own.costOf('my-model', { ...million('cacheCreationTokens'), cacheWrite1hTokens: 1_000_000 })).toBe(2);
  });

  it('prices fast mode only at a fast rate: the data has none, so it is unknown unless the user sets one', () => {
    expect(priceFor('claude-opus-4-6', 'claude', {}, 'fast')).toBeUndefined();
    expect(estimateCostUsd('claude-opus-4-6', million('outputTokens'), 'claude', {}, { speed: 'fast' })).toBeNull();
    // The data's lookup by prefix would take "-fast" as the normal model; that is refused too.
    expect(priceFor('claude-opus-4-6-fast')).toBeUndefined();
    const overrides = { 'claude-opus-4-6-fast': { input: 30, output: 150, cacheWrite: 37.5, cacheRead: 3 } };
    expect(estimateCostUsd('claude-opus-4-6', million('outputTokens'), 'claude', overrides, { speed: 'fast' })).toBe(
      150,
    );
  });

  it('prices a request above a long-context threshold at that tier for all its tokens', () => {
    expect(tierThresholds()).toContain(200_000);
    const request = { inputTokens: 150_000, outputTokens: 10_000, cacheCreationTokens: 0, cacheReadTokens: 60_000 };
    // Sonnet 4.5 above 200k input tokens: input 6, output 22.50, cache read 0.60.
    expect(estimateCostUsd('claude-sonnet-4-5', request, 'claude', {}, { contextTokens: 210_000 })).toBeCloseTo(
      (150_000 * 6 + 10_000 * 22.5 + 60_000 * 0.6) / 1e6,
      10,
    );
    expect(estimateCostUsd('claude-sonnet-4-5', request, 'claude', {}, { contextTokens: 200_000 })).toBeCloseTo(
      (150_000 * 3 + 10_000 * 15 + 60_000 * 0.3) / 1e6,
      10,
    );
    // A model without tiers pays its one rate at any size.
    expect(estimateCostUsd('claude-opus-4-6', million('inputTokens'), 'claude', {}, { contextTokens: 1e6 })).toBe(5);
  });

  it('knows a model by one name: the [1m] tag and case do not make another model', () => {
    expect(priceFor('claude-opus-4-8[1m]')).toEqual(priceFor('claude-opus-4-8'));
    expect(priceFor('Claude-Opus-4-8')).toEqual(priceFor('claude-opus-4-8'));
    expect(priceFor('default')).toBeUndefined();
    const own = pricingWith({ 'claude-opus-4-8[1m]': { input: 1, output: 1, cacheWrite: 1, cacheRead: 1 } });
    expect(own.priceFor('claude-opus-4-8')?.input).toBe(1);
  });
});
