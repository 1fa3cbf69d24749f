/**
 * What every agent runner does to the process it spawned (in its own process group, `detached: true`):
 * stop it on the user's signal, at the wall-clock limit or after too long a silence (SIGTERM to every
 * process of the run, SIGKILL after a grace period), and take down what it left in the background once
 * it has exited, so nothing outlives it or holds the pipes open; and read its output.
 */
import { type ChildProcess, type ChildProcessByStdio, spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import type { AgentEvent } from '../../contract/agent-events';
import { containedCommand, type Isolation, RunProcesses } from '../process-containment';
import { SESSION_ENV } from '../process-tree';
import type { AgentError, AgentRunRequest } from './agent-runner';
import type { ParsedLine } from './claude-stream-parser';
import { LineSplitter, MAX_LINE_BYTES } from './line-splitter';

const STDERR_TAIL_BYTES = 4096;

export interface SupervisedAgent {
  /** The agent printed something: the idle watchdog starts over. */
  heardFrom(): void;
  /** Why Baton stopped the agent, if it did: the user, the time limit, or the watchdog. */
  stoppedBecause(): AgentError | undefined;
  /** The agent's pipes closed: timers end, and whatever of its tree ignored SIGTERM gets no more grace. */
  closed(): void;
}

export function superviseAgent(
  child: ChildProcess,
  request: Pick<AgentRunRequest, 'signal' | 'timeoutMs' | 'idleTimeoutMs'>,
  graceMs: number,
  /** Every process of the run; undefined when nothing could be started. */
  processes: RunProcesses | undefined,
): SupervisedAgent {
  let stoppedBecause: AgentError | undefined;
  let killTimer: NodeJS.Timeout | undefined;
  const stopAgent = (why: AgentError) => {
    if (stoppedBecause || !processes) return;
    stoppedBecause = why;
    processes.terminate();
    killTimer = setTimeout(() => processes.kill(), graceMs);
  };
  const onAbort = () => stopAgent({ kind: 'cancelled', message: 'stopped by the user' });
  const timeLimit =
    request.timeoutMs === undefined
      ? undefined
      : setTimeout(
          () => stopAgent({ kind: 'timeout', message: `stopped after its ${request.timeoutMs! / 1000}s time limit` }),
          request.timeoutMs,
        );
  let idleTimer: NodeJS.Timeout | undefined;
  const heardFrom = () => {
    if (request.idleTimeoutMs === undefined) return;
    if (idleTimer) clearTimeout(idleTimer);
    idleTimer = setTimeout(
      () =>
        stopAgent({ kind: 'stalled', message: `stopped after ${request.idleTimeoutMs! / 1000}s without any output` }),
      request.idleTimeoutMs,
    );
  };
  heardFrom();
  request.signal?.addEventListener('abort', onAbort, { once: true });

  // Once the agent is gone nothing it started may go on: not what it left in the background (which would
  // also hold our pipes open), nor what ignored SIGTERM.
  child.on('exit', () => processes?.kill());

  return {
    heardFrom,
    stoppedBecause: () => stoppedBecause,
    closed: () => {
      request.signal?.removeEventListener('abort', onAbort);
      if (timeLimit) clearTimeout(timeLimit);
      if (idleTimer) clearTimeout(idleTimer);
      if (killTimer) {
        clearTimeout(killTimer);
        processes?.kill();
      }
    },
  };
}

/** One stdout line as an agent's parser reads it. */
export type ParsedAgentLine = ParsedLine;

export interface AgentOutput {
  /** The first line that could not be read, when there was one: the run is then a protocol error. */
  protocolError(): string | undefined;
  /** The last few KiB of stderr, to explain a run that ended without a result. */
  stderrTail(): string;
}

/**
 * Reads the agent's stdout line by line through its parser, events to `emit`, and keeps its stderr's tail.
 * Bytes are counted as they come, so a line without end cannot grow this process's memory past the cap.
 */
export function readAgentOutput(
  child: ChildProcessByStdio<Writable, Readable, Readable>,
  parseLine: (line: string) => ParsedAgentLine,
  emit: (event: AgentEvent) => void,
  supervision: SupervisedAgent,
): AgentOutput {
  let protocolError: string | undefined;
  let stderrTail = '';
  const lines = new LineSplitter({
    line: (line) => {
      supervision.heardFrom();
      const parsed = parseLine(line);
      if (!parsed.ok) {
        protocolError ??= parsed.error;
        return;
      }
      for (const event of parsed.events) emit(event);
    },
    overlong: (bytes) => {
      supervision.heardFrom();
      protocolError ??= `agent printed a line over ${MAX_LINE_BYTES} bytes (${bytes}); it was cut, not read`;
    },
  });
  child.stdout.on('data', (chunk: Buffer) => lines.push(chunk));
  child.stdout.on('end', () => lines.end());
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderrTail = (stderrTail + chunk).slice(-STDERR_TAIL_BYTES);
  });
  return { protocolError: () => protocolError, stderrTail: () => stderrTail };
}

