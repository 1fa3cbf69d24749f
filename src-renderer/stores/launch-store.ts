import { createStore, type StoreApi } from 'zustand/vanilla';
import { agentOfModel, forkUnavailableReason, isAgentKind, MODELS_BY_AGENT } from '../agents';
import {
  DEFAULT_CHECK_TIMEOUT_SECONDS,
  DEFAULT_COMPLETION_MARKER,
  DEFAULT_IDLE_TIMEOUT_SECONDS,
  DEFAULT_MAX_ITERATIONS,
  DEFAULT_MAX_RETRIES,
  DEFAULT_STALL_AFTER,
  inputIssuesOf,
  ON_QUOTA_CHOICES,
  PERMISSION_MODES,
  taskSpecSchema,
  type AgentKind,
  type BatonApi,
  type ContextMode,
  type DirectoryInfo,
  type InputIssue,
  type OnQuota,
  type PermissionMode,
  type ProjectView,
  type Spending,
  type TaskDefaults,
  type TaskSpec,
  type TaskSpecInput,
  type TaskSummary,
} from '../contract';
import { BatonCallError, errorMessage } from '../errors';
import { sentence } from '../text';

export const LAUNCH_FIELDS = [
  'agent',
  'dir',
  'prompt',
  'title',
  'model',
  'maxIterations',
  'context',
  'check',
  'permissionMode',
  'allowedTools',
  'budgetUsd',
  'maxTurns',
  'onQuota',
  'pauseAtUtilization',
  'worktree',
  'stallAfter',
] as const;
export type LaunchField = (typeof LAUNCH_FIELDS)[number];

/** Claude Code's models, offered in the settings' default-model picker; any other name can be typed. */
export const KNOWN_MODELS = MODELS_BY_AGENT.claude;

/** The mode a new task runs in unless the settings or the project's last launch say otherwise: it can edit files. */
export const DEFAULT_PERMISSION_MODE: PermissionMode = 'acceptEdits';

export interface LaunchValues {
  /** The coding agent that runs the task's sessions. */
  agent: AgentKind;
  dir: string;
  prompt: string;
  title: string;
  model: string;
  /** Kept as typed, so "abc" can be shown as an error rather than silently turned into NaN. */
  maxIterations: string;
  context: ContextMode;
  check: string;
  permissionMode: PermissionMode;
  /** One rule per line, or comma-separated: `Bash(npm test:*)`, `Edit`. */
  allowedTools: string;
  budgetUsd: string;
  maxTurns: string;
  /** When the subscription window is spent: wait for its reset, or stop the task. */
  onQuota: OnQuota;
  /** A percent of a window's use, 1–100, as typed; sent as pauseAtUtilization 0.01–1. */
  pauseAtUtilization: string;
  /** Run in a git worktree of its own; offered (and on by default) only where the directory is a repository with commits. */
  worktree: boolean;
  /** Iterations in a row without a change before the task ends stalled, as typed; 0 turns it off. */
  stallAfter: string;
}

/** Spec fields the form has no field for, kept from the task a "Run again" copied. */
export const CARRIED_FIELDS = [
  'checkTimeoutSeconds',
  'completionMarker',
  'timeoutSeconds',
  'idleTimeoutSeconds',
  'maxTokens',
  'maxRetries',
] as const;
export type CarriedField = (typeof CARRIED_FIELDS)[number];
export type CarriedSpec = Partial<Pick<TaskSpecInput, CarriedField>>;

/** Errors by field; `form` holds what belongs to no single field. */
export type LaunchErrors = Partial<Record<LaunchField | 'form', string>>;

export const RECENT_DIRS_KEY = 'baton.recentProjects';
/** The permission mode last launched with, by project directory. */
export const PERMISSION_MODES_KEY = 'baton.permissionModes';
const MAX_RECENT_DIRS = 10;
const MAX_REMEMBERED_MODES = 100;

export const DEFAULT_VALUES: LaunchValues = {
  agent: 'claude',
  dir: '',
  prompt: '',
  title: '',
  model: '',
  maxIterations: String(DEFAULT_MAX_ITERATIONS),
  context: 'fresh',
  check: '',
  permissionMode: DEFAULT_PERMISSION_MODE,
  allowedTools: '',
  budgetUsd: '',
  maxTurns: '',
  onQuota: 'wait',
  pauseAtUtilization: '',
  worktree: false,
  stallAfter: String(DEFAULT_STALL_AFTER),
};

const isLaunchField = (key: unknown): key is LaunchField => (LAUNCH_FIELDS as readonly unknown[]).includes(key);

