import type { CallError, InputIssue } from './contract';

export type CallErrorCode = CallError['code'];

/**
 * A failed contract call, as the typed client throws it: the CallError's code,
 * message and issues, unchanged. `issues` name the input fields that were wrong
 * (by path), so a form can put each message on its field; it is empty when the
 * failure is not about a field.
 */
export class BatonCallError extends Error {
  readonly code: CallErrorCode;
  readonly issues: readonly InputIssue[];

  constructor(code: CallErrorCode, message: string, issues: readonly InputIssue[] = []) {
    super(message);
    this.name = 'BatonCallError';
    this.code = code;
    this.issues = issues;
  }
}

/** The message to show for anything a call threw. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

/** The code of a failed contract call, or null for anything else (or nothing). */
export function errorCodeOf(error: unknown): CallErrorCode | null {
  return error instanceof BatonCallError ? error.code : null;
}