export interface SpawnedAgent {
  child: ChildProcessByStdio<Writable, Readable, Readable>;
  /** Why the binary could not be started, once Node has said so (before `close`). */
  spawnError(): Error | undefined;
  /** Every process of the run, for a stop and for the end; undefined when nothing was started. */
  processes: RunProcesses | undefined;
}

/** Which run an agent is: its session id (a uuid, so it marks no other run), and how its processes are kept. */
export interface AgentRun {
  sessionId: string;
  isolation?: Isolation;
}

/**
 * Starts an agent without a shell, in its own process group and session, in a PID namespace where the machine
 * gives one, with its session id in its environment (so a stop or crash recovery can take down every process
 * it starts), and the prompt written to its stdin, which is then closed: an agent waits for more otherwise.
 */
export function spawnAgent(
  binary: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
  prompt: string,
  run: AgentRun,
): SpawnedAgent {
  const command = containedCommand(binary, args, run.isolation ?? 'auto');
  const child = spawn(command.file, command.args, {
    cwd,
    env: { ...env, [SESSION_ENV]: run.sessionId },
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
    shell: false,
  });
  const processes =
    child.pid === undefined ? undefined : new RunProcesses(child, `${SESSION_ENV}=${run.sessionId}`, command.namespace);
  let spawnError: Error | undefined;
  child.on('error', (error) => {
    spawnError = error;
  });
  // An agent that exits without reading its prompt closes the pipe (EPIPE): its exit explains it, not this.
  child.stdin.on('error', () => undefined);
  child.stdin.end(prompt, 'utf8');
  return { child, spawnError: () => spawnError, processes };
}

/**
 * The error of a run whose agent has closed its pipes, when it is Baton's to give: the binary could not be
 * started (there is no exit code then), Baton stopped it, or a line of its output could not be read.
 * Undefined otherwise: what the agent reported decides.
 */
export function supervisedRunError(
  binary: string,
  spawnError: Error | undefined,
  supervision: SupervisedAgent,
  output: AgentOutput,
  code: number | null,
): { error: AgentError; exitCode: number | null } | undefined {
  const stoppedBecause = supervision.stoppedBecause();
  const protocolError = output.protocolError();
  if (spawnError) {
    return {
      error: { kind: 'spawn_failed', message: `could not start ${binary}: ${spawnError.message}` },
      exitCode: null,
    };
  }
  if (stoppedBecause) return { error: stoppedBecause, exitCode: code };
  if (protocolError) return { error: { kind: 'protocol_error', message: protocolError }, exitCode: code };
  return undefined;
}

/** Why a run ended without a result: how the agent ended, and the reason its output gave, if any. */
export function noResultMessage(code: number | null, signal: NodeJS.Signals | null, detail: string): string {
  const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
  return `agent ${how} without a result${detail ? `: ${detail}` : ''}`;
}

/** The first line of a text once the space around the text is trimmed; '' for a blank one. */
export function firstLine(text: string): string {
  return (
    text
      .trim()
      .split('\n')
      .find((line) => line.trim() !== '') ?? ''
  );
}
