/**
 * The boundary every transport goes through: it checks the method name,
 * validates the input with the contract's zod schema, runs the handler, and
 * turns any failure into a CallOutcome the UI can show.
 */
import type { z } from 'zod';
import {
  type BatonHandlers,
  type BatonMethod,
  batonContract,
  type CallError,
  type CallOutcome,
  isBatonMethod,
} from '../contract/api';

/** Thrown by handlers for failures the caller should see as they are. */
export class CallFailure extends Error {
  constructor(
    readonly code: CallError['code'],
    message: string,
  ) {
    super(message);
  }
}

function describeZodError(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid input';
  const where = issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
  return `${where}${issue.message}`;
}

export type Dispatch = (method: unknown, input: unknown) => Promise<CallOutcome>;

export function createDispatcher(handlers: BatonHandlers): Dispatch {
  return async (method, input) => {
    if (!isBatonMethod(method)) {
      return {
        ok: false,
        error: { code: 'unknown_method', message: `no such method: ${String(method).slice(0, 100)}` },
      };
    }
    const parsed = batonContract[method].input.safeParse(input ?? {});
    if (!parsed.success) {
      return { ok: false, error: { code: 'invalid_input', message: describeZodError(parsed.error) } };
    }
    try {
      const handler = handlers[method] as (input: unknown) => Promise<unknown>;
      return { ok: true, value: await handler(parsed.data) };
    } catch (error) {
      if (error instanceof CallFailure) return { ok: false, error: { code: error.code, message: error.message } };
      return { ok: false, error: { code: 'internal', message: (error as Error).message ?? String(error) } };
    }
  };
}

export type { BatonMethod };
