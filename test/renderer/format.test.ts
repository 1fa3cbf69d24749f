import { describe, expect, it } from 'vitest';
import { SESSION_STATUSES, TASK_STATUSES } from '../../src-main/contract/views';
import {
  addDays,
  describeAgentStop,
  describeApiRetry,
  describeAttempts,
  describePermissionDenials,
  describeToolCall,
  formatWait,
  permissionDenialHint,
  plural,
  relativePath,
  roundUsd,
  SESSION_STATUS_LABELS,
  statusLabel,
  TASK_STATUS_LABELS,
  formatCost,
  formatDate,
  formatDay,
  formatDuration,
  formatElapsed,
  formatPreciseCost,
  formatTimeOfDay,
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

  it('writes every integer as Intl does for en-US, negative, huge and not finite alike', () => {
    const intl = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
    const values = [-1234567.4, -1000, -999, -1, 1, 12, 123, 1234, 12345, 123456, 2 ** 40, Number.MAX_SAFE_INTEGER];
    values.push(1e21, 1e300, Infinity, -Infinity, NaN);
    for (let digits = 1; digits <= 16; digits++) values.push(Number('9'.repeat(digits)), 10 ** digits);
    for (const value of values) expect(formatTokens(value), String(value)).toBe(intl.format(Math.round(value)));
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

  it('formats the local time of day to the second', () => {
    expect(formatTimeOfDay(new Date(2026, 10, 25, 9, 3, 7, 999).getTime())).toBe('09:03:07');
    expect(formatTimeOfDay(undefined)).toBe('—');
  });

  it('formats a position in a recording as a player does', () => {
    expect(formatElapsed(0)).toBe('0:00');
    expect(formatElapsed(7_999)).toBe('0:07');
    expect(formatElapsed(754_000)).toBe('12:34');
    expect(formatElapsed(3_723_000)).toBe('1:02:03');
    expect(formatElapsed(-1)).toBe('—');
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

describe('status labels', () => {
  it('have words for every task and session status', () => {
    expect(TASK_STATUS_LABELS).toEqual({
      queued: 'Queued',
      running: 'Running',
      // What for (quota, the API) is said where it is known: see WAIT_LABELS.
      waiting: 'Waiting',
      completed: 'Completed',
      max_iterations: 'Reached max iterations',
      failed: 'Failed',
      cancelled: 'Stopped',
      interrupted: 'Interrupted',
      budget_exceeded: 'Over budget',
      stalled: 'Stalled',
    });
    for (const status of TASK_STATUSES) expect(statusLabel(status)).toBe(TASK_STATUS_LABELS[status]);
    for (const status of SESSION_STATUSES) expect(statusLabel(status)).toBe(SESSION_STATUS_LABELS[status]);
    expect(statusLabel('cancelled')).toBe('Stopped');
  });

  it('turn a status they do not know into words rather than an enum', () => {
    expect(statusLabel('waiting_for_review')).toBe('Waiting for review');
  });
});

describe('plural', () => {
  it('puts the noun in the number of the count', () => {
    expect(plural(1, 'iteration')).toBe('1 iteration');
    expect(plural(2, 'iteration')).toBe('2 iterations');
    expect(plural(0, 'iteration')).toBe('0 iterations');
    expect(plural(1200, 'token')).toBe('1,200 tokens');
    expect(plural(2, 'retry', 'retries')).toBe('2 retries');
  });
});

describe('roundUsd', () => {
  it('drops float noise from sums of costs', () => {
    expect(roundUsd(0.1 + 0.2)).toBe(0.3);
    expect(roundUsd(0.0123 + 0.0456)).toBe(0.0579);
    expect(roundUsd(0.16274)).toBe(0.16274);
  });
});

describe('tool calls in words', () => {
  const dir = '/work/app';
  it('shows Bash as the command', () => {
    expect(describeToolCall('Bash', { command: 'npm test', description: 'Run tests' }, dir)).toBe('$ npm test');
    expect(describeToolCall('Bash', { command: 'echo a\necho b' }, dir)).toBe('$ echo a …');
    expect(describeToolCall('Bash', {}, dir)).toBe('Bash');
  });

  it('shows file tools with the path relative to the task directory when inside it', () => {
    expect(describeToolCall('Edit', { file_path: '/work/app/src/app.ts', old_string: 'a', new_string: 'b' }, dir)).toBe(
      'Edit src/app.ts',
    );
    expect(describeToolCall('Write', { file_path: '/work/app/README.md', content: '…' }, dir)).toBe('Write README.md');
    expect(describeToolCall('Read', { file_path: '/etc/hosts' }, dir)).toBe('Read /etc/hosts');
    expect(describeToolCall('Read', { file_path: '/work/application/x.ts' }, dir)).toBe('Read /work/application/x.ts');
    expect(describeToolCall('Read', { file_path: 'a.ts' }, null)).toBe('Read a.ts');
  });

  it('shows Glob and Grep by their pattern', () => {
    expect(describeToolCall('Glob', { pattern: '**/*.ts' }, dir)).toBe('Glob **/*.ts');
    expect(describeToolCall('Grep', { pattern: 'TODO', path: '/work/app/src' }, dir)).toBe('Grep TODO in src');
    expect(describeToolCall('Grep', { pattern: 'TODO', path: '/work/app' }, dir)).toBe('Grep TODO');
  });

  it('shows other tools by name and a short summary, never raw JSON', () => {
    expect(describeToolCall('WebFetch', { url: 'https://example.com', prompt: 'read it' }, dir)).toBe(
      'WebFetch https://example.com',
    );
    expect(describeToolCall('Task', { description: 'Find the bug', prompt: 'long…' }, dir)).toBe('Task Find the bug');
    expect(describeToolCall('TodoWrite', { todos: [{}, {}, {}] }, dir)).toBe('TodoWrite 3 items');
    expect(describeToolCall('mcp__db__query', { sql: 'select 1' }, dir)).toBe('mcp__db__query select 1');
    expect(describeToolCall('Odd', { a: 1, b: [2] }, dir)).toBe('Odd (a, b)');
    expect(describeToolCall('Odd', null, dir)).toBe('Odd');
    expect(describeToolCall('Bash', { command: 'x'.repeat(500) }, dir).length).toBeLessThan(210);
  });

  it('relates paths only to a directory they are inside', () => {
    expect(relativePath('/a/b/c', '/a/b/')).toBe('c');
    expect(relativePath('/a/b', '/a/b')).toBe('.');
    expect(relativePath('C:\\p\\x.ts', 'C:\\p')).toBe('x.ts');
  });
});

describe('API retries and permission denials in words', () => {
  it('say what failed and when the next try is, never "(unknown)"', () => {
    expect(
      describeApiRetry({ attempt: 7, maxRetries: 10, delayMs: 34_200, errorStatus: null, error: 'fetch failed' }),
    ).toBe("Can't reach the API: fetch failed; retry 7 of 10 in 35 s");
    expect(describeApiRetry({ attempt: 1, maxRetries: 10, delayMs: 500, errorStatus: null, error: 'unknown' })).toBe(
      "Can't reach the API; retry 1 of 10 in 1 s",
    );
    expect(
      describeApiRetry({
        attempt: 7,
        maxRetries: 10,
        delayMs: 35_000,
        errorStatus: null,
        error: 'unknown',
        apiUrl: 'http://127.0.0.1:9',
      }),
    ).toBe("Can't reach http://127.0.0.1:9; retry 7 of 10 in 35 s");
    expect(describeApiRetry({ attempt: 2, maxRetries: 3, delayMs: 0, errorStatus: 529, error: '(unknown)' })).toBe(
      'The API answered 529; retry 2 of 3 now',
    );
    expect(formatWait(125_000)).toBe('2 min 05 s');
  });

  it('count blocked tool calls, with what to change', () => {
    expect(describePermissionDenials(0)).toBe('');
    expect(describePermissionDenials(1)).toBe('1 tool call was blocked by the permission mode');
    expect(describePermissionDenials(3)).toBe('3 tool calls were blocked by the permission mode');
    expect(permissionDenialHint('default')).toMatch(/acceptEdits .*bypassPermissions.*allowed tools/);
    expect(permissionDenialHint('acceptEdits')).toMatch(/bypassPermissions.*allowed tools/);
    expect(permissionDenialHint('acceptEdits')).not.toMatch(/with acceptEdits/);
  });
});

describe('money and stops in words', () => {
  it('writes costs set side by side to four places below a dollar, from the one formatter', () => {
    expect(formatPreciseCost(0.025)).toBe('$0.0250');
    expect(formatPreciseCost(0.03)).toBe('$0.0300');
    expect(formatPreciseCost(0)).toBe('$0.0000');
    expect(formatPreciseCost(12.5)).toBe(formatCost(12.5));
    expect(formatPreciseCost(-0.5)).toBe('-$0.5000');
  });

  it('says which limit an agent stopped at, with the limit where it is known', () => {
    const stop = (subtype: string) => ({ isError: true, subtype, apiErrorStatus: null });
    expect(describeAgentStop(stop('error_max_turns'), { maxTurns: 1 })).toBe('stopped at its limit of 1 turn');
    expect(describeAgentStop(stop('error_max_budget_usd'), { maxBudgetUsd: 0.004 })).toBe(
      'stopped at its budget ($0.0040 for this session)',
    );
    expect(describeAgentStop(stop('error_max_budget_usd'))).toBe('stopped at its budget');
  });

  it('tells an iteration’s waits from its failed attempts', () => {
    const attempt = (errorKind: string) => ({ errorKind });
    expect(describeAttempts([attempt('api_error')])).toBe('1 retry');
    expect(describeAttempts([attempt('quota_exhausted')])).toBe('1 wait for quota');
    expect(describeAttempts([attempt('api_unreachable'), attempt('api_unreachable'), attempt('no_result')])).toBe(
      '2 waits for the API and 1 retry',
    );
  });
});
