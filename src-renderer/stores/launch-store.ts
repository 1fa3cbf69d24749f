import { zodResolver } from '@hookform/resolvers/zod';
import { createFormControl, type Resolver, type UseFormReturn } from 'react-hook-form';
import { createStore, type StoreApi } from 'zustand/vanilla';
import { agentOfModel, MODELS_BY_AGENT } from '../agents';
import {
  AGENT_CAPABILITIES,
  taskDefaultsSchema,
  type BatonApi,
  type PermissionMode,
  type ProjectView,
  type Spending,
  type TaskDefaults,
  type TaskSpec,
  type TaskSummary,
} from '../contract';
import { errorMessage } from '../errors';
import {
  AGENT_DEFAULT_FIELDS,
  worktreeChoice,
  type DirectoryCheck,
  agentDefaults,
  budgetReached,
  carriedFrom,
  DEFAULT_PERMISSION_MODE,
  DEFAULT_VALUES,
  directoryProblem,
  isEssential,
  isPermissionMode,
  launchErrors,
  launchFormSchema,
  valuesFromSpec,
  type CarriedSpec,
  type LaunchValues,
} from './launch-values';

/** Claude Code's models, offered in the settings' default-model picker; any other name can be typed. */
export const KNOWN_MODELS = MODELS_BY_AGENT.claude;

export const RECENT_DIRS_KEY = 'baton.recentProjects';
/** The permission mode last launched with, by project directory. */
export const PERMISSION_MODES_KEY = 'baton.permissionModes';
/** Whether the launch form's less-used fields are unfolded. */
export const MORE_OPTIONS_KEY = 'baton.launchMoreOptions';
const MAX_RECENT_DIRS = 10;
const MAX_REMEMBERED_MODES = 100;

/** The form's state (values, errors, which fields the user set), outside React so a draft outlives the form. */
export type LaunchFormControl = Omit<UseFormReturn<LaunchValues, unknown, TaskSpec>, 'formState'>;

export interface LaunchState {
  form: LaunchFormControl;
  submitting: boolean;
  /** The task just launched, for the status line: until its card is shown, or the form is edited. */
  lastLaunched: TaskSummary | null;
  /** The task just launched, until the page has scrolled to its card. */
  scrollTarget: string | null;
  projects: ProjectView[];
  recentDirs: string[];
  /** The settings' defaults for new tasks, by agent, once loaded. */
  defaults: TaskDefaults;
  /** Spec fields kept from the task a "Run again" copied. */
  carried: CarriedSpec;
  /** The title of the task the form was prefilled from. */
  copiedFrom: string | null;
  spending: Spending | null;
  /** The "New task" disclosure: null follows the page (open while nothing runs). */
  formOpen: boolean | null;
  /** Whether the fields past the essentials show; remembered. */
  moreOpen: boolean;
  /** The last directory asked about for the worktree choice, and what came back. */
  directory: DirectoryCheck | null;
  /** Shows the directory's problem (`~`, a relative path) on its field, as the user leaves it. */
  checkDirectory(): void;
  /**
   * Asks the service whether the directory typed is a git repository with commits: the worktree
   * choice turns on (unless the user set it) where it is, and off where it is not. Once per
   * directory: asking about the one already answered for does nothing.
   */
  inspectDirectory(): Promise<void>;
  /** Validates, then launches; returns the queued task, or null when nothing was launched. */
  submit(): Promise<TaskSummary | null>;
  loadProjects(): Promise<void>;
  /** Takes the settings' task defaults; the fields the user has not set follow them. */
  loadDefaults(): Promise<void>;
  loadSpending(): Promise<void>;
  pickDirectory(): Promise<void>;
  /** Fills the form from a task's spec ("Run again with these settings") and opens it. */
  prefill(spec: TaskSpec, title?: string): void;
  clearCarried(): void;
  setFormOpen(open: boolean | null): void;
  setMoreOpen(open: boolean): void;
  /** The status line and the scroll are done with: the task's card is shown, or the user moved on. */
  launchSeen(): void;
}

