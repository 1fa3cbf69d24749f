import { describe, expect, it } from 'vitest';
import {
  addDays,
  formatCost,
  formatDate,
  formatDay,
  formatDuration,
  formatTokens,
  parseDay,
  rawValue,
  sumTokens,
} from '../../src-main/contract/format';

describe('formatTokens', () => {
  it('groups thousands the en-US way', () => {
    expect(formatTokens(0)).toBe('0');
    expect(formatTokens(999)).toBe('999');
    expect(formatTokens(15100)).toBe('15,100');
    expect(formatTokens(1234567)).toBe('1,234,567');
  });

  it('rounds fractional averages to whole tokens', () => {
    expect(formatTokens(1500.6)).toBe('1,501');
  });
});

describe('formatCost', () => {
  it('shows zero as $0.00', () => {
    expect(formatCost(0)).toBe('$0.00');
  });

  it('keeps 4 decimals under a cent so small costs are not shown as free', () => {
    expect(formatCost(0.0042)).toBe('$0.0042');
    expect(formatCost(0.00001)).toBe('$0.0000');
    expect(formatCost(0.009949)).toBe('$0.0099');
  });

  it('uses 2 decimals from a cent up, with separators', () => {
    expect(formatCost(0.01)).toBe('$0.01');
    expect(formatCost(0.1627)).toBe('$0.16');
    expect(formatCost(12.345)).toBe('$12.35');
    expect(formatCost(1234.5)).toBe('$1,234.50');
  });

  it('puts the sign before the dollar', () => {
    expect(formatCost(-0.5)).toBe('-$0.50');
  });
});

describe('formatDuration', () => {
  it('uses ms under a second', () => {
    expect(formatDuration(0)).toBe('0ms');
    expect(formatDuration(850)).toBe('850ms');
  });

  it('uses seconds with one decimal under a minute', () => {
    expect(formatDuration(4200)).toBe('4.2s');
    expect(formatDuration(1000)).toBe('1.0s');
    expect(formatDuration(59_940)).toBe('59.9s');
  });

  it('uses minutes and zero-padded seconds, then hours', () => {
    expect(formatDuration(59_960)).toBe('1m00s');
    expect(formatDuration(185_000)).toBe('3m05s');
    expect(formatDuration(2 * 3_600_000 + 7 * 60_000)).toBe('2h07m');
  });

  it('refuses nonsense', () => {
    expect(formatDuration(-1)).toBe('—');
    expect(formatDuration(Number.NaN)).toBe('—');
  });
});

describe('dates', () => {
  it('formats local date and time', () => {
    const ms = new Date(2026, 10, 25, 9, 3).getTime();
    expect(formatDate(ms)).toBe('2026-11-25 09:03');
    expect(formatDate(null)).toBe('—');
  });

  it('round-trips days and rejects malformed ones', () => {
    const ms = parseDay('2026-03-09');
    expect(ms).toBe(new Date(2026, 2, 9).getTime());
    expect(formatDay(new Date(ms!))).toBe('2026-03-09');
    expect(parseDay('')).toBeNull();
    expect(parseDay('2026-02-31')).toBeNull();
    expect(parseDay('yesterday')).toBeNull();
  });

  it('adds calendar days', () => {
    expect(addDays(new Date(2026, 11, 31).getTime(), 1)).toBe(new Date(2027, 0, 1).getTime());
  });
});

describe('raw values', () => {
  it('are exact, unrounded and without separators', () => {
    expect(rawValue(15100)).toBe('15100');
    expect(rawValue(0.16274)).toBe('0.16274');
  });

  it('sums the four token kinds', () => {
    expect(sumTokens({ inputTokens: 1, outputTokens: 20, cacheCreationTokens: 300, cacheReadTokens: 4000 })).toBe(4321);
  });
});
