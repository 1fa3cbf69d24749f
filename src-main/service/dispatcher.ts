/**
 * The boundary every transport goes through: it checks the method name,
 * validates the input with the contract's zod schema, runs the handler, and
 * turns any failure into a CallOutcome the UI can show.
 */
import {
  type BatonHandlers,
  batonContract,
  type CallError,
  type CallOutcome,
  describeIssue,
  failure,
  type InputIssue,
  inputIssuesOf,
  isBatonMethod,
} from '../contract/api';

/** Thrown by handlers for failures the caller should see as they are. */
export class CallFailure extends Error {
  constructor(
    readonly code: CallError['code'],
    message: string,
    readonly issues: InputIssue[] = [],
  ) {
    super(message);
  }
}

export type Dispatch = (method: unknown, input: unknown) => Promise<CallOutcome>;

export function createDispatcher(handlers: BatonHandlers): Dispatch {
  return async (method, input) => {
    if (!isBatonMethod(method)) return failure('unknown_method', `no such method: ${String(method).slice(0, 100)}`);
    const parsed = batonContract[method].input.safeParse(input ?? {});
    if (!parsed.success) {
      const issues = inputIssuesOf(parsed.error);
      return failure('invalid_input', issues[0] ? describeIssue(issues[0]) : 'invalid input', issues);
    }
    try {
      const handler = handlers[method] as (input: unknown) => Promise<unknown>;
      return { ok: true, value: await handler(parsed.data) };
    } catch (error) {
      if (error instanceof CallFailure) return failure(error.code, error.message, error.issues);
      return failure('internal', (error as Error).message ?? String(error));
    }
  };
}
