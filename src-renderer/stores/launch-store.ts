import { createStore, type StoreApi } from 'zustand/vanilla';
import {
  DEFAULT_MAX_ITERATIONS,
  inputIssuesOf,
  taskSpecSchema,
  type BatonApi,
  type ContextMode,
  type InputIssue,
  type ProjectView,
  type TaskSpecInput,
  type TaskSummary,
} from '../contract';
import { BatonCallError, errorMessage } from '../errors';

export const LAUNCH_FIELDS = ['dir', 'prompt', 'model', 'maxIterations', 'context', 'check'] as const;
export type LaunchField = (typeof LAUNCH_FIELDS)[number];

export interface LaunchValues {
  dir: string;
  prompt: string;
  model: string;
  /** Kept as typed, so "abc" can be shown as an error rather than silently turned into NaN. */
  maxIterations: string;
  context: ContextMode;
  check: string;
}

/** Errors by field; `form` holds what belongs to no single field. */
export type LaunchErrors = Partial<Record<LaunchField | 'form', string>>;

export const RECENT_DIRS_KEY = 'baton.recentProjects';
const MAX_RECENT_DIRS = 10;

export const DEFAULT_VALUES: LaunchValues = {
  dir: '',
  prompt: '',
  model: '',
  maxIterations: String(DEFAULT_MAX_ITERATIONS),
  context: 'fresh',
  check: '',
};

/** The contract's messages are lower-case phrases ("the prompt must not be empty"); the form shows sentences. */
const sentence = (message: string): string => message.charAt(0).toUpperCase() + message.slice(1);

const isLaunchField = (key: unknown): key is LaunchField => (LAUNCH_FIELDS as readonly unknown[]).includes(key);

/**
 * Puts each issue on the field its path starts with, or on `form` when that is
 * no field of this form (or the issue is about the whole spec). A field shows
 * its first issue only.
 */
export function placeIssues(issues: readonly InputIssue[]): LaunchErrors {
  const errors: LaunchErrors = {};
  for (const issue of issues) {
    const key = isLaunchField(issue.path[0]) ? issue.path[0] : 'form';
    errors[key] ??= sentence(issue.message);
  }
  return errors;
}

/** Optional text: blank means "not given", so the schema's default (or nothing) applies. */
const optionalText = (text: string): string | undefined => (text.trim() === '' ? undefined : text);

/** A typed number: blank means "not given"; anything that is not a number becomes NaN, which the schema rejects. */
const typedNumber = (text: string): number | undefined => (text.trim() === '' ? undefined : Number(text.trim()));

/**
 * Checks the form with the contract's own task-spec schema, the one main
 * checks again, and returns the spec to send (trimmed, blank fields left out
 * so the server's defaults apply) or the schema's messages by field.
 */
export function validateLaunch(
  values: LaunchValues,
): { spec: TaskSpecInput; errors: null } | { spec: null; errors: LaunchErrors } {
  const input = {
    dir: values.dir,
    prompt: values.prompt,
    model: optionalText(values.model),
    maxIterations: typedNumber(values.maxIterations),
    context: values.context,
    check: optionalText(values.check),
  } satisfies Record<LaunchField, unknown>;
  const parsed = taskSpecSchema.safeParse(input);
  if (!parsed.success) return { spec: null, errors: placeIssues(inputIssuesOf(parsed.error)) };

  // Only what the form gave, as the schema cleaned it; the defaults of fields it left out are the server's to fill.
  const spec: TaskSpecInput = { dir: parsed.data.dir, prompt: parsed.data.prompt, context: parsed.data.context };
  if (input.maxIterations !== undefined) spec.maxIterations = parsed.data.maxIterations;
  if (parsed.data.model !== undefined) spec.model = parsed.data.model;
  if (parsed.data.check !== undefined) spec.check = parsed.data.check;
  return { spec, errors: null };
}

/** Where a failed launch's error goes: the server's issues on their fields, else its message on the form. */
export function launchErrors(error: unknown): LaunchErrors {
  // Without issues (a lost connection, a failure not about one field) the message is about the form as a whole.
  if (error instanceof BatonCallError && error.issues.length > 0) return placeIssues(error.issues);
  return { form: errorMessage(error) };
}

export interface LaunchState {
  values: LaunchValues;
  errors: LaunchErrors;
  submitting: boolean;
  lastLaunched: TaskSummary | null;
  projects: ProjectView[];
  recentDirs: string[];
  setField<K extends keyof LaunchValues>(field: K, value: LaunchValues[K]): void;
  /** Validates, then launches; returns the queued task, or null when nothing was launched. */
  submit(): Promise<TaskSummary | null>;
  loadProjects(): Promise<void>;
  pickDirectory(): Promise<void>;
}

export type LaunchStore = StoreApi<LaunchState>;

type StorageLike = Pick<Storage, 'getItem' | 'setItem'>;

function readRecent(storage: StorageLike | null): string[] {
  try {
    const parsed: unknown = JSON.parse(storage?.getItem(RECENT_DIRS_KEY) ?? '[]');
    return Array.isArray(parsed) ? parsed.filter((d): d is string => typeof d === 'string') : [];
  } catch {
    return [];
  }
}

export function createLaunchStore(
  client: Pick<BatonApi, 'launchTask' | 'listProjects' | 'pickDirectory'>,
  storage: StorageLike | null = typeof localStorage === 'undefined' ? null : localStorage,
): LaunchStore {
  const recentDirs = readRecent(storage);
  return createStore<LaunchState>()((set, get) => ({
    values: { ...DEFAULT_VALUES, dir: recentDirs[0] ?? '' },
    errors: {},
    submitting: false,
    lastLaunched: null,
    projects: [],
    recentDirs,

    setField(field, value) {
      const errors = { ...get().errors };
      // Editing a field clears its error and any server error, which may no longer apply.
      delete errors[field];
      delete errors.form;
      set({ values: { ...get().values, [field]: value }, errors });
    },

    async submit() {
      if (get().submitting) return null;
      const checked = validateLaunch(get().values);
      if (!checked.spec) {
        set({ errors: checked.errors });
        return null;
      }
      set({ submitting: true, errors: {} });
      try {
        const task = await client.launchTask(checked.spec);
        const dirs = [checked.spec.dir, ...get().recentDirs.filter((d) => d !== checked.spec.dir)].slice(
          0,
          MAX_RECENT_DIRS,
        );
        try {
          storage?.setItem(RECENT_DIRS_KEY, JSON.stringify(dirs));
        } catch {
          // Storage can be full or disabled; remembering directories is optional.
        }
        set({
          submitting: false,
          lastLaunched: task,
          recentDirs: dirs,
          values: { ...get().values, prompt: '' },
        });
        return task;
      } catch (error) {
        set({ submitting: false, errors: launchErrors(error) });
        return null;
      }
    },

    async loadProjects() {
      try {
        set({ projects: await client.listProjects({}) });
      } catch {
        // Suggestions only; the field still takes any path.
      }
    },

    async pickDirectory() {
      try {
        const { path } = await client.pickDirectory({});
        if (path) get().setField('dir', path);
      } catch (error) {
        set({ errors: { ...get().errors, dir: errorMessage(error) } });
      }
    },
  }));
}

/** Directories to suggest: those launched from here first, then the server's projects by last use. */
export function suggestedDirs(state: Pick<LaunchState, 'recentDirs' | 'projects'>): string[] {
  const byUse = [...state.projects].sort((a, b) => b.lastUsedAt - a.lastUsedAt).map((p) => p.workingDir);
  return [...new Set([...state.recentDirs, ...byUse])];
}
