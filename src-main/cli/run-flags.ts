/**
 * The flags of `baton run`, and batch files, whose entries are shaped like
 * those flags. Both become the same task spec.
 */
import { readFileSync, statSync } from 'node:fs';
import { z } from 'zod';
import type { TaskSpecInput } from '../contract/task-spec';

export interface RunFlags {
  dir?: string;
  prompt?: string;
  title?: string;
  maxIterations?: number;
  check?: string;
  checkTimeout?: number;
  context?: string;
  model?: string;
  permissionMode?: string;
  maxTurns?: number;
  timeout?: number;
  idleTimeout?: number;
  maxRetries?: number;
  budgetUsd?: number;
  maxTokens?: number;
}

export function specFromFlags(flags: RunFlags): TaskSpecInput {
  return {
    dir: flags.dir,
    prompt: flags.prompt,
    title: flags.title,
    maxIterations: flags.maxIterations,
    context: flags.context,
    check: flags.check,
    checkTimeoutSeconds: flags.checkTimeout,
    model: flags.model,
    permissionMode: flags.permissionMode,
    maxTurns: flags.maxTurns,
    timeoutSeconds: flags.timeout,
    idleTimeoutSeconds: flags.idleTimeout,
    maxRetries: flags.maxRetries,
    budgetUsd: flags.budgetUsd,
    maxTokens: flags.maxTokens,
  } as TaskSpecInput;
}

const MAX_BATCH_FILE_BYTES = 10 * 1024 * 1024;
const MAX_BATCH_TASKS = 1000;

const text = z.string();
const number = z.number();
/** Unknown keys are refused: a misspelt option must not be silently ignored. */
const batchEntrySchema = z
  .object({
    dir: text,
    prompt: text,
    title: text.optional(),
    maxIterations: number.optional(),
    check: text.optional(),
    checkTimeout: number.optional(),
    context: text.optional(),
    model: text.optional(),
    permissionMode: text.optional(),
    maxTurns: number.optional(),
    timeout: number.optional(),
    idleTimeout: number.optional(),
    maxRetries: number.optional(),
    budgetUsd: number.optional(),
    maxTokens: number.optional(),
  })
  .strict();

export class BatchFileError extends Error {
  override readonly name = 'BatchFileError';
}

/** Reads a batch file: a JSON array of task entries. Specs are validated by the caller. */
export function readBatchFile(file: string): TaskSpecInput[] {
  let raw: string;
  try {
    if (statSync(file).size > MAX_BATCH_FILE_BYTES) {
      throw new BatchFileError(`batch file ${file} is over ${MAX_BATCH_FILE_BYTES} bytes`);
    }
    raw = readFileSync(file, 'utf8');
  } catch (error) {
    if (error instanceof BatchFileError) throw error;
    throw new BatchFileError(`cannot read batch file ${file}: ${(error as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (error) {
    throw new BatchFileError(`batch file ${file} is not valid JSON: ${(error as Error).message}`);
  }
  if (!Array.isArray(value)) throw new BatchFileError(`batch file ${file} must hold a JSON array of tasks`);
  if (value.length === 0) throw new BatchFileError(`batch file ${file} holds no tasks`);
  if (value.length > MAX_BATCH_TASKS)
    throw new BatchFileError(`batch file ${file} holds more than ${MAX_BATCH_TASKS} tasks`);
  return value.map((entry, index) => {
    const parsed = batchEntrySchema.safeParse(entry);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
      throw new BatchFileError(`batch file ${file}, task ${index + 1}: ${where}${issue?.message ?? 'invalid'}`);
    }
    return specFromFlags(parsed.data);
  });
}
