/**
 * Runs one Codex CLI session (`codex exec --json`): spawns the binary without a
 * shell, in its own process group, writes the prompt to its stdin and streams
 * its JSONL stdout through the Codex parser. Stops, time limits and the
 * watchdog work as for Claude Code.
 *
 * Codex names its sessions itself (the thread id of `thread.started`), so the
 * session's Baton uuid cannot be among its arguments; it is put in its
 * environment as BATON_SESSION_ID instead, where crash recovery looks for it.
 */
import type { Isolation } from '../process-containment';
import { type AgentEvent, type AgentResult, maxUsage } from '../../contract/agent-events';
import type { PermissionMode } from '../../contract/task-spec';
import { SESSION_ENV } from '../process-tree';
import type { AgentError, AgentRunner, AgentRunOutcome, AgentRunRequest } from './agent-runner';
import { noResultMessage, readAgentOutput, spawnAgent, superviseAgent, supervisedRunError } from './agent-supervision';
import { codexHomeOf, readRollout, type RolloutSummary } from './codex-rollout';
import { CodexStreamParser } from './codex-stream-parser';

export interface CodexRunnerOptions {
  binary: string;
  /** Extra environment for the agent, on top of this process's (CODEX_HOME, OPENAI_API_KEY, …). */
  env?: NodeJS.ProcessEnv;
  /** How long a cancelled agent gets between SIGTERM and SIGKILL. */
  killGraceMs?: number;
  /** How the processes of its runs are kept findable (see process-containment); default auto. */
  isolation?: Isolation;
}

/**
 * What each of Baton's permission modes lets Codex do. Codex asks nobody in `exec`: what its sandbox
 * forbids fails, so only the sandbox differs, and approvals are turned off outright (a `config.toml` asking
 * for them would leave a headless run waiting for an answer that never comes).
 * - bypassPermissions: no sandbox, no approvals (`--dangerously-bypass-approvals-and-sandbox`);
 * - acceptEdits and default: writes inside the project, no network (`--sandbox workspace-write`);
 * - plan: reads only (`--sandbox read-only`).
 */
export function codexPermissionArgs(mode: PermissionMode | undefined): string[] {
  const never = '--config=approval_policy="never"';
  switch (mode) {
    case 'bypassPermissions':
      return ['--dangerously-bypass-approvals-and-sandbox'];
    case 'plan':
      return ['--sandbox=read-only', never];
    default:
      return ['--sandbox=workspace-write', never];
  }
}

/**
 * The CLI's arguments. Values are joined to their flags (`--model=…`), so none is read as an option. The
 * prompt is no argument: `-` makes Codex read it from stdin, so no prompt can be taken for a flag or a
 * subcommand, and none is too long for the OS's limit on one argument (128 KiB on Linux). A fork continues
 * the earlier thread in a new one: `exec [options] fork <thread> -`, the options going before the
 * subcommand, which takes them from `exec`. Max turns, allowed tools and a budget have no Codex equivalent.
 */
export function buildCodexArgs(request: AgentRunRequest): string[] {
  const args = ['exec', '--json', '--skip-git-repo-check', ...codexPermissionArgs(request.permissionMode)];
  if (request.model) args.push(`--model=${request.model}`);
  args.push(`--cd=${request.cwd}`);
  if (request.forkFrom) args.push('fork', request.forkFrom);
  args.push('-');
  return args;
}

