/**
 * The worker thread of transcript-reader.ts: takes the next unread file from the shared counter, reads it,
 * and delivers it, until every file is taken. Built as its own file beside the command and the service.
 */
import { workerData } from 'node:worker_threads';
import { readFile } from './transcript-files';
import { encodeRead, type ReaderWorkerData } from './read-codec';

const { plans, shared, port } = workerData as ReaderWorkerData;
const counters = new Int32Array(shared);
for (let index = Atomics.add(counters, 0, 1); index < plans.length; index = Atomics.add(counters, 0, 1)) {
  const encoded = encodeRead(index, readFile(plans[index]!));
  port.postMessage(encoded, [encoded.numbers.buffer as ArrayBuffer]);
  Atomics.add(counters, 1, 1);
  Atomics.notify(counters, 1);
}
port.close();
