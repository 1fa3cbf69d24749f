/** Ready-made scripts for the scripted API. */
import type { Script, ScriptedTurn, TurnUsage } from './scripted-anthropic-server';

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

/**
 * A gate for a scripted answer (`heldUntil`): the API holds it until the test has seen what it came to
 * see, rather than for a fixed time that a loaded machine may outlast.
 */
export function gate(): { opened: Promise<void>; open: () => void } {
  let open: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

/** A tool call the scripted API asks the CLI to make. */
export type ToolCall = NonNullable<ScriptedTurn['toolUse']>;

/** A Bash tool call; it runs in the directory the agent was started in. */
export const bashCall = (command: string): ToolCall => ({ name: 'Bash', input: { command, description: command } });

/** A Write tool call; a relative path is written below the directory the agent was started in. */
export const writeCall = (file: string, content: string): ToolCall => ({
  name: 'Write',
  input: { file_path: file, content },
});

/**
 * Per session: the first turn makes the tool call `toolFor(sessionOrdinal)` gives (none when it gives
 * undefined), and the next one ends the session with a text that has no completion marker.
 */
export function toolCallScript(toolFor: (sessionOrdinal: number) => ToolCall | undefined): Script {
  return ({ sessionOrdinal, turnInSession }) => {
    const usage = usageFor(sessionOrdinal, turnInSession);
    const toolUse = turnInSession === 1 ? toolFor(sessionOrdinal) : undefined;
    return toolUse ? { toolUse, usage } : { text: `Worked on it in session ${sessionOrdinal}.`, usage };
  };
}
