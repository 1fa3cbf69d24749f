/**
 * One live truth: a service open on the database (as the window's is) shows
 * a `baton run` in another process as if it ran the task itself, with the
 * same events, each once, and lists it in its live state while it runs.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { type AgentEvent, agentEventSchema } from '../../src-main/contract/agent-events';
import { type BatonEvent, isTaskEvent } from '../../src-main/contract/events';
import { isFollowed } from '../../src-main/core/store/event-recorder';
import { openBaton } from '../../src-main/service/open-baton';
import { lastJsonLine, runBaton, startBaton } from '../support/baton-cli';
import { type TaskJson, useScriptedWorkspaces } from '../support/scripted-workspace';
import type { Script } from '../support/scripted-anthropic-server';
import { gate, iterationScript } from '../support/scripts';

const setUp = useScriptedWorkspaces();

async function until(check: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/**
 * A service open on the database, as a window's is, and a `baton run` in a terminal beside it, under way:
 * the events the service publishes, and the task's id once its first session streams.
 */
async function terminalBesideService(script: Script) {
  const { project, db, env } = await setUp(script);
  const service = await openBaton({ mode: 'browser', databaseFile: db, env: { ...process.env, ...env } });
  const events: BatonEvent[] = [];
  service.subscribe((event) => events.push(event));
  const cli = startBaton(['run', '--dir', project, '--prompt', 'from the terminal', '--json'], env);
  await until(() => events.some((e) => e.type === 'agent.event' && e.event.kind === 'init'), 'a streamed event');
  const taskId = events.find((e) => e.type === 'iteration.started')?.taskId as string;
  return { service, events, cli, taskId, env };
}

/** The lifecycle of a task as its events tell it, the stream left out. */
function lifecycle(events: BatonEvent[]): string[] {
  return events.flatMap((event) => {
    switch (event.type) {
      case 'iteration.started':
        return [`iteration.started ${event.sessionId} #${event.iteration}`];
      case 'iteration.finished':
        return [`iteration.finished ${event.session.sessionId} ${event.session.status}`];
      case 'task.finished':
        return [`task.finished ${event.status}`];
      case 'agent.event':
        return [];
      default:
        return [event.type];
    }
  });
}

