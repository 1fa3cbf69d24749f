/**
 * `baton run`'s task flags and batch-file entries, both derived from the
 * spec's one mapping (TASK_SPEC_OPTIONS): a flag is the spec field's
 * `flag`, a batch key its camelCase form, and both become the same spec.
 */
import { readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Option } from 'commander';
import {
  batchEntrySchema,
  optionKey,
  type SpecOptionKind,
  specFromOptions,
  TASK_SPEC_OPTIONS,
  type TaskSpecInput,
} from '../contract/task-spec';

/** Whole numbers only; anything else becomes NaN and is rejected by the spec's schema with its own message. */
export function wholeNumber(value: string): number {
  return /^[+-]?\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
}

/** Decimal amounts such as 0.50; anything else becomes NaN and is rejected by the schema. */
export function amount(value: string): number {
  return /^\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : Number.NaN;
}

const PARSERS: Record<SpecOptionKind, ((value: string) => number) | undefined> = {
  text: undefined,
  whole: wholeNumber,
  amount,
  // A `<value...>` option: commander gathers its values into an array itself, which a parser would replace.
  list: undefined,
  switch: undefined,
};

/** One commander option per spec field, in the mapping's order. */
export function taskSpecOptions(): Option[] {
  return Object.values(TASK_SPEC_OPTIONS).map((spec) => {
    const option = new Option(
      spec.kind === 'switch' ? `--${spec.flag}` : `--${spec.flag} <${spec.value}>`,
      spec.description,
    );
    const parse = PARSERS[spec.kind];
    return parse ? option.argParser(parse) : option;
  });
}

/**
 * A directory as the user meant it: `~` is their home (a shell leaves
 * `--dir=~/x` alone), and a relative path is relative to `base`. The service
 * takes only absolute paths, so this is the one place they are resolved.
 */
export function resolveDir(dir: unknown, base: string): unknown {
  if (typeof dir !== 'string' || dir.trim() === '') return dir;
  const given = dir.trim();
  const home = given === '~' || given.startsWith('~/') ? path.join(os.homedir(), given.slice(1)) : given;
  return path.resolve(base, home);
}

/** The spec the task flags describe, directory resolved against the shell's; with --batch, the defaults of every entry. */
export function specFromFlags(options: Record<string, unknown>): Partial<TaskSpecInput> {
  const spec = specFromOptions(options);
  if (spec.dir !== undefined) spec.dir = resolveDir(spec.dir, process.cwd());
  return spec as Partial<TaskSpecInput>;
}

/** The flag that sets a spec field, for messages: `checkTimeoutSeconds` → `--check-timeout`. */
export function flagOf(field: string | number | undefined): string | undefined {
  const option = (TASK_SPEC_OPTIONS as Record<string, { flag: string } | undefined>)[String(field)];
  return option ? `--${option.flag}` : undefined;
}

/** The batch-file key of a spec field: `checkTimeoutSeconds` → `checkTimeout`. */
export function batchKeyOf(field: string | number | undefined): string | undefined {
  const option = (TASK_SPEC_OPTIONS as Record<string, { flag: string } | undefined>)[String(field)];
  return option ? optionKey(option.flag) : undefined;
}

const MAX_BATCH_FILE_BYTES = 10 * 1024 * 1024;
const MAX_BATCH_TASKS = 1000;

export class BatchFileError extends Error {
  override readonly name = 'BatchFileError';
}

/** Reads a batch file: a JSON array of entries, each laid over the defaults. Specs are validated by the caller. */
export function readBatchFile(file: string, defaults: Partial<TaskSpecInput> = {}): TaskSpecInput[] {
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
    // An entry's relative directory is relative to the batch file, wherever Baton was started from.
    const spec = specFromOptions(parsed.data);
    if (spec.dir !== undefined) spec.dir = resolveDir(spec.dir, path.dirname(path.resolve(file)));
    return { ...defaults, ...spec } as TaskSpecInput;
  });
}
