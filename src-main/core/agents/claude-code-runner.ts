/**
 * Runs one Claude Code session: spawns the `claude` binary without a shell,
 * in its own process group, and streams its stdout through the parser.
 */
import { spawn } from 'node:child_process';
import type { AgentEvent, AgentResult } from '../../contract/agent-events';
import type { AgentError, AgentRunner, AgentRunOutcome, AgentRunRequest } from './agent-runner';
import { ClaudeStreamParser } from './claude-stream-parser';
import { LineSplitter, MAX_LINE_BYTES } from './line-splitter';
import { type ProcessRef, signalGroup, signalKnown, signalTree } from '../process-tree';

const STDERR_TAIL_BYTES = 4096;
const ALREADY_IN_USE = /Session ID .* is already in use/;

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

function firstLine(text: string): string {
  return (
    text
      .trim()
      .split('\n')
      .find((line) => line.trim() !== '') ?? ''
  );
}

/**
 * The error of an is_error result. An API failure ends with subtype "success",
 * which says nothing about the failure, so only other subtypes are named.
 */
function resultErrorMessage(result: AgentResult): string {
  const text = firstLine(result.resultText);
  if (result.apiErrorStatus) return `API error ${result.apiErrorStatus}: ${text}`;
  if (result.subtype === 'success') return text || 'the agent reported an error';
  return `${result.subtype}: ${text}`;
}

export class ClaudeCodeRunner implements AgentRunner {
  readonly agentName = 'claude-code';

  constructor(private readonly options: ClaudeCodeRunnerOptions) {}

  run(request: AgentRunRequest): Promise<AgentRunOutcome> {
    const parser = new ClaudeStreamParser();
    let protocolError: string | undefined;
    let result: AgentRunOutcome['result'] = null;
    let stderrTail = '';
    const grace = this.options.killGraceMs ?? 3000;

    return new Promise<AgentRunOutcome>((resolve) => {
      const finish = (error: AgentError | null, exitCode: number | null) =>
        resolve({ error, exitCode, result, usageSeen: parser.usageSoFar(), turnsSeen: parser.messagesSeen });

      if (request.signal?.aborted) {
        finish({ kind: 'cancelled', message: 'cancelled before the agent started' }, null);
        return;
      }

      const env = { ...AGENT_ENV_DEFAULTS, ...process.env, ...this.options.env };
      // The CLI reports a failed connection as error "unknown": the address it tried is what explains it.
      const apiUrl = env.ANTHROPIC_BASE_URL || DEFAULT_API_URL;
      const child = spawn(this.options.binary, buildClaudeArgs(request), {
        cwd: request.cwd,
        env,
        stdio: ['pipe', 'pipe', 'pipe'],
        // Its own process group, so a stop can take down every tool process the agent started.
        detached: true,
        shell: false,
      });

      let spawnError: Error | undefined;
      child.on('error', (error) => {
        spawnError = error;
      });
      // An agent that exits without reading its prompt closes the pipe (EPIPE): its exit explains it, not this.
      child.stdin.on('error', () => undefined);
      child.stdin.end(request.prompt, 'utf8');

      const emit = (event: AgentEvent) => {
        if (event.kind === 'result') result = event.result;
        request.onEvent(event.kind === 'retry' && event.errorStatus === null ? { ...event, apiUrl } : event);
      };

      // Bytes are counted as they come, so a line without end cannot grow this process's memory past the cap.
      const lines = new LineSplitter({
        line: (line) => {
          watchIdle();
          const parsed = parser.parseLine(line);
          if (!parsed.ok) {
            protocolError ??= parsed.error;
            return;
          }
          for (const event of parsed.events) emit(event);
        },
        overlong: (bytes) => {
          watchIdle();
          protocolError ??= `agent printed a line over ${MAX_LINE_BYTES} bytes (${bytes}); it was cut, not read`;
        },
      });
      child.stdout.on('data', (chunk: Buffer) => lines.push(chunk));
      child.stdout.on('end', () => lines.end());
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (chunk: string) => {
        stderrTail = (stderrTail + chunk).slice(-STDERR_TAIL_BYTES);
      });

      // Why Baton stopped the agent, if it did: the user, the time limit, or the watchdog.
      let stoppedBecause: AgentError | undefined;
      let killTimer: NodeJS.Timeout | undefined;
      let stoppedTree: ProcessRef[] = [];
      const stopAgent = (why: AgentError) => {
        if (stoppedBecause || child.pid === undefined) return;
        stoppedBecause = why;
        // Tool processes may sit in process groups of their own: find them now, while they are still our descendants.
        signalGroup(child.pid, 'SIGTERM');
        stoppedTree = signalTree(child.pid, 'SIGTERM');
        killTimer = setTimeout(() => {
          if (exited) {
            signalKnown(stoppedTree, 'SIGKILL');
            return;
          }
          signalGroup(child.pid, 'SIGKILL');
          stoppedTree = signalTree(child.pid as number, 'SIGKILL', stoppedTree);
        }, grace);
      };
      const onAbort = () => stopAgent({ kind: 'cancelled', message: 'stopped by the user' });
      const timeLimit =
        request.timeoutMs === undefined
          ? undefined
          : setTimeout(
              () =>
                stopAgent({ kind: 'timeout', message: `stopped after its ${request.timeoutMs! / 1000}s time limit` }),
              request.timeoutMs,
            );
      let idleTimer: NodeJS.Timeout | undefined;
      const watchIdle = () => {
        if (request.idleTimeoutMs === undefined) return;
        if (idleTimer) clearTimeout(idleTimer);
        idleTimer = setTimeout(
          () =>
            stopAgent({
              kind: 'stalled',
              message: `stopped after ${request.idleTimeoutMs! / 1000}s without any output`,
            }),
          request.idleTimeoutMs,
        );
      };
      watchIdle();
      request.signal?.addEventListener('abort', onAbort, { once: true });

      // Tool processes the agent left in the background would hold our pipes open.
      // (A group id stays reserved while the group has members, so this cannot reach a stranger's group.)
      let exited = false;
      child.on('exit', () => {
        exited = true;
        signalGroup(child.pid, 'SIGKILL');
      });

      child.on('close', (code, signal) => {
        request.signal?.removeEventListener('abort', onAbort);
        if (timeLimit) clearTimeout(timeLimit);
        if (idleTimer) clearTimeout(idleTimer);
        if (killTimer) {
          // The agent is gone; whatever of its tree ignored SIGTERM gets no more grace.
          clearTimeout(killTimer);
          // Its pid may already belong to someone else: only processes proven to be the ones found are signalled.
          signalKnown(stoppedTree, 'SIGKILL');
        }
        const exitCode = code;
        if (spawnError) {
          finish(
            { kind: 'spawn_failed', message: `could not start ${this.options.binary}: ${spawnError.message}` },
            null,
          );
        } else if (stoppedBecause) {
          finish(stoppedBecause, exitCode);
        } else if (protocolError) {
          finish({ kind: 'protocol_error', message: protocolError }, exitCode);
        } else if (result?.isError) {
          const kind = result.apiErrorStatus ? 'api_error' : 'agent_error';
          finish({ kind, message: resultErrorMessage(result) }, exitCode);
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
          const how = signal ? `was killed by ${signal}` : `exited with code ${exitCode}`;
          const detail = firstLine(stderrTail);
          finish(
            { kind: 'no_result', message: `agent ${how} without a result${detail ? `: ${detail}` : ''}` },
            exitCode,
          );
        }
      });
    });
  }
}
