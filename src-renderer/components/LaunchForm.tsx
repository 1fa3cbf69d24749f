import { useEffect, useMemo, useState, type InputHTMLAttributes, type KeyboardEvent } from 'react';
import { useStore } from 'zustand';
import { useShallow } from 'zustand/react/shallow';
import {
  AGENT_LABELS,
  forkUnavailableReason,
  isAgentKind,
  MODELS_BY_AGENT,
  PERMISSION_FIELD_LABELS,
  PERMISSION_MODE_DESCRIPTIONS_BY_AGENT,
} from '../agents';
import { useServices } from '../app/services';
import {
  AGENT_KINDS,
  CONTEXT_MODES,
  DEFAULT_MAX_ITERATIONS,
  DEFAULT_STALL_AFTER,
  formatCost,
  ON_QUOTA_CHOICES,
  PERMISSION_MODES,
  type OnQuota,
  type PermissionMode,
} from '../contract';
import { spentCostText } from '../cost';
import { hrefs } from '../router';
import { todayZoneText } from '../time-zone';
import {
  budgetReached,
  isOnQuota,
  isPermissionMode,
  suggestedDirs,
  worktreeChoice,
  type CarriedSpec,
  type DirectoryCheck,
  type LaunchErrors,
  type LaunchField,
} from '../stores/launch-store';
import { sentence } from '../text';

export const PROMPT_INPUT_ID = 'launch-prompt';

/** Where the user's launch shortcut is: ⌘ on a Mac, Ctrl elsewhere. */
export const MOD_KEY = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform) ? '⌘' : 'Ctrl';

/** A message's `quoted` parts (a command to run, a variable to set) as code, the rest as text. */
export function withCode(message: string) {
  return message.split('`').map((part, i) => (i % 2 === 1 ? <code key={i}>{part}</code> : part));
}

function FieldError({ field, message }: { field: LaunchField; message: string | undefined }) {
  if (!message) return null;
  return (
    <p className="field-error" id={`launch-${field}-error`} role="alert">
      {withCode(message)}
    </p>
  );
}

/** Props that tie an input to its hint and its error message for assistive technology. */
function describedBy(field: LaunchField, errors: LaunchErrors, hint = false) {
  const ids = [hint ? `launch-${field}-hint` : null, errors[field] ? `launch-${field}-error` : null].filter(Boolean);
  return {
    ...(errors[field] ? { 'aria-invalid': true } : {}),
    ...(ids.length > 0 ? { 'aria-describedby': ids.join(' ') } : {}),
  };
}

type TextFieldName =
  'maxIterations' | 'budgetUsd' | 'check' | 'maxTurns' | 'title' | 'pauseAtUtilization' | 'stallAfter';

/** A one-line text field of the form: its label, its input tied to its hint and error, and those. */
function TextField({
  field,
  label,
  errors,
  input,
  wide = false,
  hint,
}: {
  field: TextFieldName;
  label: string;
  errors: LaunchErrors;
  input: InputHTMLAttributes<HTMLInputElement>;
  wide?: boolean;
  /** One line on what the field does. */
  hint?: string;
}) {
  return (
    <div className={wide ? 'field field-span2' : 'field'}>
      <label htmlFor={`launch-${field}`}>{label}</label>
      <input type="text" autoComplete="off" {...input} {...describedBy(field, errors, hint !== undefined)} />
      {hint !== undefined ? (
        <p className="field-hint muted" id={`launch-${field}-hint`}>
          {hint}
        </p>
      ) : null}
      <FieldError field={field} message={errors[field]} />
    </div>
  );
}

