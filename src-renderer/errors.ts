import type { CallError } from './contract';

export type CallErrorCode = CallError['code'];

/** A failed contract call, as the typed client throws it: the CallError's code and message, unchanged. */
export class BatonCallError extends Error {
  readonly code: CallErrorCode;

  constructor(code: CallErrorCode, message: string) {
    super(message);
    this.name = 'BatonCallError';
    this.code = code;
  }
}

/** The message to show for anything a call threw. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