export const isPermissionMode = (value: unknown): value is PermissionMode =>
  (PERMISSION_MODES as readonly unknown[]).includes(value);

export const isOnQuota = (value: unknown): value is OnQuota => (ON_QUOTA_CHOICES as readonly unknown[]).includes(value);

const PAUSE_PERCENT_ERROR = 'Pause at window use must be a percent from 1 to 100';

/**
 * The pause threshold as typed, a percent, as the schema's share: blank is "not given"; above 100 %
 * it is above 1, which the schema refuses. Below 1 % becomes NaN: the schema takes 0, but a
 * threshold that low would hold every task before its first call.
 */
function pauseShare(text: string): number | undefined {
  const percent = typedNumber(text);
  if (percent === undefined || Number.isNaN(percent)) return percent;
  if (percent < 1) return Number.NaN;
  // Four decimals: 33.3 % is 0.333, not 0.33299999999999996.
  return Math.round(percent * 100) / 10_000;
}

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
 * The allowed-tools field as rules: one per line or comma-separated, except
 * commas inside a rule's parentheses (`Bash(git log --format=%h,%s)`).
 */
export function parseAllowedTools(text: string): string[] {
  const rules: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    let depth = 0;
    let current = '';
    for (const char of line) {
      if (char === '(') depth++;
      else if (char === ')') depth = Math.max(0, depth - 1);
      if (char === ',' && depth === 0) {
        rules.push(current);
        current = '';
      } else {
        current += char;
      }
    }
    rules.push(current);
  }
  return rules.map((r) => r.trim()).filter((r) => r !== '');
}

/** Absolute on POSIX (`/…`) or Windows (`C:\…`, `\\server\…`). */
export function isAbsolutePath(path: string): boolean {
  return path.startsWith('/') || /^[A-Za-z]:[\\/]/.test(path) || path.startsWith('\\\\');
}

/** Why a directory cannot be sent as typed, or null: the service resolves nothing, so `~` and relative paths would miss. */
export function directoryProblem(dir: string): string | null {
  const path = dir.trim();
  if (path === '' || isAbsolutePath(path)) return null;
  if (path.startsWith('~')) return 'Use an absolute path; ~ is not expanded';
  return 'Use an absolute path, starting with /; a relative path is not resolved';
}

/**
 * Checks the form with the contract's own task-spec schema, the one main
 * checks again, and returns the spec to send (trimmed, blank fields left out
 * so the server's defaults apply) or the schema's messages by field.
 */
export function validateLaunch(
  values: LaunchValues,
  carried: CarriedSpec = {},
): { spec: TaskSpecInput; errors: null } | { spec: null; errors: LaunchErrors } {
  const tools = parseAllowedTools(values.allowedTools);
  const input = {
    agent: values.agent,
    dir: values.dir,
    prompt: values.prompt,
    title: optionalText(values.title),
    model: optionalText(values.model),
    maxIterations: typedNumber(values.maxIterations),
    context: values.context,
    check: optionalText(values.check),
    permissionMode: values.permissionMode,
    allowedTools: tools.length > 0 ? tools : undefined,
    budgetUsd: typedNumber(values.budgetUsd),
    maxTurns: typedNumber(values.maxTurns),
    onQuota: values.onQuota,
    pauseAtUtilization: pauseShare(values.pauseAtUtilization),
    worktree: values.worktree,
    stallAfter: typedNumber(values.stallAfter),
  } satisfies Record<LaunchField, unknown>;
  const parsed = taskSpecSchema.safeParse({ ...carried, ...input });
  const dirProblem = directoryProblem(values.dir);
  // The service refuses it too, on the same field; said here, nothing is sent.
  const forkProblem = values.context === 'fork' ? forkUnavailableReason(values.agent) : null;
  if (!parsed.success || dirProblem || forkProblem) {
    const errors = parsed.success ? {} : placeIssues(inputIssuesOf(parsed.error));
    if (dirProblem) errors.dir ??= dirProblem;
    if (forkProblem) errors.context ??= forkProblem;
    // The schema speaks of a share from 0 to 1; the field takes a percent.
    if (errors.pauseAtUtilization) errors.pauseAtUtilization = PAUSE_PERCENT_ERROR;
    return { spec: null, errors };
  }

  // Only what the form gave, as the schema cleaned it; the defaults of fields it left out are the server's to fill.
  const data = parsed.data;
  // The agent and whether to use a worktree are always said: the form shows both choices.
  const spec: TaskSpecInput = {
    agent: data.agent,
    dir: data.dir,
    prompt: data.prompt,
    context: data.context,
    worktree: data.worktree,
  };
  if (input.maxIterations !== undefined) spec.maxIterations = data.maxIterations;
  if (data.title !== undefined) spec.title = data.title;
  if (data.model !== undefined) spec.model = data.model;
  if (data.check !== undefined) spec.check = data.check;
  if (data.permissionMode !== undefined) spec.permissionMode = data.permissionMode;
  if (data.allowedTools !== undefined) spec.allowedTools = data.allowedTools;
  if (data.budgetUsd !== undefined) spec.budgetUsd = data.budgetUsd;
  if (data.maxTurns !== undefined) spec.maxTurns = data.maxTurns;
  // "wait" is the schema's default, left out like the other defaults; "stop" is the form's choice.
  if (data.onQuota !== 'wait') spec.onQuota = data.onQuota;
  if (data.pauseAtUtilization !== undefined) spec.pauseAtUtilization = data.pauseAtUtilization;
  if (input.stallAfter !== undefined) spec.stallAfter = data.stallAfter;
  for (const key of CARRIED_FIELDS) {
    if (carried[key] !== undefined) (spec as Record<string, unknown>)[key] = data[key];
  }
  return { spec, errors: null };
}