/** A select of the form, with one line under it on what the chosen value does. */
function ChoiceField<V extends string>({
  field,
  label,
  value,
  choices,
  optionLabel,
  onChoose,
  onKeyDown,
  errors,
  hint,
}: {
  field: 'permissionMode' | 'onQuota';
  label: string;
  value: V;
  choices: readonly V[];
  optionLabel: (choice: V) => string;
  /** The value picked, unchecked: the caller keeps only one of its choices. */
  onChoose: (value: string) => void;
  onKeyDown: (e: KeyboardEvent<HTMLSelectElement>) => void;
  errors: LaunchErrors;
  hint: string;
}) {
  return (
    <div className="field field-span2">
      <label htmlFor={`launch-${field}`}>{label}</label>
      <select
        id={`launch-${field}`}
        name={field}
        value={value}
        onChange={(e) => onChoose(e.target.value)}
        onKeyDown={onKeyDown}
        {...describedBy(field, errors, true)}
      >
        {choices.map((choice) => (
          <option key={choice} value={choice}>
            {optionLabel(choice)}
          </option>
        ))}
      </select>
      <p className="field-hint muted" id={`launch-${field}-hint`}>
        {hint}
      </p>
      <FieldError field={field} message={errors[field]} />
    </div>
  );
}

const ON_QUOTA_LABELS: Record<OnQuota, string> = {
  wait: 'wait for its reset (default)',
  stop: 'stop the task',
};

/** What each choice for a spent subscription window does, under the select. */
const ON_QUOTA_HINTS: Record<OnQuota, string> = {
  wait: 'The task holds off, making no calls, until the window resets, then goes on by itself.',
  stop: 'The task stops, resumable, and says when the window reopens.',
};

const CARRIED_LABELS: Record<keyof CarriedSpec, (value: never) => string> = {
  checkTimeoutSeconds: (v: number) => `check timeout ${v} s`,
  completionMarker: (v: string) => `completion marker ${v}`,
  timeoutSeconds: (v: number) => `iteration timeout ${v} s`,
  idleTimeoutSeconds: (v: number) => `idle timeout ${v} s`,
  maxTokens: (v: number) => `max tokens ${v}`,
  maxRetries: (v: number) => `max retries ${v}`,
};

export function describeCarried(carried: CarriedSpec): string {
  return Object.entries(carried)
    .map(([key, value]) => (CARRIED_LABELS[key as keyof CarriedSpec] as (v: unknown) => string)(value))
    .join(', ');
}

function SpendingNotice() {
  const { launch } = useServices();
  const spending = useStore(launch, (s) => s.spending);
  if (!spending || spending.dailyBudgetUsd === null) return null;
  if (budgetReached(spending)) {
    return (
      <p className="notice notice-warning form-wide" role="status" data-testid="budget-warning">
        Today&apos;s spending, {spentCostText(spending.spentTodayUsd, spending.unknownCostTokensToday)}, has reached the
        daily budget of {formatCost(spending.dailyBudgetUsd)}
        {todayZoneText(spending.timeZone)}: a task launched now would be refused. Raise the budget in{' '}
        <a href={hrefs.settings}>Settings</a>, or wait until tomorrow.
      </p>
    );
  }
  return (
    <p className="muted form-wide" data-testid="spending">
      Spent today: {spentCostText(spending.spentTodayUsd, spending.unknownCostTokensToday)} of the daily budget of{' '}
      {formatCost(spending.dailyBudgetUsd)}
      {todayZoneText(spending.timeZone)}.
    </p>
  );
}

/** How long the directory field waits after the last keystroke before asking whether it is a git repository. */
export const DIRECTORY_CHECK_DELAY_MS = 400;

