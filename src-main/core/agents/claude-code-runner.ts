/**
 * Runs one Claude Code session: spawns the `claude` binary without a shell,
 * in its own process group, and streams its stdout through the parser.
 */
import type { AgentEvent, AgentResult } from '../../contract/agent-events';
import { describeAgentStop } from '../../contract/format';
import type { AgentError, AgentRunner, AgentRunOutcome, AgentRunRequest } from './agent-runner';
import {
  firstLine,
  noResultMessage,
  readAgentOutput,
  spawnAgent,
  superviseAgent,
  supervisedRunError,
} from './agent-supervision';
import type { Isolation } from '../process-containment';
import { ClaudeStreamParser } from './claude-stream-parser';

const ALREADY_IN_USE = /Session ID .* is already in use/;

/**
 * The CLI's words for a call that got no answer: 2.1.197 says "Unable to connect to API (ConnectionRefused)" (its
 * runtime's name for ECONNREFUSED) or "(ECONNRESET)"; Node's and other versions' names are here too.
 */
const NO_ANSWER_WORDS =
  /unable to connect|connection ?(?:refused|reset|error)|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|socket hang up|fetch failed/i;

/** What the connection did, in words, for the codes the CLI names it by. */
const CONNECTION_FAILURES: ReadonlyArray<readonly [RegExp, string]> = [
  [/ConnectionRefused|ECONNREFUSED|connection refused/i, 'the connection was refused'],
  [/ConnectionReset|ECONNRESET|socket hang up|connection reset/i, 'the connection was reset'],
  [/ETIMEDOUT|timed? ?out/i, 'the connection timed out'],
  [/ENOTFOUND|EAI_AGAIN|getaddrinfo/i, 'its host was not found'],
];

/**
 * Whether the CLI gave up on an API it could not reach, judged by what it reported rather than one version's
 * wording: it failed (an error result, a non-zero exit) with no HTTP status, which an answering API always gives,
 * and either its last retries got no answer either (`api_retry` lines without a status) or its words say so.
 */
export function apiUnreachable(result: AgentResult, exitCode: number | null, lastCallUnanswered: boolean): boolean {
  if (!result.isError || result.apiErrorStatus !== null || exitCode === 0) return false;
  return lastCallUnanswered || NO_ANSWER_WORDS.test(result.resultText);
}

/** "could not reach the API at http://127.0.0.1:9: the connection was refused". */
function unreachableMessage(result: AgentResult, apiUrl: string): string {
  const why =
    CONNECTION_FAILURES.find(([pattern]) => pattern.test(result.resultText))?.[1] ??
    firstLine(result.resultText).replace(/^API Error:\s*/i, '');
  return `could not reach the API at ${apiUrl}${why ? `: ${why}` : ''}`;
}

/**
 * Without this the CLI sends a hidden title-generation request per session
 * whose tokens never appear in its `result` line, so they would be billed but
 * unmetered. A user who sets the variable themselves still wins.
 */
