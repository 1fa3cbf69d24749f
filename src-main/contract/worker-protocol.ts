/**
 * The messages between the desktop app's main process (the parent) and the
 * service worker, the process of its own where Baton's service runs. The
 * same messages travel over Electron's utilityProcess port and over Node's
 * child_process IPC channel. Each side validates every message it receives
 * with these schemas; a malformed one is logged and ignored.
 */
import { z } from 'zod';
import { callErrorSchema, type CallOutcome } from './api';
import { sequencedEventSchema } from './events';

/** Pairs a request with its reply; chosen by whichever side asks. */
const requestId = z.number().int().nonnegative();
const path = z.string().min(1).max(4096);

/** How the worker opens the service: the same weighing of --db, BATON_DB and the data directory as the CLI. */
export const workerOpenOptionsSchema = z.object({
  mode: z.enum(['desktop', 'browser']),
  /** Where the database lives unless BATON_DB (in the worker's environment) says otherwise. */
  dataDir: path.optional(),
  /** An explicit database file: wins over BATON_DB and the data directory. */
  databaseFile: path.optional(),
  /** better_sqlite3.node built for the worker's runtime. */
  nativeBinding: path.optional(),
  /** Whether the parent answers pickDirectory requests with a native dialog. */
  canPickDirectory: z.boolean(),
});
export type WorkerOpenOptions = z.infer<typeof workerOpenOptionsSchema>;

/** Parent → worker. */
export const parentMessageSchema = z.discriminatedUnion('type', [
  /** Sent once, first: open the service. Answered with `ready` or `openFailed`. */
  z.object({ type: z.literal('open'), options: workerOpenOptionsSchema }),
  /**
   * One contract call, as untrusted as the renderer sent it: the service's dispatch validates method and input.
   * Either may be missing: Node's JSON channel drops undefined values.
   */
  z.object({ type: z.literal('call'), id: requestId, method: z.unknown().optional(), input: z.unknown().optional() }),
  /** Stop every running task. Answered with `done`. */
  z.object({ type: z.literal('stopAll'), id: requestId }),
  /** Stop every running task, close the database and exit. Answered with `done`, then the worker exits. */
  z.object({ type: z.literal('close'), id: requestId }),
  /** The answer to the worker's `pickDirectory`: the chosen directory, or null when cancelled. */
  z.object({ type: z.literal('directoryPicked'), id: requestId, path: z.string().nullable() }),
]);
export type ParentMessage = z.infer<typeof parentMessageSchema>;

export const callOutcomeSchema = z.union([
  // A value of undefined arrives missing over Node's JSON channel; it is undefined again here.
  z
    .object({ ok: z.literal(true), value: z.unknown().optional() })
    .transform(({ value }) => ({ ok: true as const, value })),
  z.object({ ok: z.literal(false), error: callErrorSchema }),
]);

/** Worker → parent. */
export const workerMessageSchema = z.discriminatedUnion('type', [
  /** The service is open, on this database. */
  z.object({ type: z.literal('ready'), databaseFile: z.string() }),
  /** The service could not open; the worker exits after sending this. */
  z.object({ type: z.literal('openFailed'), message: z.string() }),
  /** The outcome of the `call` with this id. */
  z.object({ type: z.literal('result'), id: requestId, outcome: callOutcomeSchema }),
  /** `stopAll` or `close` with this id has finished; `error` when it failed. */
  z.object({ type: z.literal('done'), id: requestId, error: z.string().optional() }),
  /** One service event, as every subscriber sees it. */
  sequencedEventSchema.extend({ type: z.literal('event') }),
  /** Ask the parent for a directory; answered with `directoryPicked`. */
  z.object({ type: z.literal('pickDirectory'), id: requestId }),
]);
export type WorkerMessage = z.infer<typeof workerMessageSchema>;

// The result message carries exactly the contract's outcome.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _outcomeIsTheContracts: Same<z.output<typeof callOutcomeSchema>, CallOutcome> = true;
void _outcomeIsTheContracts;

/** The type and id of a message, as far as they can be read, for answering one that failed validation. */
export function headerOf(message: unknown): { type?: string; id?: number } {
  if (typeof message !== 'object' || message === null) return {};
  const { type, id } = message as { type?: unknown; id?: unknown };
  return {
    type: typeof type === 'string' ? type : undefined,
    id: typeof id === 'number' && Number.isInteger(id) ? id : undefined,
  };
}

/** A short account of why a message was refused, for the log line. */
export function describeMalformed(message: unknown, error: z.ZodError): string {
  const type =
    typeof message === 'object' && message !== null && 'type' in message ? String(message.type).slice(0, 40) : '?';
  const issue = error.issues[0];
  const where = issue && issue.path.length > 0 ? `${issue.path.map(String).join('.')}: ` : '';
  return `type ${type}: ${where}${issue?.message ?? 'invalid'}`;
}
