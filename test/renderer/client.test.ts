import { describe, expect, it, vi } from 'vitest';
import type { CallOutcome } from '../../src-main/contract/api';
import { createClient } from '../../src-renderer/client';
import { BatonCallError } from '../../src-renderer/errors';

describe('the typed client', () => {
  it('turns a method call into transport.call(name, input) and resolves the value', async () => {
    const call = vi.fn(async (): Promise<CallOutcome> => ({ ok: true, value: { tasks: [], total: 7 } }));
    const client = createClient({ call });
    await expect(client.listTasks({ limit: 10 })).resolves.toEqual({ tasks: [], total: 7 });
    expect(call).toHaveBeenCalledWith('listTasks', { limit: 10 });
  });

  it('sends {} when a method is called without input', async () => {
    const call = vi.fn(async (): Promise<CallOutcome> => ({ ok: true, value: [] }));
    const client = createClient({ call });
    await (client.listProjects as (input?: unknown) => Promise<unknown>)();
    expect(call).toHaveBeenCalledWith('listProjects', {});
  });

  it('throws an Error carrying the CallError code and message', async () => {
    const call = vi.fn(async (): Promise<CallOutcome> => ({
      ok: false,
      error: { code: 'invalid_input', message: 'dir: no such directory: /nope', issues: [] },
    }));
    const client = createClient({ call });
    const error = await client.launchTask({ dir: '/nope', prompt: 'x' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BatonCallError);
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ code: 'invalid_input', message: 'dir: no such directory: /nope' });
  });

  it('carries the CallError’s issues, so a form can put each on its field', async () => {
    const issues = [{ path: ['maxIterations'], message: 'max iterations must be at least 1' }];
    const call = vi.fn(async (): Promise<CallOutcome> => ({
      ok: false,
      error: { code: 'invalid_input', message: 'maxIterations: max iterations must be at least 1', issues },
    }));
    const client = createClient({ call });
    const error = await client.launchTask({ dir: '/d', prompt: 'x', maxIterations: 0 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BatonCallError);
    expect((error as BatonCallError).issues).toEqual(issues);
  });

  it('gives an empty issue list for failures that are not about a field', async () => {
    const call = vi.fn(async (): Promise<CallOutcome> => ({
      ok: false,
      error: { code: 'not_found', message: 'no such task' } as never,
    }));
    const error = await createClient({ call })
      .getTask({ taskId: 'x' })
      .catch((e: unknown) => e);
    expect((error as BatonCallError).issues).toEqual([]);
    expect(new BatonCallError('unavailable', 'lost').issues).toEqual([]);
  });

  it('lets transport rejections through', async () => {
    const client = createClient({ call: () => Promise.reject(new BatonCallError('unavailable', 'lost')) });
    await expect(client.getAppInfo({})).rejects.toMatchObject({ code: 'unavailable', message: 'lost' });
  });

  it('is not a thenable and keeps method identity stable', async () => {
    const call = vi.fn(async (): Promise<CallOutcome> => ({ ok: true, value: null }));
    const client = createClient({ call });
    expect((client as unknown as { then?: unknown }).then).toBeUndefined();
    // Awaiting the client itself must not call a method named "then".
    expect(await Promise.resolve(client)).toBe(client);
    expect(client.getTask).toBe(client.getTask);
    expect(call).not.toHaveBeenCalled();
  });
});