describe('following another process', () => {
  it('shows a `baton run` beside it live: its task, iterations and stream, each event once', async () => {
    // The first session's answer waits until the test has looked at the run mid-way.
    const looked = gate();
    const { service, events, cli, taskId, env } = await terminalBesideService((ctx) => ({
      ...iterationScript(2)(ctx),
      heldUntil: ctx.sessionOrdinal === 1 ? looked.opened : undefined,
    }));
    try {
      // Mid-run: the first session streams, and the live state lists the task with what was streamed so far.
      const state = await service.call('getLiveState', {});
      const streamed = (sessionId: string): AgentEvent[] =>
        events.flatMap((e) => (e.type === 'agent.event' && e.sessionId === sessionId ? [e.event] : []));
      const live = state.tasks.find((task) => task.id === taskId);
      expect(live?.status).toBe('running');
      // Who runs it, for a window to say where to stop it: the terminal's process, not this service's.
      expect(live?.runner).toEqual({ pid: cli.pid, host: 'cli' });
      expect(state.servicePid).toBe(process.pid);
      const running = live?.sessions.find((session) => session.status === 'running');
      expect(running, 'a running session in the live state').toBeDefined();
      const sessionId = running?.sessionId as string;
      expect(state.currentEvents[sessionId]?.length).toBeGreaterThan(0);
      expect(state.currentEvents[sessionId]).toEqual(streamed(sessionId));
      looked.open();

      const run = await cli.exited;
      expect(run.code, run.stderr).toBe(0);
      const fromCli = lastJsonLine<TaskJson>(run.stdout);
      expect(fromCli.id).toBe(taskId);
      expect(fromCli.sessions).toHaveLength(2);
      await until(() => events.some((e) => e.type === 'task.finished' && e.taskId === taskId), 'task.finished', 10_000);

      const ofTask = events.filter((e) => isTaskEvent(e) && e.taskId === taskId);
      // Republished from the event log: nothing here ran it.
      expect(ofTask.every(isFollowed)).toBe(true);
      const [first, second] = fromCli.sessions.map((session) => session.sessionId) as [string, string];
      expect(lifecycle(ofTask)).toEqual([
        'task.queued',
        'task.started',
        `iteration.started ${first} #1`,
        `iteration.finished ${first} completed`,
        `iteration.started ${second} #2`,
        `iteration.finished ${second} completed`,
        'task.finished completed',
      ]);
      const finishedIterations = ofTask.flatMap((e) => (e.type === 'iteration.finished' ? [e] : []));
      // Each carries the task's summary as it stands when published (the next iteration may have begun).
      expect(finishedIterations.map((e) => e.task.iterations >= e.session.iteration)).toEqual([true, true]);
      expect(finishedIterations.at(-1)?.task.totals).toEqual(fromCli.totals);
      expect(finishedIterations.map((e) => e.session.inputTokens)).toEqual(
        fromCli.sessions.map((session) => session.inputTokens),
      );
      const finished = ofTask.at(-1);
      expect(finished?.type === 'task.finished' && finished.task.totals.costUsd).toBe(fromCli.totals.costUsd);

      // Every stored event of each session, in order, each once: the stream the replay shows.
      for (const session of [first, second]) {
        const stored = (await service.call('getSessionEvents', { sessionId: session })).events;
        expect(stored.length).toBeGreaterThan(0);
        // The live stream is the run's as it was published, its text deltas too, which the replay drops once
        // the whole texts are stored.
        const whole = streamed(session).filter((e) => e.kind !== 'text_delta');
        expect(whole, `the stream of ${session}`).toEqual(stored.map((e) => agentEventSchema.parse(e)));
        expect(streamed(session).some((e) => e.kind === 'text')).toBe(true);
      }

      // Once it has ended, it is no longer live, and nothing more comes of it (the service's own transcript
      // import may still say it stored the run's usage).
      const after = await service.call('getLiveState', {});
      expect(after.tasks.map((task) => task.id)).not.toContain(taskId);
      const taskEvents = () => events.filter(isTaskEvent).length;
      const count = taskEvents();
      // A settings change from another process comes after all of the run in the log, which this service
      // follows in order: once it is here, so is anything more the log held about the task.
      expect((await runBaton(['settings', '--max-concurrent-tasks', '3'], env)).code).toBe(0);
      await until(() => events.some((e) => e.type === 'settings.changed'), 'the later settings change');
      expect(taskEvents()).toBe(count);
    } finally {
      looked.open();
      await service.close();
    }
  });

  it('stops a `baton run` in a terminal when asked to here, through the event log', async () => {
    // No answer comes until the test ends: the stop lands in iteration 1, however slow the machine.
    const never = gate();
    const { service, events, cli, taskId } = await terminalBesideService((ctx) => ({
      ...iterationScript(5, 'NEVER_SAID')(ctx),
      heldUntil: never.opened,
    }));
    try {
      // Answered once the terminal's process has stopped it and stored how it ended.
      expect(await service.call('stopTask', { taskId })).toEqual({ stopped: true });
      const run = await cli.exited;
      // The terminal says why its task stopped, and exits as for any task that did not complete.
      expect(run.stderr).toMatch(new RegExp(`stopping task ${taskId}, as Baton process ${process.pid} on \\S+ asked`));
      expect(run.code).toBe(1);
      const task = lastJsonLine<TaskJson>(run.stdout);
      expect(task).toMatchObject({ id: taskId, status: 'cancelled', iterations: 1 });
      expect(task.sessions.map((session) => session.status)).toEqual(['cancelled']);
      await until(() => events.some((e) => e.type === 'task.finished' && e.taskId === taskId), 'task.finished', 10_000);
      // Its iteration ends in the window too, as the terminal's process stored it.
      expect(lifecycle(events.filter((e) => isTaskEvent(e) && e.taskId === taskId))).toEqual([
        'task.queued',
        'task.started',
        `iteration.started ${task.sessions[0]?.sessionId} #1`,
        `iteration.finished ${task.sessions[0]?.sessionId} cancelled`,
        'task.finished cancelled',
      ]);
      expect((await service.call('getLiveState', {})).tasks).toEqual([]);
    } finally {
      never.open();
      await service.close();
    }
  });

  it('shows the tasks a batch keeps queued in another process, then runs, to their end', async () => {
    // The first task's answer waits until the test has seen the second queued behind it.
    const looked = gate();
    const { project, root, db, env } = await setUp((ctx) => ({
      ...iterationScript(1)(ctx),
      heldUntil: ctx.sessionOrdinal === 1 ? looked.opened : undefined,
    }));
    const service = await openBaton({ mode: 'browser', databaseFile: db, env: { ...process.env, ...env } });
    const events: BatonEvent[] = [];
    service.subscribe((event) => events.push(event));
    try {
      const batch = path.join(root, 'batch.json');
      writeFileSync(batch, JSON.stringify([{ prompt: 'first' }, { prompt: 'second' }]));
      const cli = startBaton(['run', '--batch', batch, '--dir', project, '--concurrency', '1', '--json'], env);

      // While the first runs, the second waits in the batch's queue, and the live state lists both.
      await until(
        () => events.some((e) => e.type === 'task.queued' && e.task.status === 'queued'),
        'a queued task from the batch',
      );
      const state = await service.call('getLiveState', {});
      expect(state.tasks.map((task) => task.status).sort()).toEqual(['queued', 'running']);
      looked.open();

      const run = await cli.exited;
      expect(run.code, run.stderr).toBe(0);
      const tasks = lastJsonLine<TaskJson[]>(run.stdout);
      expect(tasks).toHaveLength(2);
      await until(() => events.filter((e) => e.type === 'task.finished').length === 2, 'both task.finished', 10_000);
      const [queuedFirst, queuedSecond] = tasks as [TaskJson, TaskJson];
      expect(lifecycle(events.filter((e) => isTaskEvent(e) && e.taskId === queuedFirst.id))).toEqual([
        'task.queued',
        'task.started',
        `iteration.started ${queuedFirst.sessions[0]?.sessionId} #1`,
        `iteration.finished ${queuedFirst.sessions[0]?.sessionId} completed`,
        'task.finished completed',
      ]);
      expect(lifecycle(events.filter((e) => isTaskEvent(e) && e.taskId === queuedSecond.id))).toEqual([
        'task.queued',
        'task.started',
        `iteration.started ${queuedSecond.sessions[0]?.sessionId} #1`,
        `iteration.finished ${queuedSecond.sessions[0]?.sessionId} completed`,
        'task.finished completed',
      ]);
      const queued = events.find((e) => e.type === 'task.queued' && e.taskId === queuedSecond.id);
      expect(queued?.type === 'task.queued' && queued.task.status).toBe('queued');
      expect(events.filter(isTaskEvent).every(isFollowed)).toBe(true);
    } finally {
      looked.open();
      await service.close();
    }
  });
});
