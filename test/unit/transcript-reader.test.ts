/**
 * Reading an import's files on two threads gives what reading them on one does, file for file and entry for
 * entry, and a worker that fails part-way changes nothing but the time taken. The worker is built here from
 * its source, as scripts/build-cli.mjs builds it beside the command.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FilePlan, type FileRead, plansFor, readFile } from '../../src-main/core/usage/transcript-files';
import { decodeRead, encodeRead } from '../../src-main/core/usage/read-codec';
import { readInOrder } from '../../src-main/core/usage/transcript-reader';
import { walkTranscripts } from '../../src-main/core/usage/transcript-walk';
import { SMALL_CORPUS, TranscriptCorpus } from '../support/transcript-corpus';

let root: string;
let workerFile: string;
let plans: FilePlan[];

beforeAll(async () => {
  root = mkdtempSync(path.join(os.tmpdir(), 'baton-reader-'));
  workerFile = path.join(root, 'transcript-reader-worker.cjs');
  await build({
    entryPoints: [path.resolve('src-main/core/usage/transcript-reader-worker.ts')],
    outfile: workerFile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    logLevel: 'warning',
  });
  const corpus = TranscriptCorpus.write(path.join(root, 'claude'), SMALL_CORPUS);
  plans = walkTranscripts(path.join(corpus.root, 'projects'), (name) => name.endsWith('.jsonl')).files.map(
    (file) => plansFor(file.path, 'claude', file.size, file.mtimeMs, undefined)[0]!,
  );
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A read as plain data, to compare: its figures, and its entries in order. */
const plain = (read: FileRead) => ({ ...read, plan: read.plan.file, finals: [...read.finals.entries()] });

async function readAll(options: Parameters<typeof readInOrder>[2]) {
  const reads: unknown[] = [];
  const outcome = await readInOrder(plans, (plan, read) => void reads.push([plan.file, plain(read)]), options);
  return { reads, ...outcome };
}

describe('the transcript reader', () => {
  it('carries a read across threads unchanged', () => {
    expect(plans.length).toBeGreaterThan(40);
    for (const plan of plans) {
      const read = readFile(plan);
      expect(plain(decodeRead(plan, structuredClone(encodeRead(0, read))))).toEqual(plain(read));
    }
  });

  it('hands over every file in order, the same with a worker thread as without', async () => {
    const alone = await readAll({});
    expect(alone.readByWorker).toBe(0);
    expect(alone.reads.map((read) => (read as [string])[0])).toEqual(plans.map((plan) => plan.file));
    const byWorker = await readAll({ workerFile, workerMinBytes: 0, readHere: false });
    expect(byWorker.readByWorker).toBe(plans.length);
    expect(byWorker.reads).toEqual(alone.reads);
    const shared = await readAll({ workerFile, workerMinBytes: 0 });
    expect(shared.reads).toEqual(alone.reads);
  });

  it('reads on alone, and the same, when the worker fails part-way or cannot start', async () => {
    const alone = await readAll({});
    // Takes a file, then dies before delivering it.
    const crashing = path.join(root, 'crashing-worker.cjs');
    writeFileSync(
      crashing,
      `const { workerData } = require('node:worker_threads');
       Atomics.add(new Int32Array(workerData.shared), 0, 1);
       throw new Error('the reader failed');`,
    );
    const afterCrash = await readAll({ workerFile: crashing, workerMinBytes: 0, readHere: false });
    expect(afterCrash.readByWorker).toBe(0);
    expect(afterCrash.reads).toEqual(alone.reads);
    const missing = await readAll({
      workerFile: path.join(root, 'no-such-worker.cjs'),
      workerMinBytes: 0,
      readHere: false,
    });
    expect(missing.reads).toEqual(alone.reads);
  });
});
