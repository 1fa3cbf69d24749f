/** A fresh store holding one task with one session, for tests of what the event recorder stores for it. */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import { taskSpecSchema } from '../../src-main/contract/task-spec';
import { openTaskStore } from '../../src-main/core/baton-core';

export interface RecordedSession {
  dataSource: DataSource;
  taskId: string;
  close(): Promise<void>;
}

export async function openRecordedSession(sessionId: string): Promise<RecordedSession> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'baton-recorder-'));
  const opened = await openTaskStore(path.join(dir, 'baton.db'));
  const spec = taskSpecSchema.parse({ dir, prompt: 'p' });
  const taskId = (await opened.store.createTask({ spec, title: 't', agent: 'a', ownerPid: process.pid })).id;
  await opened.store.startSession({ sessionId, taskId, iteration: 1, model: null, ownerPid: process.pid });
  return {
    dataSource: opened.dataSource,
    taskId,
    close: async () => {
      await opened.dataSource.destroy();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
