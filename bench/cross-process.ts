/**
 * A run in another process, as an open window's service sees it: `baton run` in a child process (the built
 * command, with the synthetic agent, whose text events carry the wall-clock time they were written), and a
 * browser-mode service here on the same database, which shows that run from the event log. Each sample is the
 * time from the agent writing an event to the service here publishing it to its windows: the agent's pipe,
 * the other process's parser, bus and recorder (its flush writes the log), and this process's tail. The
 * window's own share (WebSocket and render) is the live event-to-screen figure.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openBaton } from '../src-main/service/open-baton';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SYNTHETIC_AGENT = path.join(ROOT, 'bench', 'synthetic-claude.mjs');

export async function crossProcessLatency(eventsPerSecond: number, seconds: number): Promise<number[]> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'baton-cross-process-'));
  const buildDir = path.join(ROOT, 'out', `bench-cross-${process.pid}`);
  const db = path.join(dir, 'baton.db');
  const project = path.join(dir, 'project');
  mkdirSync(project);
  execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'build-cli.mjs'), '--outdir', buildDir], {
    stdio: 'ignore',
  });
  const env = { ...process.env, HOME: dir, CLAUDE_CONFIG_DIR: path.join(dir, 'claude'), CODEX_HOME: dir };
  const service = await openBaton({ mode: 'browser', databaseFile: db, env, watchTranscripts: false });
  const latencies: number[] = [];
  const unsubscribe = service.subscribe((event) => {
    if (event.type !== 'agent.event' || event.event.kind !== 'text') return;
    const written = /^tick (\d+) /.exec(event.event.text)?.[1];
    if (written) latencies.push(Date.now() - Number(written));
  });
  try {
    const child = spawn(
      process.execPath,
      [path.join(buildDir, 'baton.js'), 'run', '--dir', project, '--prompt', 'stream', '--max-iterations', '1'],
      {
        env: {
          ...env,
          BATON_DB: db,
          BATON_CLAUDE_BIN: SYNTHETIC_AGENT,
          SYNTHETIC_EVENTS_PER_SECOND: String(eventsPerSecond),
          SYNTHETIC_SECONDS: String(seconds),
        },
        stdio: 'ignore',
      },
    );
    await new Promise((resolve) => child.once('exit', resolve));
    // The last events: one flush and one read of the log later.
    await new Promise((resolve) => setTimeout(resolve, 500));
    return latencies;
  } finally {
    unsubscribe();
    await service.close();
    rmSync(dir, { recursive: true, force: true });
    rmSync(buildDir, { recursive: true, force: true });
  }
}