/**
 * Whether an 'unavailable' refusal is about the agent (its CLI is missing, or this Baton has no runner
 * for it) rather than about the connection to Baton, which fails with the same code.
 */
export function isAgentUnavailable(error: unknown): error is BatonCallError {
  if (!(error instanceof BatonCallError) || error.code !== 'unavailable') return false;
  return /\binstall\b|BATON_[A-Z]+_BIN|\bagent\b|\bCLI\b/.test(error.message);
}

/**
 * Where a failed launch's error goes: the server's issues on their fields, a missing agent (with its install
 * hint) on the agent field, else its message on the form.
 */
export function launchErrors(error: unknown): LaunchErrors {
  if (error instanceof BatonCallError && error.issues.length > 0) return placeIssues(error.issues);
  if (isAgentUnavailable(error)) return { agent: sentence(error.message) };
  // Without issues (a lost connection, a failure not about one field) the message is about the form as a whole.
  return { form: errorMessage(error) };
}

/** The spec fields the form has no field for that differ from their defaults: what a re-run must keep. */
export function carriedFrom(spec: TaskSpec): CarriedSpec {
  const defaults: Partial<Record<CarriedField, unknown>> = {
    checkTimeoutSeconds: DEFAULT_CHECK_TIMEOUT_SECONDS,
    completionMarker: DEFAULT_COMPLETION_MARKER,
    idleTimeoutSeconds: DEFAULT_IDLE_TIMEOUT_SECONDS,
    maxRetries: DEFAULT_MAX_RETRIES,
  };
  const carried: Record<string, unknown> = {};
  for (const key of CARRIED_FIELDS) {
    const value = spec[key];
    if (value !== undefined && value !== defaults[key]) carried[key] = value;
  }
  return carried as CarriedSpec;
}

/** The form's values for a spec (a finished task's, for "Run again"). */
export function valuesFromSpec(spec: TaskSpec, fallbackMode: PermissionMode): LaunchValues {
  return {
    // A spec stored before agents had kinds has none: it ran Claude Code.
    agent: isAgentKind(spec.agent) ? spec.agent : 'claude',
    dir: spec.dir,
    prompt: spec.prompt,
    title: spec.title ?? '',
    model: spec.model ?? '',
    maxIterations: String(spec.maxIterations),
    context: spec.context,
    check: spec.check ?? '',
    permissionMode: spec.permissionMode ?? fallbackMode,
    allowedTools: (spec.allowedTools ?? []).join('\n'),
    budgetUsd: spec.budgetUsd === undefined ? '' : String(spec.budgetUsd),
    maxTurns: spec.maxTurns === undefined ? '' : String(spec.maxTurns),
    // A spec from a service older than these settings has neither: the defaults then.
    onQuota: isOnQuota(spec.onQuota) ? spec.onQuota : 'wait',
    pauseAtUtilization:
      spec.pauseAtUtilization === undefined ? '' : String(Math.round(spec.pauseAtUtilization * 10_000) / 100),
    worktree: spec.worktree === true,
    stallAfter: String(spec.stallAfter ?? DEFAULT_STALL_AFTER),
  };
}

/** What the form knows of the directory typed, from getDirectoryInfo: asked, answered, or the call failed. */
export type DirectoryCheck =
  | { dir: string; status: 'checking' }
  | { dir: string; status: 'ready'; info: DirectoryInfo }
  | { dir: string; status: 'error'; error: string };