export type LaunchStore = StoreApi<LaunchState>;

type StorageLike = Pick<Storage, 'getItem' | 'setItem'>;

function readJson(storage: StorageLike | null, key: string): unknown {
  try {
    return JSON.parse(storage?.getItem(key) ?? 'null');
  } catch {
    return null;
  }
}

function writeJson(storage: StorageLike | null, key: string, value: unknown): void {
  try {
    storage?.setItem(key, JSON.stringify(value));
  } catch {
    // Storage can be full or disabled; remembering is optional.
  }
}

function readRecent(storage: StorageLike | null): string[] {
  const parsed = readJson(storage, RECENT_DIRS_KEY);
  return Array.isArray(parsed) ? parsed.filter((d): d is string => typeof d === 'string') : [];
}

const dirKey = (dir: string) => dir.trim().replace(/(.)[\\/]+$/, '$1');

/** The permission mode last launched in `dir`, if any. */
export function rememberedPermissionMode(storage: StorageLike | null, dir: string): PermissionMode | null {
  const parsed = readJson(storage, PERMISSION_MODES_KEY);
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return null;
  const mode = (parsed as Record<string, unknown>)[dirKey(dir)];
  return isPermissionMode(mode) ? mode : null;
}

export function rememberPermissionMode(storage: StorageLike | null, dir: string, mode: PermissionMode): void {
  const parsed = readJson(storage, PERMISSION_MODES_KEY);
  const modes: Record<string, unknown> =
    parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? { ...(parsed as Record<string, unknown>) } : {};
  const key = dirKey(dir);
  delete modes[key];
  // Newest last; the oldest go first once there are too many.
  const entries = [...Object.entries(modes), [key, mode] as const].slice(-MAX_REMEMBERED_MODES);
  writeJson(storage, PERMISSION_MODES_KEY, Object.fromEntries(entries));
}

// The schema's input has the defaulted fields optional; the form always holds every one.
const schemaResolver = zodResolver(launchFormSchema) as unknown as Resolver<LaunchValues, unknown, TaskSpec>;

/**
 * How the form checks its values: the schema, shown only the fields the chosen agent heeds, so a hidden field
 * neither blocks nor is sent. useForm takes these again: it replaces the options of the control it is given.
 */
export const LAUNCH_FORM_OPTIONS = {
  resolver: ((values, context, options) => {
    const hidden = Object.fromEntries(AGENT_CAPABILITIES[values.agent].ignores.map((f) => [f, DEFAULT_VALUES[f]]));
    return schemaResolver({ ...values, ...hidden }, context, options);
  }) satisfies Resolver<LaunchValues, unknown, TaskSpec>,
};