function lines(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

/**
 * Codex's stderr without its warnings (such as the helper-binaries one it prints under a temporary
 * CODEX_HOME), which would otherwise stand for the reason a run failed.
 */
function stderrReason(stderr: string): string {
  return (
    lines(stderr)
      .filter((line) => !/^WARNING\b/.test(line))
      .at(-1) ?? ''
  );
}

/** An API error as Codex passes it on is often the response body itself: its `error.message` says it. */
export function apiErrorText(message: string): string {
  try {
    const body = JSON.parse(message) as { error?: { message?: unknown } | string; message?: unknown };
    const inner = typeof body.error === 'object' ? body.error?.message : (body.error ?? body.message);
    if (typeof inner === 'string' && inner.trim() !== '') return inner.trim();
  } catch {
    // Not JSON: Codex's own words.
  }
  return lines(message)[0] ?? message;
}

/**
 * The result as Baton stores it. Its usage is this run's own: a fork's `turn.completed` counts the thread it
 * was forked from too, so the transcript's sum over this thread's responses replaces it; a failed turn
 * reports none, so what the transcript shows was billed is kept. Codex reports no duration: the wall time is.
 */
function settledResult(
  result: AgentResult,
  reasoningTokens: number,
  rollout: RolloutSummary | undefined,
  forked: boolean,
  wallMs: number,
): AgentResult {
  const counted = rollout !== undefined && rollout.responses > 0;
  const usage = !counted ? result.usage : forked ? rollout.usage : maxUsage(result.usage, rollout.usage);
  const reasoning = !counted
    ? reasoningTokens
    : forked
      ? rollout.reasoningTokens
      : Math.max(reasoningTokens, rollout.reasoningTokens);
  return {
    ...result,
    usage,
    reasoningTokens: reasoning,
    apiErrorStatus: result.isError ? (rollout?.errorStatus ?? null) : null,
    durationMs: result.durationMs || wallMs,
  };
}

export class CodexRunner implements AgentRunner {
  readonly agentName = 'codex';
  /** `codex exec fork <thread>` continues a thread in a new one, headless and with --json. */
  readonly canFork = true;

  constructor(private readonly options: CodexRunnerOptions) {}

  run(request: AgentRunRequest): Promise<AgentRunOutcome> {
    const parser = new CodexStreamParser({ model: request.model, cwd: request.cwd });
    const forked = request.forkFrom !== undefined;
    const grace = this.options.killGraceMs ?? 3000;
    const env: NodeJS.ProcessEnv = { ...process.env, ...this.options.env, [SESSION_ENV]: request.sessionId };
    const codexHome = codexHomeOf(env);
    const startedAt = Date.now();
    /** A fork's usage and result wait for the close, when its own share is known (they are its last lines). */
    const heldBack: AgentEvent[] = [];

    return new Promise<AgentRunOutcome>((resolve) => {
      /** What the run spent and reported, read once it has ended: its stream, then Codex's transcript. */
      const settle = () => {
        const threadId = parser.threadId;
        const rollout = threadId ? readRollout(codexHome, threadId) : undefined;
        const seen = parser.outcome;
        const result = seen
          ? settledResult(seen.result, seen.reasoningOutputTokens, rollout, forked, Date.now() - startedAt)
          : null;
        const fromRollout = rollout && rollout.responses > 0 ? rollout.usage : undefined;
        // A fork's stream counts the conversation it came from too: only the transcript says what this run spent.
        const usageSeen = forked
          ? (fromRollout ?? parser.usageSoFar())
          : maxUsage(parser.usageSoFar(), fromRollout ?? parser.usageSoFar());
        return { threadId, result, usageSeen };
      };
      const finish = (error: AgentError | null, exitCode: number | null, spent = settle()) => {
        for (const event of heldBack) {
          if (event.kind === 'result' && spent.result) request.onEvent({ kind: 'result', result: spent.result });
          else if (event.kind === 'usage')
            request.onEvent({ kind: 'usage', usage: spent.result?.usage ?? spent.usageSeen });
        }
        resolve({
          error,
          exitCode,
          result: spent.result,
          usageSeen: spent.usageSeen,
          turnsSeen: parser.turnsSeen,
          ...(spent.threadId ? { agentSessionId: spent.threadId } : {}),
        });
      };

      if (request.signal?.aborted) {
        finish({ kind: 'cancelled', message: 'cancelled before the agent started' }, null);
        return;
      }

      const { child, spawnError, processes } = spawnAgent(
        this.options.binary,
        buildCodexArgs(request),
        request.cwd,
        env,
        request.prompt,
        { sessionId: request.sessionId, isolation: this.options.isolation },
      );
      const supervision = superviseAgent(child, request, grace, processes);

      const emit = (event: AgentEvent) => {
        if (forked && (event.kind === 'usage' || event.kind === 'result')) heldBack.push(event);
        else request.onEvent(event);
      };

      const output = readAgentOutput(child, (line) => parser.parseLine(line), emit, supervision);

      child.on('close', (code, signal) => {
        supervision.closed();
        const stderrTail = output.stderrTail();
        const spent = settle();
        const seen = parser.outcome;
        const failure = supervisedRunError(this.options.binary, spawnError(), supervision, output, code);
        if (failure) {
          finish(failure.error, failure.exitCode, spent);
        } else if (seen?.status === 'failed') {
          // After Codex's own retries: the API (or the model) turned the turn down.
          const status = spent.result?.apiErrorStatus;
          const text = apiErrorText(seen.error ?? 'codex reported a failed turn');
          finish({ kind: 'api_error', message: status ? `API error ${status}: ${text}` : text }, code, spent);
        } else if (seen && code === 0) {
          finish(null, code, spent);
        } else if (seen) {
          finish({ kind: 'agent_error', message: `agent exited with code ${code ?? signal}` }, code, spent);
        } else {
          const detail = parser.lastErrorMessage ?? stderrReason(stderrTail);
          finish({ kind: 'no_result', message: noResultMessage(code, signal, detail) }, code, spent);
        }
      });
    });
  }
}
