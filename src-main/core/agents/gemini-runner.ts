/**
 * Runs one Gemini CLI session: spawns `gemini` without a shell, in its own
 * process group, writes the prompt to its stdin and reads its
 * `--output-format stream-json` stdout through the Gemini parser, and its stderr
 * for the retries it makes on its own.
 *
 * What this relies on (checked with @google/gemini-cli 0.61.0):
 * - with stdin not a terminal it runs headless and takes stdin as the prompt
 *   (up to 8 MiB), so no prompt can be read as a flag, and none is too long for
 *   the OS's limit on one argument;
 * - `--session-id <uuid>` starts a new session under Baton's id (it refuses an id
 *   it already has); `--session-file <chat file>` starts a new session, under an
 *   id of its own, with the conversation of the session stored in that file:
 *   Baton's fork. Gemini keeps each session's conversation in
 *   `<GEMINI_CLI_HOME or HOME>/.gemini/tmp/<project>/chats/session-<time>-<first 8 of its id>.jsonl`,
 *   whose first line names the session;
 * - it runs itself again as a child node process (same arguments and
 *   environment, same process group) and ignores SIGTERM in the parent, so a
 *   stop signals the group and the tree;
 * - it retries 429 and 5xx itself (`general.maxAttempts` in its settings, 10 by
 *   default) and says so only on stderr.
 *
 * Claude Code's allowed-tools rules, turn limit and budget have no Gemini flag
 * and are not passed.
 */
import type { Isolation } from '../process-containment';
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AgentEvent, AgentResult } from '../../contract/agent-events';
import type { PermissionMode } from '../../contract/task-spec';
import { SESSION_ENV } from '../process-tree';
import type { AgentError, AgentRunner, AgentRunOutcome, AgentRunRequest } from './agent-runner';
import {
  firstLine,
  noResultMessage,
  readAgentOutput,
  spawnAgent,
  superviseAgent,
  supervisedRunError,
} from './agent-supervision';
import { GeminiStderrReader, GeminiStreamParser } from './gemini-stream-parser';

/** Baton's permission modes as Gemini's approval modes. */
export const GEMINI_APPROVAL_MODES: Record<PermissionMode, string> = {
  default: 'default',
  acceptEdits: 'auto_edit',
  bypassPermissions: 'yolo',
  plan: 'plan',
};

/** Gemini's own default for how often it tries one request. */
const DEFAULT_MAX_ATTEMPTS = 10;

export interface GeminiRunnerOptions {
  binary: string;
  /** Extra environment for the agent, on top of this process's. */
  env?: NodeJS.ProcessEnv;
  /** How long a cancelled agent gets between SIGTERM and SIGKILL. */
  killGraceMs?: number;
  /** How the processes of its runs are kept findable (see process-containment); default auto. */
  isolation?: Isolation;
}

/** Where Gemini keeps its settings and sessions for this environment. */
export function geminiDirOf(env: NodeJS.ProcessEnv): string {
  return path.join(env.GEMINI_CLI_HOME || env.HOME || os.homedir(), '.gemini');
}

/** The chat file of one of Gemini's sessions, found by the id its first line names; undefined when there is none. */
export function findGeminiSessionFile(geminiDir: string, sessionId: string): string | undefined {
  const suffix = `-${sessionId.slice(0, 8)}.jsonl`;
  const projects = path.join(geminiDir, 'tmp');
  let folders: string[];
  try {
    folders = readdirSync(projects);
  } catch {
    return undefined;
  }
  for (const folder of folders) {
    const chats = path.join(projects, folder, 'chats');
    let files: string[];
    try {
      files = readdirSync(chats).filter((name) => name.startsWith('session-') && name.endsWith(suffix));
    } catch {
      continue;
    }
    for (const name of files) {
      const file = path.join(chats, name);
      try {
        const first = readFileSync(file, 'utf8').split('\n', 1)[0] ?? '';
        if ((JSON.parse(first) as { sessionId?: unknown }).sessionId === sessionId) return file;
      } catch {
        // Not a chat file of this session.
      }
    }
  }
  return undefined;
}

/** How often Gemini tries a request: the project's settings over the user's, else its default. */
function maxAttemptsOf(geminiDir: string, cwd: string): number {
  for (const file of [path.join(cwd, '.gemini', 'settings.json'), path.join(geminiDir, 'settings.json')]) {
    try {
      const value = (JSON.parse(readFileSync(file, 'utf8')) as { general?: { maxAttempts?: unknown } }).general
        ?.maxAttempts;
      if (typeof value === 'number' && Number.isInteger(value) && value > 0) return value;
    } catch {
      // No such settings, or not readable: the next ones, or the default.
    }
  }
  return DEFAULT_MAX_ATTEMPTS;
}

/**
 * The CLI's arguments. Free-text values are joined to their flag (`--model=…`), so none can be read as a flag.
 * The prompt is none of them: it goes on stdin.
 */
