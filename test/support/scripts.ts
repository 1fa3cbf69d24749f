/** Ready-made scripts for the scripted API. */
import type { Script, TurnUsage } from './scripted-anthropic-server';

/** Distinct, recognisable numbers per session and turn, so a mix-up between sessions shows. */
export function usageFor(sessionOrdinal: number, turn: number): TurnUsage {
  return {
    input_tokens: 1000 * sessionOrdinal + 10 * turn,
    output_tokens: 50 * sessionOrdinal + turn,
    cache_creation_input_tokens: 200 * sessionOrdinal,
    cache_read_input_tokens: 3000 * sessionOrdinal + turn,
  };
}

/**
 * One text turn per session; from session `completeAt` on, the reply carries
 * the completion marker. `completeAt` 0 never completes.
 */
export function iterationScript(completeAt: number, marker = 'BATON_TASK_COMPLETE', delayMs = 0): Script {
  return ({ sessionOrdinal, turnInSession }) => ({
    delayMs,
    text:
      completeAt > 0 && sessionOrdinal >= completeAt
        ? `Finished the work in session ${sessionOrdinal}.\n${marker}`
        : `Made progress in session ${sessionOrdinal}; more to do.`,
    usage: usageFor(sessionOrdinal, turnInSession),
  });
}
