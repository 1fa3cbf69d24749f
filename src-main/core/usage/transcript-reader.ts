/**
 * Reading an import's files on both cores: this thread and one worker thread take the next unread file from a
 * shared counter, and the files come back in their order, so the import writes them as if read one by one.
 *
 * - Parsing is most of a first import's work, and the writes are this thread's: the worker's files are parsed
 *   while this thread writes, and this thread reads a file itself whenever it would otherwise wait.
 * - A file's read crosses threads in read-codec.ts's form.
 * - Without the built worker file (the sources run by tsx or vitest), or for little to read, or if the
 *   worker fails, this thread reads everything: the worker only makes it faster, never different.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from 'node:worker_threads';
import { decodeRead, type EncodedRead, type ReaderWorkerData } from './read-codec';
import { type FilePlan, type FileRead, readFile } from './transcript-files';

/** The worker's file, built beside the code that starts it (out/cli, out/main), if it was built. */
export function readerWorkerFile(): string | undefined {
  for (const name of ['transcript-reader-worker.cjs', 'transcript-reader-worker.js']) {
    const file = fileURLToPath(new URL(`./${name}`, import.meta.url));
    if (existsSync(file)) return file;
  }
  return undefined;
}

/** Node 20 has it; TypeScript's ES2023 library does not declare it. */
const waitAsync = (
  Atomics as unknown as {
    waitAsync(array: Int32Array, index: number, value: number, timeoutMs: number): { async: boolean; value: unknown };
  }
).waitAsync;

/** Below this much to read, starting a thread costs more than it saves. */
const WORKER_MIN_BYTES = 8 * 1024 * 1024;
export interface ReadOptions {
  /** The worker's file; none reads on this thread alone. */
  workerFile?: string;
  /** Below this many bytes to read, this thread reads alone (tests lower it). */
  workerMinBytes?: number;
  /** False leaves every file to the worker while it lives: the tests', to see what the worker read. */
  readHere?: boolean;
}

/**
 * Reads every plan, handing each read (with its failure where it could not be read) to `onRead` in the plans'
 * order. `onRead` runs on this thread between reads, so it may write to the store.
 */
export async function readInOrder(
  plans: readonly FilePlan[],
  onRead: (plan: FilePlan, read: FileRead) => void | Promise<void>,
  options: ReadOptions = {},
): Promise<{ readByWorker: number }> {
  let readByWorker = 0;
  const bytes = plans.reduce((sum, plan) => sum + (plan.size - plan.from), 0);
  const shared = new SharedArrayBuffer(8);
  const counters = new Int32Array(shared);
  const done = new Map<number, FileRead>();
  const claim = () => Atomics.add(counters, 0, 1);

  let worker: Worker | undefined;
  let workerAlive = false;
  // Polled between files rather than delivered on the event loop, so a file the worker has read is written as
  // soon as its turn comes, while this thread is busy reading.
  let port: MessagePort | undefined;
  const takeDelivered = () => {
    for (let message = port && receiveMessageOnPort(port); message; message = receiveMessageOnPort(port!)) {
      const encoded = message.message as EncodedRead;
      readByWorker++;
      done.set(encoded.index, decodeRead(plans[encoded.index]!, encoded));
    }
  };
  if (options.workerFile && bytes >= (options.workerMinBytes ?? WORKER_MIN_BYTES) && plans.length > 1) {
    const channel = new MessageChannel();
    try {
      worker = new Worker(options.workerFile, {
        workerData: { plans: [...plans], shared, port: channel.port2 } satisfies ReaderWorkerData,
        transferList: [channel.port2],
      });
      port = channel.port1;
      workerAlive = true;
      const gone = () => {
        workerAlive = false;
      };
      worker.on('error', gone);
      worker.on('exit', gone);
    } catch {
      worker = undefined;
      channel.port1.close();
    }
  }

  try {
    for (let next = 0; next < plans.length;) {
      takeDelivered();
      if (done.has(next)) {
        const read = done.get(next)!;
        done.delete(next);
        await onRead(plans[next]!, read);
        next++;
        continue;
      }
      const mine = workerAlive && options.readHere === false ? plans.length : claim();
      if (mine < plans.length) {
        done.set(mine, readFile(plans[mine]!));
        continue;
      }
      // Every file is taken and the next one is the worker's: wait for its delivery, or read it here if the
      // worker is gone (whatever it had taken and not delivered is read again).
      if (!workerAlive) {
        done.set(next, readFile(plans[next]!));
        continue;
      }
      const delivered = Atomics.load(counters, 1);
      takeDelivered();
      if (done.has(next)) continue;
      const wait = waitAsync(counters, 1, delivered, 50);
      if (wait.async) await wait.value;
      // The worker's exit, if it failed, is told on the event loop.
      await new Promise((resolve) => setImmediate(resolve));
    }
  } finally {
    port?.close();
    if (worker) await worker.terminate().catch(() => undefined);
  }
  return { readByWorker };
}
