/** A store and an empty Claude transcript folder (one project, `-work-app`), for the import's tests. */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type BatonCore, openBatonCore } from '../../src-main/core/baton-core';
import type { TranscriptDirectory } from '../../src-main/core/usage/transcript-import';
import { ScriptedAgent, success } from './scripted-agent';

export interface ImportFixture {
  root: string;
  core: BatonCore;
  claude: TranscriptDirectory;
  /** The project's folder of transcripts. */
  project: string;
  close(): Promise<void>;
}

export async function importFixture(name: string): Promise<ImportFixture> {
  const root = mkdtempSync(path.join(os.tmpdir(), `baton-${name}-`));
  const claude: TranscriptDirectory = { agent: 'claude', path: path.join(root, 'claude') };
  const project = path.join(claude.path, 'projects', '-work-app');
  mkdirSync(project, { recursive: true });
  const core = await openBatonCore({
    databaseFile: path.join(root, 'baton.db'),
    agent: new ScriptedAgent(() => success('done', 500)),
    retry: { baseDelayMs: 0, maxDelayMs: 0 },
  });
  return {
    root,
    core,
    claude,
    project,
    close: async () => {
      await core.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}