/** Whether the worktree choice can be made for the directory checked, and if not, why, in words. */
export function worktreeChoice(check: DirectoryCheck | null): { available: boolean; reason: string | null } {
  if (check === null) return { available: false, reason: 'Choose a project directory first.' };
  if (check.status === 'checking') return { available: false, reason: 'Checking the directory…' };
  // A service that could not say leaves the choice to the user; it refuses, with its reason, at launch.
  if (check.status === 'error') return { available: true, reason: `Could not check the directory: ${check.error}` };
  const { info } = check;
  if (!info.exists) return { available: false, reason: 'The directory does not exist.' };
  if (info.gitProblem) return { available: false, reason: info.gitProblem };
  if (!info.gitRepository) return { available: false, reason: 'Not a git repository.' };
  if (!info.hasCommits) return { available: false, reason: 'The repository has no commits yet.' };
  return { available: true, reason: null };
}

/** Whether today's spending has reached the daily budget, so a launched task would not run. */
export function budgetReached(spending: Pick<Spending, 'spentTodayUsd' | 'dailyBudgetUsd'> | null): boolean {
  return spending !== null && spending.dailyBudgetUsd !== null && spending.spentTodayUsd >= spending.dailyBudgetUsd;
}

/** Where the permission mode shown came from: a directory's memory wins over the default, and the user over both. */
export type PermissionModeSource = 'default' | 'remembered' | 'user';