/** The worktree checkbox: on by default for a git repository with commits; off and disabled, with the reason, otherwise. */
function WorktreeField({ errors }: { errors: LaunchErrors }) {
  const { launch } = useServices();
  const checked = useStore(launch, (s) => s.values.worktree);
  const lastCheck = useStore(launch, (s) => s.directory);
  const dir = useStore(launch, (s) => s.values.dir.trim());
  const setField = useStore(launch, (s) => s.setField);
  // An answer about another directory than the one typed is no answer: it is being checked.
  const directory: DirectoryCheck | null =
    lastCheck?.dir === dir ? lastCheck : dir === '' ? null : { dir, status: 'checking' };
  const { available, reason } = worktreeChoice(directory);
  const branch = directory?.status === 'ready' ? directory.info.branch : null;
  const hint = available
    ? `A new branch and a folder of its own, made from ${branch ? `branch ${branch}` : 'the current commit'}; one checkpoint commit per iteration. Your checkout is not touched.`
    : `Not available: ${reason ?? ''}`;
  return (
    <div className="field field-span2">
      <label className="checkbox-label" htmlFor="launch-worktree">
        <input
          id="launch-worktree"
          name="worktree"
          type="checkbox"
          checked={available && checked}
          disabled={!available}
          onChange={(e) => setField('worktree', e.target.checked)}
          {...describedBy('worktree', errors, true)}
        />
        Run in a git worktree
      </label>
      <p className="field-hint muted" id="launch-worktree-hint" data-testid="worktree-hint">
        {available && reason ? `${reason}. ` : ''}
        {hint}
      </p>
      <FieldError field="worktree" message={errors.worktree} />
    </div>
  );
}

/** Asks about the directory once the user stops typing in it. */
function useDirectoryCheck(dir: string, inspect: () => Promise<void>) {
  const [first] = useState(dir);
  useEffect(() => {
    // The directory the form opens with is checked at once; a typed one after a pause.
    const timer = setTimeout(() => void inspect(), dir === first ? 0 : DIRECTORY_CHECK_DELAY_MS);
    return () => clearTimeout(timer);
  }, [dir, first, inspect]);
}

