import { createStore, type StoreApi } from 'zustand/vanilla';
import type { BatonApi, ContextMode, ProjectView, TaskSpecInput, TaskSummary } from '../contract';
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
  maxIterations: '5',
  context: 'fresh',
  check: '',
};

/** Same rules as the contract's task spec, worded for the form; returns the spec or the errors. */
export function validateLaunch(
  values: LaunchValues,
): { spec: TaskSpecInput; errors: null } | { spec: null; errors: LaunchErrors } {
  const errors: LaunchErrors = {};
  const dir = values.dir.trim();
  const prompt = values.prompt.trim();
  if (!dir) errors.dir = 'A project directory is required';
  if (!prompt) errors.prompt = 'The prompt must not be empty';
  const maxText = values.maxIterations.trim();
  const max = Number(maxText);
  if (!/^\d+$/.test(maxText) || !Number.isInteger(max) || max < 1 || max > 1000) {
    errors.maxIterations = 'Max iterations must be a whole number from 1 to 1000';
  }
  if (values.context !== 'fresh' && values.context !== 'fork') errors.context = 'Context must be fresh or fork';
  if (Object.keys(errors).length > 0) return { spec: null, errors };

  const spec: TaskSpecInput = { dir, prompt, maxIterations: max, context: values.context };
  if (values.model.trim()) spec.model = values.model.trim();
  if (values.check.trim()) spec.check = values.check.trim();
  return { spec, errors: null };
}

/** Puts a server error next to the field it names ("dir: …", or a message about the directory), else on the form. */
export function placeServerError(message: string): LaunchErrors {
  const prefixed = /^([A-Za-z]+)(?:\.[^:]*)?:\s*(.+)$/s.exec(message);
  if (prefixed && (LAUNCH_FIELDS as readonly string[]).includes(prefixed[1]!)) {
    return { [prefixed[1] as LaunchField]: message };
  }
  if (/\bdir(ectory)?\b/i.test(message)) return { dir: message };
  return { form: message };
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
        const message = errorMessage(error);
        set({
          submitting: false,
          // Lost connections are about the form as a whole; anything else may name a field.
          errors:
            error instanceof BatonCallError && error.code !== 'unavailable'
              ? placeServerError(message)
              : { form: message },
        });
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
