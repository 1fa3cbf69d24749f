import { useEffect, useMemo, useState, type KeyboardEvent } from 'react';
import { FormProvider, useForm, useFormState, useWatch } from 'react-hook-form';
import { useStore } from 'zustand';
import { useShallow } from 'zustand/react/shallow';
import { AGENT_LABELS, MODELS_BY_AGENT } from '../agents';
import { useServices } from '../app/services';
import { AGENT_KINDS, DEFAULT_MAX_ITERATIONS, formatCost, type TaskSpec } from '../contract';
import { spentCostText } from '../cost';
import { hrefs } from '../router';
import { todayZoneText } from '../time-zone';
import { LAUNCH_FORM_OPTIONS, suggestedDirs } from '../stores/launch-store';
import { budgetReached, type CarriedSpec, type LaunchValues } from '../stores/launch-values';
import {
  ChoiceField,
  describedBy,
  FieldError,
  TextField,
  useFieldMessage,
  useLaunchForm,
  withCode,
} from './LaunchFields';
import { MoreOptions } from './LaunchOptions';

export { withCode };

export const PROMPT_INPUT_ID = 'launch-prompt';

/** Where the user's launch shortcut is: ⌘ on a Mac, Ctrl elsewhere. */
export const MOD_KEY = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform) ? '⌘' : 'Ctrl';

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

/** Asks about the directory once the user stops typing in it. */
function useDirectoryCheck(dir: string, inspect: () => Promise<void>) {
  const [first] = useState(dir);
  useEffect(() => {
    // The directory the form opens with is checked at once; a typed one after a pause.
    const timer = setTimeout(() => void inspect(), dir === first ? 0 : DIRECTORY_CHECK_DELAY_MS);
    return () => clearTimeout(timer);
  }, [dir, first, inspect]);
}

/** The project directory: typed, chosen from recent folders, or picked with the desktop app's dialog. */
function DirectoryField({ canPickDirectory }: { canPickDirectory: boolean }) {
  const { launch } = useServices();
  const { register, control, clearErrors } = useLaunchForm();
  const message = useFieldMessage('dir');
  const { recentDirs, projects, checkDirectory, inspectDirectory, pickDirectory } = useStore(
    launch,
    useShallow((s) => ({
      recentDirs: s.recentDirs,
      projects: s.projects,
      checkDirectory: s.checkDirectory,
      inspectDirectory: s.inspectDirectory,
      pickDirectory: s.pickDirectory,
    })),
  );
  const suggestions = useMemo(() => suggestedDirs({ recentDirs, projects }), [recentDirs, projects]);
  useDirectoryCheck(useWatch({ control, name: 'dir' }), inspectDirectory);
  return (
    <div className="field field-wide">
      <label htmlFor="launch-dir">Project directory</label>
      <div className="input-row">
        <input
          id="launch-dir"
          type="text"
          list="launch-recent-projects"
          autoComplete="off"
          spellCheck={false}
          placeholder={suggestions.length > 0 ? 'type a path, or choose a recent folder' : '/path/to/your/project'}
          {...register('dir', {
            onBlur: checkDirectory,
            // A problem said on leaving goes once it is edited; after a launch was tried, the schema checks again.
            onChange: () => clearErrors('dir'),
          })}
          {...describedBy('dir', message)}
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
      <FieldError field="dir" message={message} />
    </div>
  );
}

function AgentAndModel({ onSelectKey }: { onSelectKey: (e: KeyboardEvent<HTMLSelectElement>) => void }) {
  const { control } = useLaunchForm();
  const agent = useWatch({ control, name: 'agent' });
  return (
    <>
      <ChoiceField
        field="agent"
        label="Agent"
        choices={AGENT_KINDS}
        optionLabel={(kind) => AGENT_LABELS[kind]}
        onKeyDown={onSelectKey}
        span={1}
      />
      <TextField
        field="model"
        label="Model"
        list="launch-known-models"
        spellCheck={false}
        placeholder={`${AGENT_LABELS[agent]}'s default`}
      >
        <datalist id="launch-known-models" data-testid="launch-known-models">
          {MODELS_BY_AGENT[agent].map((model) => (
            <option key={model} value={model} />
          ))}
        </datalist>
      </TextField>
    </>
  );
}

/** The form's own error (a lost connection, a failure not about one field) and the line saying what was queued. */
function FormStatus() {
  const { launch } = useServices();
  const { control } = useLaunchForm();
  const { errors } = useFormState({ control });
  const lastLaunched = useStore(launch, (s) => s.lastLaunched);
  const submitting = useStore(launch, (s) => s.submitting);
  const formError = errors.root?.server?.message;
  return (
    <>
      {formError ? (
        <p className="field-error form-error" role="alert">
          {formError}
        </p>
      ) : null}
      <div className="form-actions">
        <button type="submit" className="primary" disabled={submitting} aria-busy={submitting}>
          Launch
        </button>
        <span className="muted">{MOD_KEY}+Enter</span>
        {lastLaunched ? (
          <span className="muted" role="status" data-testid="launch-status">
            Queued “{lastLaunched.title}”
          </span>
        ) : null}
      </div>
    </>
  );
}

export function LaunchForm({ canPickDirectory }: { canPickDirectory: boolean }) {
  const { launch } = useServices();
  const { formControl, carried, copiedFrom, submit, loadProjects, loadDefaults, loadSpending, clearCarried } = useStore(
    launch,
    useShallow((s) => ({
      formControl: s.form,
      carried: s.carried,
      copiedFrom: s.copiedFrom,
      submit: s.submit,
      loadProjects: s.loadProjects,
      loadDefaults: s.loadDefaults,
      loadSpending: s.loadSpending,
      clearCarried: s.clearCarried,
    })),
  );
  // The form's state is the store's, so a draft outlives this component (another page, a folded disclosure).
  const form = useForm<LaunchValues, unknown, TaskSpec>({ ...LAUNCH_FORM_OPTIONS, formControl });
  const carriedText = describeCarried(carried);

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

  return (
    <FormProvider {...form}>
      <form
        className="launch-form"
        aria-label="Launch a task"
        noValidate
        onKeyDown={onFormKey}
        onChange={() => {
          // An edit starts the next task: what was said of the last launch no longer stands.
          form.clearErrors('root');
          launch.getState().launchSeen();
        }}
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

        <DirectoryField canPickDirectory={canPickDirectory} />

        <TextField
          field="prompt"
          label="Prompt"
          id={PROMPT_INPUT_ID}
          rows={4}
          span="all"
          placeholder={`What should the agent do? (${MOD_KEY}+Enter to launch)`}
        />

        <AgentAndModel onSelectKey={onSelectKey} />
        <TextField
          field="maxIterations"
          label="Max iterations"
          inputMode="numeric"
          placeholder={String(DEFAULT_MAX_ITERATIONS)}
        />
        <TextField
          field="check"
          label="Completion check"
          span="all"
          spellCheck={false}
          placeholder="optional, e.g. npm test (exit 0 means done)"
        />

        <MoreOptions onSelectKey={onSelectKey} />

        <SpendingNotice />
        <FormStatus />
      </form>
    </FormProvider>
  );
}
