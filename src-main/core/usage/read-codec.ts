/**
 * A file's read as it crosses from the reader's worker thread: a few arrays, the numbers in one transferred
 * buffer. Cloning the maps of entries as they are cost more than reading the files.
 */
import type { MessagePort } from 'node:worker_threads';
import type { FilePlan, FileRead } from './transcript-files';
import type { UsageEntry } from './transcript-lines';

const NUMBERS_PER_ENTRY = 8;

/** A file's read as it crosses threads. */
export interface EncodedRead {
  index: number;
  readTo: number;
  head: string;
  lines: number;
  malformed: number;
  repeats: number;
  /** Per entry: its key among the finals, its own key (null for a keyless line), session, project and model. */
  strings: Array<string | null>;
  /** Per entry: at, the five token counts, the stated cost (NaN for none), flags (1 fast, 2 sidechain, 4 impossible). */
  numbers: Float64Array;
  /** Why the file could not be read; null when it was. */
  failure: string | null;
}

export function encodeRead(index: number, read: FileRead): EncodedRead {
  const strings: Array<string | null> = [];
  const numbers = new Float64Array(read.finals.size * NUMBERS_PER_ENTRY);
  let at = 0;
  for (const [key, entry] of read.finals) {
    const u = entry.usage;
    strings.push(key, entry.key, entry.sessionId, entry.project, entry.model);
    numbers[at++] = entry.at;
    numbers[at++] = u.inputTokens;
    numbers[at++] = u.outputTokens;
    numbers[at++] = u.cacheCreationTokens;
    numbers[at++] = u.cacheReadTokens;
    numbers[at++] = u.cacheWrite1hTokens;
    numbers[at++] = entry.costUsd ?? Number.NaN;
    numbers[at++] = (entry.speed === 'fast' ? 1 : 0) | (entry.sidechain ? 2 : 0) | (entry.impossible ? 4 : 0);
  }
  const { readTo, head, lines, malformed, repeats, failure } = read;
  return { index, readTo, head, lines, malformed, repeats, strings, numbers, failure };
}

export function decodeRead(plan: FilePlan, encoded: EncodedRead): FileRead {
  const finals = new Map<string, UsageEntry>();
  const { strings, numbers } = encoded;
  for (let i = 0, n = 0; i < strings.length; i += 5, n += NUMBERS_PER_ENTRY) {
    const flags = numbers[n + 7]!;
    const cost = numbers[n + 6]!;
    finals.set(strings[i]!, {
      key: strings[i + 1]!,
      at: numbers[n]!,
      sessionId: strings[i + 2]!,
      project: strings[i + 3]!,
      model: strings[i + 4]!,
      speed: flags & 1 ? 'fast' : 'standard',
      usage: {
        inputTokens: numbers[n + 1]!,
        outputTokens: numbers[n + 2]!,
        cacheCreationTokens: numbers[n + 3]!,
        cacheReadTokens: numbers[n + 4]!,
        cacheWrite1hTokens: numbers[n + 5]!,
      },
      costUsd: Number.isNaN(cost) ? null : cost,
      sidechain: (flags & 2) !== 0,
      ...(flags & 4 ? { impossible: true } : {}),
    });
  }
  const { readTo, head, lines, malformed, repeats, failure } = encoded;
  return { plan, finals, readTo, head, lines, malformed, repeats, failure };
}

/**
 * What the worker is started with: the plans, the counter of files taken (slot 0) and of files delivered
 * (slot 1), and the port it delivers on.
 */
export interface ReaderWorkerData {
  plans: FilePlan[];
  shared: SharedArrayBuffer;
  port: MessagePort;
}