export function buildGeminiArgs(request: AgentRunRequest, forkFile?: string): string[] {
  const args = ['--output-format', 'stream-json'];
  // The two are exclusive: a fork's new session gets an id of Gemini's own.
  if (forkFile) args.push(`--session-file=${forkFile}`);
  else args.push('--session-id', request.sessionId);
  if (request.model) args.push(`--model=${request.model}`);
  if (request.permissionMode) args.push('--approval-mode', GEMINI_APPROVAL_MODES[request.permissionMode]);
  return args;
}

/** Why Gemini stopped, from its stderr: the first line that is not one of its start-up notices. */
function stderrReason(stderr: string): string {
  const notices = /^(Warning: 256-color|Ripgrep is not available|YOLO mode is enabled|\[STARTUP\])/;
  return firstLine(
    stderr
      .split('\n')
      .filter((line) => !notices.test(line))
      .join('\n'),
  );
}

function resultError(result: AgentResult): AgentError {
  const text = firstLine(result.resultText) || 'gemini reported an error';
  return result.apiErrorStatus
    ? { kind: 'api_error', message: `API error ${result.apiErrorStatus}: ${text}` }
    : { kind: 'agent_error', message: text };
}

export class GeminiRunner implements AgentRunner {
  readonly agentName = 'gemini';
  /** `--session-file` starts a new session from an earlier one's conversation. */
  readonly canFork = true;

  constructor(private readonly options: GeminiRunnerOptions) {}

  run(request: AgentRunRequest): Promise<AgentRunOutcome> {
    const parser = new GeminiStreamParser({ cwd: request.cwd });
    // The session's uuid in its environment too: a fork runs without --session-id, and crash recovery finds it by this.
    const env: NodeJS.ProcessEnv = { ...process.env, ...this.options.env, [SESSION_ENV]: request.sessionId };
    const geminiDir = geminiDirOf(env);
    const stderr = new GeminiStderrReader({ maxAttempts: maxAttemptsOf(geminiDir, request.cwd) });
    const grace = this.options.killGraceMs ?? 3000;

    return new Promise<AgentRunOutcome>((resolve) => {
      const finish = (error: AgentError | null, exitCode: number | null) => {
        const sessionId = parser.sessionId;
        resolve({
          error,
          exitCode,
          result: parser.result,
          usageSeen: parser.usageSoFar(),
          turnsSeen: parser.turnsSeen,
          ...(sessionId && sessionId !== request.sessionId ? { agentSessionId: sessionId } : {}),
        });
      };

      if (request.signal?.aborted) {
        finish({ kind: 'cancelled', message: 'cancelled before the agent started' }, null);
        return;
      }
      let forkFile: string | undefined;
      if (request.forkFrom) {
        forkFile = findGeminiSessionFile(geminiDir, request.forkFrom);
        if (!forkFile) {
          finish(
            {
              kind: 'agent_error',
              message: `cannot fork Gemini session ${request.forkFrom}: its chat file is not under ${path.join(geminiDir, 'tmp')}`,
            },
            null,
          );
          return;
        }
      }

      const { child, spawnError, processes } = spawnAgent(
        this.options.binary,
        buildGeminiArgs(request, forkFile),
        request.cwd,
        env,
        request.prompt,
        { sessionId: request.sessionId, isolation: this.options.isolation },
      );
      const supervision = superviseAgent(child, request, grace, processes);

      // Gemini's result names no status for some failures (a 404 has only its message); its stderr does.
      const withStatus = (result: AgentResult | null) => {
        if (result?.isError && result.apiErrorStatus === null) result.apiErrorStatus = stderr.lastStatus;
        return result;
      };
      const emit = (event: AgentEvent) => {
        if (event.kind === 'result') withStatus(event.result);
        request.onEvent(event);
      };
      const output = readAgentOutput(child, (line) => parser.parseLine(line), emit, supervision);
      let pendingStderr = '';
      child.stderr.on('data', (chunk: string) => {
        const lines = (pendingStderr + chunk).split('\n');
        pendingStderr = (lines.pop() ?? '').slice(-64 * 1024);
        for (const line of lines) for (const event of stderr.line(line)) request.onEvent(event);
      });

      child.on('close', (code, signal) => {
        supervision.closed();
        // Both pipes are read by now, so a status printed on stderr after the result line is known too.
        const result = withStatus(parser.result);
        const failure = supervisedRunError(this.options.binary, spawnError(), supervision, output, code);
        if (failure) {
          finish(failure.error, failure.exitCode);
        } else if (result?.isError) {
          finish(resultError(result), code);
        } else if (result && code === 0) {
          finish(null, code);
        } else if (result) {
          finish({ kind: 'agent_error', message: `agent exited with code ${code ?? signal}` }, code);
        } else {
          const detail = stderrReason(output.stderrTail());
          const kind = /already exists/.test(detail) ? 'session_in_use' : 'no_result';
          finish({ kind, message: noResultMessage(code, signal, detail) }, code);
        }
      });
    });
  }
}