export interface LaunchState {
  values: LaunchValues;
  errors: LaunchErrors;
  submitting: boolean;
  lastLaunched: TaskSummary | null;
  projects: ProjectView[];
  recentDirs: string[];
  /** The settings' defaults for new tasks, once loaded. */
  defaults: TaskDefaults;
  permissionModeSource: PermissionModeSource;
  /** Fields the user (or a prefill) set; loaded defaults do not overwrite them. */
  touched: Partial<Record<LaunchField, true>>;
  /** Spec fields kept from the task a "Run again" copied. */
  carried: CarriedSpec;
  /** The title of the task the form was prefilled from. */
  copiedFrom: string | null;
  spending: Spending | null;
  /** The "New task" disclosure: null follows the page (open while nothing runs). */
  formOpen: boolean | null;
  /** The last directory asked about for the worktree choice, and what came back. */
  directory: DirectoryCheck | null;
  setField<K extends keyof LaunchValues>(field: K, value: LaunchValues[K]): void;
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
  /** Applies the settings' task defaults to the fields the user has not set. */
  loadDefaults(): Promise<void>;
  loadSpending(): Promise<void>;
  pickDirectory(): Promise<void>;
  /** Fills the form from a task's spec ("Run again with these settings") and opens it. */
  prefill(spec: TaskSpec, title?: string): void;
  clearCarried(): void;
  setFormOpen(open: boolean | null): void;
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

export function createLaunchStore(
  client: Pick<BatonApi, 'launchTask' | 'listProjects' | 'pickDirectory'> &
    Partial<Pick<BatonApi, 'getSettings' | 'getSpending' | 'getDirectoryInfo'>>,
  storage: StorageLike | null = typeof localStorage === 'undefined' ? null : localStorage,
): LaunchStore {
  const recentDirs = readRecent(storage);
  const firstDir = recentDirs[0] ?? '';
  const firstMode = firstDir ? rememberedPermissionMode(storage, firstDir) : null;

  return createStore<LaunchState>()((set, get) => {
    /** The mode a directory starts with: its memory, else the settings' default, else acceptEdits. */
    const fallbackMode = () => get().defaults.permissionMode ?? DEFAULT_PERMISSION_MODE;
    /** The directory check under way, which a launch waits for rather than asking again. */
    let inspecting: { dir: string; done: Promise<void> } | null = null;

    return {
      values: {
        ...DEFAULT_VALUES,
        dir: firstDir,
        permissionMode: firstMode ?? DEFAULT_PERMISSION_MODE,
      },
      errors: {},
      submitting: false,
      lastLaunched: null,
      projects: [],
      recentDirs,
      defaults: {},
      permissionModeSource: firstMode ? 'remembered' : 'default',
      touched: {},
      carried: {},
      copiedFrom: null,
      spending: null,
      formOpen: null,
      directory: null,

      setField(field, value) {
        const state = get();
        const errors = { ...state.errors };
        // Editing a field clears its error and any server error, which may no longer apply.
        delete errors[field];
        delete errors.form;
        const values = { ...state.values, [field]: value };
        let source = state.permissionModeSource;
        if (field === 'agent') {
          const agent = value as AgentKind;
          // Another agent's model would be refused by this one; a name the user typed is theirs to keep.
          const modelOf = agentOfModel(values.model);
          if (modelOf !== null && modelOf !== agent) values.model = '';
          // An agent that cannot fork runs fresh; the context field says why.
          if (values.context === 'fork' && forkUnavailableReason(agent) !== null) {
            values.context = 'fresh';
            delete errors.context;
          }
        }
        if (field === 'permissionMode') {
          source = 'user';
        } else if (field === 'dir') {
          // A directory launched from before brings back its mode; leaving it drops that mode, not a user's choice.
          const remembered = rememberedPermissionMode(storage, String(value));
          if (remembered) {
            values.permissionMode = remembered;
            source = 'remembered';
          } else if (source === 'remembered') {
            values.permissionMode = fallbackMode();
            source = 'default';
          }
        }
        set({ values, errors, permissionModeSource: source, touched: { ...state.touched, [field]: true } });
      },

      checkDirectory() {
        const { values, errors } = get();
        const problem = directoryProblem(values.dir);
        if (problem && !errors.dir) set({ errors: { ...errors, dir: problem } });
      },

      inspectDirectory() {
        const dir = get().values.dir.trim();
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
          const { values, touched, directory } = get();
          if (values.dir.trim() !== dir || directory?.dir !== dir) return;
          let worktree = values.worktree;
          if (check.status === 'ready') {
            const { available } = worktreeChoice(check);
            worktree = available ? (touched.worktree ? values.worktree : true) : false;
          }
          set({ directory: check, values: { ...values, worktree } });
        })();
        inspecting = mine;
        return mine.done;
      },

      async submit() {
        if (get().submitting) return null;
        set({ submitting: true });
        // A directory typed since the last check (or still being checked) is checked first, so the worktree
        // choice sent is that directory's.
        const { directory, values } = get();
        if (directory?.dir !== values.dir.trim() || directory.status === 'checking') await get().inspectDirectory();
        const checked = validateLaunch(get().values, get().carried);
        if (!checked.spec) {
          set({ submitting: false, errors: checked.errors });
          return null;
        }
        set({ errors: {} });
        try {
          const spec = checked.spec;
          const task = await client.launchTask(spec);
          const dirs = [spec.dir, ...get().recentDirs.filter((d) => d !== spec.dir)].slice(0, MAX_RECENT_DIRS);
          writeJson(storage, RECENT_DIRS_KEY, dirs);
          if (spec.permissionMode) rememberPermissionMode(storage, spec.dir, spec.permissionMode);
          set({
            submitting: false,
            lastLaunched: task,
            recentDirs: dirs,
            values: { ...get().values, prompt: '', title: '' },
            carried: {},
            copiedFrom: null,
            // Back to following the page: with a task running, the form folds away so the task shows.
            formOpen: null,
          });
          void get().loadSpending();
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

      async loadDefaults() {
        if (!client.getSettings) return;
        let defaults: TaskDefaults;
        try {
          defaults = (await client.getSettings({})).taskDefaults ?? {};
        } catch {
          return; // The form works without them.
        }
        const { values, touched, permissionModeSource } = get();
        const next = { ...values };
        if (!touched.model && defaults.model) next.model = defaults.model;
        if (!touched.maxIterations && defaults.maxIterations !== undefined) {
          next.maxIterations = String(defaults.maxIterations);
        }
        if (!touched.budgetUsd && defaults.budgetUsd !== undefined) next.budgetUsd = String(defaults.budgetUsd);
        if (permissionModeSource === 'default' && defaults.permissionMode) {
          next.permissionMode = defaults.permissionMode;
        }
        set({ defaults, values: next });
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
          if (path) get().setField('dir', path);
        } catch (error) {
          set({ errors: { ...get().errors, dir: errorMessage(error) } });
        }
      },

      prefill(spec, title) {
        const touched = Object.fromEntries(LAUNCH_FIELDS.map((f) => [f, true])) as LaunchState['touched'];
        set({
          values: valuesFromSpec(spec, fallbackMode()),
          errors: {},
          touched,
          permissionModeSource: spec.permissionMode ? 'user' : 'default',
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
    };
  });
}

/** Directories to suggest: those launched from here first, then the server's projects by last use. */
export function suggestedDirs(state: Pick<LaunchState, 'recentDirs' | 'projects'>): string[] {
  const byUse = [...state.projects].sort((a, b) => b.lastUsedAt - a.lastUsedAt).map((p) => p.workingDir);
  return [...new Set([...state.recentDirs, ...byUse])];
}
