/**
 * The stored form of an agent event (event-recorder.ts keeps them): its JSON, cut to fit where it is too long
 * or nested too deep to store.
 */
import { type AgentEvent, cutDeepNesting } from '../../contract/agent-events';

/** The most one stored event may take; a longer text, tool input or output is cut to fit. */
export const MAX_EVENT_BYTES = 256 * 1024;

/** The first `maxBytes` bytes of a text, never splitting a character. */
function head(text: string, maxBytes: number): string {
  if (text.length <= maxBytes / 3) return text;
  const { read } = new TextEncoder().encodeInto(text, new Uint8Array(maxBytes));
  return text.slice(0, read);
}

/** The event with its long texts cut to about `budget` bytes; `flat` turns a tool input into text first. */
function shortened(event: AgentEvent, budget: number, flat: boolean): AgentEvent | null {
  switch (event.kind) {
    case 'text':
      return { ...event, text: head(event.text, budget) };
    case 'tool_result':
      return { ...event, content: head(event.content, budget) };
    case 'retry':
      return { ...event, error: head(event.error, budget) };
    case 'result':
      return { ...event, result: { ...event.result, resultText: head(event.result.resultText, budget) } };
    case 'tool_use': {
      const { input } = event;
      if (flat || !input || typeof input !== 'object' || Array.isArray(input)) {
        const text = typeof input === 'string' ? input : (JSON.stringify(input) ?? '');
        return { ...event, input: head(text, budget) };
      }
      // Its fields stay, so the call is still described by its command or file; only long values are cut.
      const fields = Object.entries(input as Record<string, unknown>);
      const share = Math.floor(budget / fields.length);
      return {
        ...event,
        input: Object.fromEntries(
          fields.map(([key, value]) => [key, typeof value === 'string' ? head(value, share) : value]),
        ),
      };
    }
    default:
      return null;
  }
}

export interface Stored {
  event: AgentEvent;
  payload: string;
  bytes: number;
}

/** The event cut to fit MAX_EVENT_BYTES as stored, or null when it cannot be. */
export function fitted(event: AgentEvent): Stored | null {
  // JSON escapes can make the stored text longer than the text: shrink until it fits.
  let budget = MAX_EVENT_BYTES - 4096;
  for (let attempt = 0; attempt < 4; attempt++, budget = Math.floor(budget / 4)) {
    const cut = shortened(event, budget, attempt === 3);
    if (!cut) return null;
    const payload = JSON.stringify(cut);
    const bytes = Buffer.byteLength(payload);
    if (bytes <= MAX_EVENT_BYTES) return { event: cut, payload, bytes };
  }
  return null;
}

/**
 * The event and its stored text. One nested too deep for JSON.stringify (the parsers cut tool inputs, but
 * an event may come from elsewhere) is stored with the deep part cut, its place saying so; null when even
 * that cannot be serialised, and the event is counted as not stored.
 */
export function serialised(event: AgentEvent): { event: AgentEvent; payload: string } | null {
  try {
    return { event, payload: JSON.stringify(event) };
  } catch {
    // Too deep, or a value JSON has no form for (a BigInt): tried again, cut.
  }
  try {
    const cut = cutDeepNesting(event) as AgentEvent;
    return { event: cut, payload: JSON.stringify(cut) };
  } catch {
    return null;
  }
}
