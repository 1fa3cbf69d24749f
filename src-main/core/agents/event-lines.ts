/**
 * The first step every agent's stdout parser takes with a line: from text to
 * a JSON object with a `type`, or an error message naming the agent. What the
 * object means is each parser's own business.
 */
import type { z } from 'zod';

/** Longest stdout line accepted; a transcript line beyond this means something is broken. */
export const MAX_LINE_LENGTH = 16 * 1024 * 1024;

/** A line's start, short enough for an error message. */
function preview(line: string): string {
  return line.length > 80 ? `${line.slice(0, 80)}…` : line;
}

/** A decoded line: its object, or `null` for a blank line. */
export type DecodedEventLine<Event> = { ok: true; value: Event | null } | { ok: false; error: string };

export interface EventLineFormat {
  /** Who printed the line, as the messages name it: `codex` in "codex printed a line that is not JSON". */
  who: string;
  /** What a line must be, as the messages name it: `an exec event`. */
  event: string;
  /** Whether any `type` is let through (the parser skips the ones it does not know); else it must be a string. */
  anyType?: boolean;
}

/**
 * Decodes one line of an agent's JSON-lines output: not longer than
 * MAX_LINE_LENGTH, blank (after trimming) or a JSON object with a `type`.
 */
export function decodeEventLine(
  line: string,
  format: EventLineFormat & { anyType: true },
): DecodedEventLine<{ type: unknown }>;
export function decodeEventLine(line: string, format: EventLineFormat): DecodedEventLine<{ type: string }>;
export function decodeEventLine(line: string, format: EventLineFormat): DecodedEventLine<{ type: unknown }> {
  const { who, event, anyType = false } = format;
  if (line.length > MAX_LINE_LENGTH) {
    return { ok: false, error: `${who} printed a ${line.length}-character line, over the ${MAX_LINE_LENGTH} limit` };
  }
  const text = line.trim();
  if (text === '') return { ok: true, value: null };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, error: `${who} printed a line that is not JSON: ${preview(text)}` };
  }
  if (
    !value ||
    typeof value !== 'object' ||
    Array.isArray(value) ||
    !('type' in value) ||
    (!anyType && typeof value.type !== 'string')
  ) {
    return { ok: false, error: `${who} printed JSON that is not ${event}: ${preview(text)}` };
  }
  return { ok: true, value };
}

/** Where and why a line failed its schema, from the first issue zod found: `usage.input_tokens: expected number`. */
export function describeIssues(error: z.ZodError): string {
  const first = error.issues[0];
  return first ? `${first.path.join('.') || '(line)'}: ${first.message}` : 'invalid shape';
}