const AGENT_ENV_DEFAULTS: NodeJS.ProcessEnv = { CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1' };

export interface ClaudeCodeRunnerOptions {
  binary: string;
  /** Extra environment for the agent, on top of this process's. */
  env?: NodeJS.ProcessEnv;
  /** How long a cancelled agent gets between SIGTERM and SIGKILL. */
  killGraceMs?: number;
  /** How the processes of its runs are kept findable (see process-containment); default auto. */
  isolation?: Isolation;
}

/** Where the CLI sends its requests unless ANTHROPIC_BASE_URL says otherwise. */
const DEFAULT_API_URL = 'https://api.anthropic.com';

/**
 * The CLI's arguments. Values are data, never options: free-text values are
 * joined to their flag (`--model=…`). The prompt is no argument at all: it
 * goes on stdin (see run), which `claude -p` reads when given no prompt, so
 * no prompt can be read as a flag or a subcommand, and none is too long for
 * the OS's limit on one argument (128 KiB on Linux, `spawn E2BIG`). The
 * closing `--` ends --allowedTools, which takes every argument up to it.
 */
export function buildClaudeArgs(request: AgentRunRequest): string[] {
  // Partial messages give the live text deltas as the model writes them.
  const args = ['-p', '--output-format', 'stream-json', '--verbose', '--include-partial-messages'];
  if (request.forkFrom) args.push('--resume', request.forkFrom, '--fork-session');
  args.push('--session-id', request.sessionId);
  if (request.model) args.push(`--model=${request.model}`);
  if (request.maxTurns !== undefined) args.push('--max-turns', String(request.maxTurns));
  if (request.permissionMode) args.push('--permission-mode', request.permissionMode);
  if (request.maxBudgetUsd !== undefined) args.push('--max-budget-usd', request.maxBudgetUsd.toFixed(4));
  // The flag takes every argument up to the next flag or `--`. One argument per rule, since the CLI
  // splits a value at commas and spaces only outside parentheses, so `Bash(git commit:*)` stays whole.
  if (request.allowedTools?.length) args.push('--allowedTools', ...request.allowedTools);
  args.push('--');
  return args;
}

/**
 * The error of an is_error result. An API failure ends with subtype "success", which says nothing about the
 * failure, so it is told by its text; another subtype is said in words ("the agent stopped at its budget").
 */
function resultErrorMessage(result: AgentResult, request: AgentRunRequest): string {
  const text = firstLine(result.resultText);
  if (result.apiErrorStatus) return `API error ${result.apiErrorStatus}: ${text}`;
  if (result.subtype === 'success') return text || 'the agent reported an error';
  const stop = describeAgentStop(result, { maxTurns: request.maxTurns, maxBudgetUsd: request.maxBudgetUsd });
  return `the agent ${stop}${text ? `: ${text}` : ''}`;
}

export class ClaudeCodeRunner implements AgentRunner {
  readonly agentName = 'claude-code';

  constructor(private readonly options: ClaudeCodeRunnerOptions) {}

  run(request: AgentRunRequest): Promise<AgentRunOutcome> {
    const parser = new ClaudeStreamParser();
    let result: AgentRunOutcome['result'] = null;
    /** The CLI's last API call got no answer at all: it retried without an HTTP status, and nothing came since. */
    let lastCallUnanswered = false;
    const grace = this.options.killGraceMs ?? 3000;

    return new Promise<AgentRunOutcome>((resolve) => {
      const finish = (error: AgentError | null, exitCode: number | null) =>
        resolve({
          error,
          exitCode,
          result,
          usageSeen: parser.usageSoFar(),
          turnsSeen: parser.messagesSeen,
          ...(parser.servedFast ? { speed: 'fast' as const } : {}),
        });

      if (request.signal?.aborted) {
        finish({ kind: 'cancelled', message: 'cancelled before the agent started' }, null);
        return;
      }

      const env = { ...AGENT_ENV_DEFAULTS, ...process.env, ...this.options.env };
      // The CLI reports a failed connection as error "unknown": the address it tried is what explains it.
      const apiUrl = env.ANTHROPIC_BASE_URL || DEFAULT_API_URL;
      const { child, spawnError, processes } = spawnAgent(
        this.options.binary,
        buildClaudeArgs(request),
        request.cwd,
        env,
        request.prompt,
        { sessionId: request.sessionId, isolation: this.options.isolation },
      );
      const supervision = superviseAgent(child, request, grace, processes);

      const emit = (event: AgentEvent) => {
        if (event.kind === 'result') result = event.result;
        if (event.kind === 'retry') lastCallUnanswered = event.errorStatus === null;
        else if (event.kind === 'usage') lastCallUnanswered = false;
        request.onEvent(event.kind === 'retry' && event.errorStatus === null ? { ...event, apiUrl } : event);
      };

      const output = readAgentOutput(child, (line) => parser.parseLine(line), emit, supervision);

      child.on('close', (code, signal) => {
        supervision.closed();
        const stderrTail = output.stderrTail();
        const exitCode = code;
        const failure = supervisedRunError(this.options.binary, spawnError(), supervision, output, exitCode);
        if (failure) {
          finish(failure.error, failure.exitCode);
        } else if (result && apiUnreachable(result, exitCode, lastCallUnanswered)) {
          finish({ kind: 'api_unreachable', message: unreachableMessage(result, apiUrl) }, exitCode);
        } else if (result?.isError) {
          const kind = result.apiErrorStatus ? 'api_error' : 'agent_error';
          finish({ kind, message: resultErrorMessage(result, request) }, exitCode);
        } else if (result && exitCode === 0) {
          finish(null, exitCode);
        } else if (result) {
          finish({ kind: 'agent_error', message: `agent exited with code ${exitCode ?? signal}` }, exitCode);
        } else if (ALREADY_IN_USE.test(stderrTail)) {
          finish(
            { kind: 'session_in_use', message: firstLine(stderrTail.match(/Error: Session ID.*/)?.[0] ?? stderrTail) },
            exitCode,
          );
        } else {
          finish({ kind: 'no_result', message: noResultMessage(exitCode, signal, firstLine(stderrTail)) }, exitCode);
        }
      });
    });
  }
}