export function LaunchForm({ canPickDirectory }: { canPickDirectory: boolean }) {
  const { launch } = useServices();
  const {
    values,
    errors,
    submitting,
    lastLaunched,
    carried,
    copiedFrom,
    setField,
    checkDirectory,
    inspectDirectory,
    submit,
    loadProjects,
    loadDefaults,
    loadSpending,
    pickDirectory,
    clearCarried,
  } = useStore(
    launch,
    useShallow((s) => ({
      values: s.values,
      errors: s.errors,
      submitting: s.submitting,
      lastLaunched: s.lastLaunched,
      carried: s.carried,
      copiedFrom: s.copiedFrom,
      setField: s.setField,
      checkDirectory: s.checkDirectory,
      inspectDirectory: s.inspectDirectory,
      submit: s.submit,
      loadProjects: s.loadProjects,
      loadDefaults: s.loadDefaults,
      loadSpending: s.loadSpending,
      pickDirectory: s.pickDirectory,
      clearCarried: s.clearCarried,
    })),
  );
  const recentDirs = useStore(launch, (s) => s.recentDirs);
  const projects = useStore(launch, (s) => s.projects);
  const suggestions = useMemo(() => suggestedDirs({ recentDirs, projects }), [recentDirs, projects]);
  const carriedText = describeCarried(carried);
  useDirectoryCheck(values.dir, inspectDirectory);

  useEffect(() => {
    void loadProjects();
    void loadDefaults();
    void loadSpending();
  }, [loadProjects, loadDefaults, loadSpending]);

  const onFormKey = (e: KeyboardEvent<HTMLFormElement>) => {
    // Enter makes new lines in the prompt; Ctrl/Cmd+Enter launches from any field.
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      void submit();
    }
  };
  const onSelectKey = (e: KeyboardEvent<HTMLSelectElement>) => {
    // A select does not submit its form on Enter by itself.
    if (e.key === 'Enter' && !e.ctrlKey && !e.metaKey) {
      e.preventDefault();
      void submit();
    }
  };
  const forkReason = forkUnavailableReason(values.agent);
  const modeDescriptions = PERMISSION_MODE_DESCRIPTIONS_BY_AGENT[values.agent];
  const text = (field: Exclude<LaunchField, 'agent' | 'context' | 'permissionMode' | 'onQuota' | 'worktree'>) => ({
    id: `launch-${field}`,
    name: field,
    value: values[field],
    onChange: (e: { target: { value: string } }) => setField(field, e.target.value),
  });

  return (
    <form
      className="launch-form"
      aria-label="Launch a task"
      noValidate
      onKeyDown={onFormKey}
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      {copiedFrom !== null || carriedText ? (
        <p className="muted form-wide" data-testid="copied-from">
          {copiedFrom !== null ? <>Settings copied from “{copiedFrom}”. </> : null}
          {carriedText ? <>Also kept: {carriedText}. </> : null}
          <button type="button" className="link-button" onClick={clearCarried}>
            {carriedText ? 'Use the defaults for those' : 'Dismiss'}
          </button>
        </p>
      ) : null}

      <div className="field field-wide">
        <label htmlFor="launch-dir">Project directory</label>
        <div className="input-row">
          <input
            {...text('dir')}
            type="text"
            list="launch-recent-projects"
            autoComplete="off"
            spellCheck={false}
            placeholder="/path/to/your/project"
            onBlur={checkDirectory}
            {...describedBy('dir', errors)}
          />
          {canPickDirectory ? (
            <button type="button" onClick={() => void pickDirectory()}>
              Browse…
            </button>
          ) : null}
        </div>
        <datalist id="launch-recent-projects">
          {suggestions.map((dir) => (
            <option key={dir} value={dir} />
          ))}
        </datalist>
        <FieldError field="dir" message={errors.dir} />
      </div>

      <div className="field field-wide">
        <label htmlFor={PROMPT_INPUT_ID}>Prompt</label>
        <textarea
          {...text('prompt')}
          id={PROMPT_INPUT_ID}
          rows={4}
          placeholder={`What should the agent do? (${MOD_KEY}+Enter to launch)`}
          {...describedBy('prompt', errors)}
        />
        <FieldError field="prompt" message={errors.prompt} />
      </div>

      <div className="field">
        <label htmlFor="launch-agent">Agent</label>
        <select
          id="launch-agent"
          name="agent"
          value={values.agent}
          onChange={(e) => {
            if (isAgentKind(e.target.value)) setField('agent', e.target.value);
          }}
          onKeyDown={onSelectKey}
          {...describedBy('agent', errors)}
        >
          {AGENT_KINDS.map((agent) => (
            <option key={agent} value={agent}>
              {AGENT_LABELS[agent]}
            </option>
          ))}
        </select>
        <FieldError field="agent" message={errors.agent} />
      </div>

      <div className="field">
        <label htmlFor="launch-model">Model</label>
        <input
          {...text('model')}
          type="text"
          list="launch-known-models"
          placeholder={`${AGENT_LABELS[values.agent]}'s default`}
          autoComplete="off"
          spellCheck={false}
          {...describedBy('model', errors)}
        />
        <datalist id="launch-known-models" data-testid="launch-known-models">
          {MODELS_BY_AGENT[values.agent].map((model) => (
            <option key={model} value={model} />
          ))}
        </datalist>
        <FieldError field="model" message={errors.model} />
      </div>

      {/* Text, not type="number": a number input reports "abc" as "", which would pass for "use the default". */}
      <TextField
        field="maxIterations"
        label="Max iterations"
        errors={errors}
        input={{ ...text('maxIterations'), inputMode: 'numeric', placeholder: String(DEFAULT_MAX_ITERATIONS) }}
      />

      <div className="field">
        <label htmlFor="launch-context">Context</label>
        <select
          id="launch-context"
          name="context"
          value={values.context}
          onChange={(e) => setField('context', CONTEXT_MODES.find((mode) => mode === e.target.value) ?? 'fresh')}
          onKeyDown={onSelectKey}
          {...describedBy('context', errors, forkReason !== null)}
        >
          {CONTEXT_MODES.map((mode) => (
            <option key={mode} value={mode} disabled={mode === 'fork' && forkReason !== null}>
              {mode === 'fork' && forkReason !== null ? 'fork (not with this agent)' : mode}
            </option>
          ))}
        </select>
        {forkReason !== null ? (
          <p className="field-hint muted" id="launch-context-hint">
            {forkReason}
          </p>
        ) : null}
        <FieldError field="context" message={errors.context} />
      </div>

      <ChoiceField
        field="permissionMode"
        label={PERMISSION_FIELD_LABELS[values.agent]}
        value={values.permissionMode}
        choices={PERMISSION_MODES}
        optionLabel={(mode: PermissionMode) => `${mode}: ${modeDescriptions[mode]}`}
        onChoose={(mode) => {
          if (isPermissionMode(mode)) setField('permissionMode', mode);
        }}
        onKeyDown={onSelectKey}
        errors={errors}
        hint={`${sentence(modeDescriptions[values.permissionMode])}. Remembered for this project directory.`}
      />

      <TextField
        field="budgetUsd"
        label="Budget (USD)"
        errors={errors}
        input={{ ...text('budgetUsd'), inputMode: 'decimal', placeholder: 'no limit' }}
      />

      <TextField
        field="check"
        label="Completion check"
        errors={errors}
        wide
        input={{ ...text('check'), placeholder: 'optional, e.g. npm test (exit 0 means done)', spellCheck: false }}
      />

      <TextField
        field="maxTurns"
        label="Max turns"
        errors={errors}
        input={{ ...text('maxTurns'), inputMode: 'numeric', placeholder: 'per iteration; no limit' }}
      />

      <ChoiceField
        field="onQuota"
        label="When the subscription window is spent"
        value={values.onQuota}
        choices={ON_QUOTA_CHOICES}
        optionLabel={(choice: OnQuota) => ON_QUOTA_LABELS[choice]}
        onChoose={(choice) => {
          if (isOnQuota(choice)) setField('onQuota', choice);
        }}
        onKeyDown={onSelectKey}
        errors={errors}
        hint={ON_QUOTA_HINTS[values.onQuota]}
      />

      <TextField
        field="pauseAtUtilization"
        label="Pause at window use (%)"
        errors={errors}
        hint="Optional: start no iteration while a subscription window is at least this used; wait for its reset."
        input={{ ...text('pauseAtUtilization'), inputMode: 'decimal', placeholder: '1–100; no pause' }}
      />

      <WorktreeField errors={errors} />

      <TextField
        field="stallAfter"
        label="Stall after"
        errors={errors}
        hint="End the task, stalled, after this many iterations in a row that change no file and leave the check's output as it was; 0 never."
        input={{ ...text('stallAfter'), inputMode: 'numeric', placeholder: String(DEFAULT_STALL_AFTER) }}
      />

      <div className="field field-span2">
        <label htmlFor="launch-allowedTools">Allowed tools</label>
        <textarea
          {...text('allowedTools')}
          rows={2}
          spellCheck={false}
          placeholder="optional: Bash(npm test:*), Edit"
          {...describedBy('allowedTools', errors, true)}
        />
        <p className="field-hint muted" id="launch-allowedTools-hint">
          Tools the agent may use without asking: one rule per line or comma-separated, as the CLI spells them.
        </p>
        <FieldError field="allowedTools" message={errors.allowedTools} />
      </div>

      <TextField
        field="title"
        label="Title"
        errors={errors}
        input={{ ...text('title'), placeholder: "the prompt's first line" }}
      />

      <SpendingNotice />

      {errors.form ? (
        <p className="field-error form-error" role="alert">
          {errors.form}
        </p>
      ) : null}

      <div className="form-actions">
        <button type="submit" className="primary" disabled={submitting} aria-busy={submitting}>
          Launch
        </button>
        <span className="muted">{MOD_KEY}+Enter</span>
        {lastLaunched ? (
          <span className="muted" role="status">
            Queued “{lastLaunched.title}”
          </span>
        ) : null}
      </div>
    </form>
  );
}