export function createLaunchStore(
  client: Pick<BatonApi, 'launchTask' | 'listProjects' | 'pickDirectory'> &
    Partial<Pick<BatonApi, 'getSettings' | 'getSpending' | 'getDirectoryInfo'>>,
  storage: StorageLike | null = typeof localStorage === 'undefined' ? null : localStorage,
): LaunchStore {
  const recentDirs = readRecent(storage);
  const firstDir = recentDirs[0] ?? '';
  const remembered = (dir: string) => (dir.trim() ? rememberedPermissionMode(storage, dir) : null);
  const form: LaunchFormControl = createFormControl<LaunchValues, unknown, TaskSpec>({
    ...LAUNCH_FORM_OPTIONS,
    defaultValues: { ...DEFAULT_VALUES, dir: firstDir, ...agentDefaults({}, 'claude', remembered(firstDir)) },
  });

  return createStore<LaunchState>()((set, get) => {
    /** The directory check under way, which a launch waits for rather than asking again. */
    let inspecting: { dir: string; done: Promise<void> } | null = null;

    /** The directory of a copied task, whose worktree choice stands as the copy made it. */
    let copiedWorktreeOf: string | null = null;
    /** The agent and directory the fields were last fitted to. */
    let fitted = { agent: form.getValues('agent'), dir: form.getValues('dir') };
    /**
     * Fits the fields the user has not set to the agent and directory: the agent's defaults, the directory's
     * last permission mode. A model of another agent's goes too, whoever set it: this agent would refuse it.
     */
    const fit = () => {
      const { agent, dir, model } = form.getValues();
      fitted = { agent, dir };
      const fitting = agentDefaults(get().defaults, agent, remembered(dir));
      const modelOf = agentOfModel(model);
      for (const field of AGENT_DEFAULT_FIELDS) {
        const foreign = field === 'model' && modelOf !== null && modelOf !== agent;
        if (foreign || !form.getFieldState(field).isDirty) form.setValue(field, fitting[field]);
      }
    };
    // Tracking dirtyFields makes the form keep them, which fitting reads.
    form.subscribe({
      formState: { values: true, dirtyFields: true },
      callback: ({ values }) => {
        if (values.agent !== fitted.agent || values.dir !== fitted.dir) fit();
      },
    });

    return {
      form,
      submitting: false,
      lastLaunched: null,
      scrollTarget: null,
      projects: [],
      recentDirs,
      defaults: {},
      carried: {},
      copiedFrom: null,
      spending: null,
      formOpen: null,
      moreOpen: readJson(storage, MORE_OPTIONS_KEY) === true,
      directory: null,

      checkDirectory() {
        if (form.getValues('dir').trim() !== '') void form.trigger('dir');
      },

      inspectDirectory() {
        const dir = form.getValues('dir').trim();
        if (dir === '' || directoryProblem(dir) !== null || !client.getDirectoryInfo) {
          set({ directory: null });
          return Promise.resolve();
        }
        if (inspecting?.dir === dir) return inspecting.done;
        // Asked and answered already: the form asks again when the directory changes.
        const known = get().directory;
        if (known?.dir === dir && known.status !== 'checking') return Promise.resolve();
        const ask = client.getDirectoryInfo;
        set({ directory: { dir, status: 'checking' } });
        const mine = { dir, done: Promise.resolve() };
        mine.done = (async () => {
          let check: DirectoryCheck;
          try {
            check = { dir, status: 'ready', info: await ask({ dir }) };
          } catch (error) {
            check = { dir, status: 'error', error: errorMessage(error) };
          }
          if (inspecting === mine) inspecting = null;
          // Only the answer for the directory still in the field counts.
          if (form.getValues('dir').trim() !== dir || get().directory?.dir !== dir) return;
          if (check.status === 'ready') {
            const { available } = worktreeChoice(check);
            const own = form.getFieldState('worktree').isDirty || copiedWorktreeOf === dir;
            form.setValue('worktree', available && (own ? form.getValues('worktree') : true));
          }
          set({ directory: check });
        })();
        inspecting = mine;
        return mine.done;
      },

      async submit() {
        if (get().submitting) return null;
        set({ submitting: true, lastLaunched: null });
        // The form already says the budget is spent: asked again, and if it still is, nothing is sent, so the
        // service's refusal does not say the same again under it. A budget raised meanwhile goes on to launch.
        if (budgetReached(get().spending)) {
          await get().loadSpending();
          if (budgetReached(get().spending)) {
            set({ submitting: false });
            return null;
          }
        }
        // A directory typed since the last check (or still being checked) is checked first, so the worktree
        // choice sent is that directory's.
        const { directory } = get();
        if (directory?.dir !== form.getValues('dir').trim() || directory.status === 'checking') {
          await get().inspectDirectory();
        }
        let launched: TaskSummary | null = null;
        const launch = async (spec: TaskSpec) => {
          try {
            launched = await client.launchTask({ ...spec, ...get().carried });
          } catch (error) {
            for (const [field, message] of Object.entries(launchErrors(error))) {
              form.setError(field === 'form' ? 'root.server' : (field as keyof LaunchValues), {
                type: 'server',
                message,
              });
            }
            return;
          }
          const dirs = [spec.dir, ...get().recentDirs.filter((d) => d !== spec.dir)].slice(0, MAX_RECENT_DIRS);
          writeJson(storage, RECENT_DIRS_KEY, dirs);
          if (spec.permissionMode) rememberPermissionMode(storage, spec.dir, spec.permissionMode);
          // What was launched is the next task's start, less what made it this task.
          form.reset({ ...form.getValues(), prompt: '', title: '' });
          set({
            lastLaunched: launched,
            scrollTarget: launched.id,
            recentDirs: dirs,
            carried: {},
            copiedFrom: null,
            // Back to following the page: with a task running, the form folds away so the task shows.
            formOpen: null,
          });
          void get().loadSpending();
        };
        // A problem in a folded field unfolds them, so it shows.
        await form.handleSubmit(launch, (errors) => {
          if (Object.keys(errors).some((field) => !isEssential(field))) get().setMoreOpen(true);
        })();
        set({ submitting: false });
        return launched;
      },

      async loadProjects() {
        try {
          set({ projects: await client.listProjects({}) });
        } catch {
          // Suggestions only; the field still takes any path.
        }
      },

      async loadDefaults() {
        if (!client.getSettings) return;
        let defaults: TaskDefaults;
        try {
          // Parsed here too: a service older than defaults by agent sends one set, read as Claude Code's.
          defaults = taskDefaultsSchema.safeParse((await client.getSettings({})).taskDefaults).data ?? {};
        } catch {
          return; // The form works without them.
        }
        set({ defaults });
        fit();
      },

      async loadSpending() {
        if (!client.getSpending) return;
        try {
          set({ spending: await client.getSpending({}) });
        } catch {
          set({ spending: null }); // An older service without it: no warning rather than a wrong one.
        }
      },

      async pickDirectory() {
        try {
          const { path } = await client.pickDirectory({});
          if (!path) return;
          form.clearErrors('dir');
          form.setValue('dir', path, { shouldDirty: true });
        } catch (error) {
          form.setError('dir', { type: 'server', message: errorMessage(error) });
        }
      },

      prefill(spec, title) {
        const { agent } = form.getValues();
        const fallback = get().defaults[agent]?.permissionMode ?? DEFAULT_PERMISSION_MODE;
        const values = valuesFromSpec(spec, fallback);
        // Fitted already: the copy's values are the user's, not to be replaced by the agent's defaults.
        fitted = { agent: values.agent, dir: values.dir };
        copiedWorktreeOf = values.dir.trim();
        // Against the defaults kept, the fields copied that differ count as the user's own.
        form.reset(values, { keepDefaultValues: true });
        set({
          lastLaunched: null,
          carried: carriedFrom(spec),
          copiedFrom: title ?? spec.title ?? null,
          formOpen: true,
        });
      },

      clearCarried() {
        set({ carried: {}, copiedFrom: null });
      },

      setFormOpen(open) {
        set({ formOpen: open });
      },

      setMoreOpen(open) {
        writeJson(storage, MORE_OPTIONS_KEY, open);
        set({ moreOpen: open });
      },

      launchSeen() {
        if (get().lastLaunched !== null || get().scrollTarget !== null) set({ lastLaunched: null, scrollTarget: null });
      },
    };
  });
}

/** Directories to suggest: those launched from here first, then the server's projects by last use. */
export function suggestedDirs(state: Pick<LaunchState, 'recentDirs' | 'projects'>): string[] {
  const byUse = [...state.projects].sort((a, b) => b.lastUsedAt - a.lastUsedAt).map((p) => p.workingDir);
  return [...new Set([...state.recentDirs, ...byUse])];
}
