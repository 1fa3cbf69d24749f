import { type FormEvent, useEffect, useState } from 'react';
import {
  DEFAULT_MAX_ITERATIONS,
  inputIssuesOf,
  PERMISSION_MODE_DESCRIPTIONS,
  PERMISSION_MODES,
  taskDefaultsSchema,
  type Settings,
  type Spending,
  type TaskDefaults,
} from '../contract';
import { useServices } from '../app/services';
import { spentCostText, unknownTokensTitle } from '../cost';
import { errorMessage } from '../errors';
import { useResource } from '../hooks/use-resource';
import { DEFAULT_PERMISSION_MODE, isPermissionMode, KNOWN_MODELS } from '../stores/launch-store';
import { sentence } from '../text';
import {
  ModelPricesEditor,
  priceRows,
  validatePriceRows,
  type PriceRow,
  type PriceRowErrors,
} from './ModelPricesEditor';
import { ErrorState, Loading } from './StateViews';

/** The settings form's fields, as typed. */
export interface SettingsValues {
  model: string;
  /** '' for no default (new tasks start in acceptEdits). */
  permissionMode: string;
  maxIterations: string;
  budgetUsd: string;
  dailyBudgetUsd: string;
  maxConcurrentTasks: string;
  /** The user's own prices, one row per model. */
  modelPrices: PriceRow[];
}

export type SettingsErrors = Partial<Record<Exclude<keyof SettingsValues, 'modelPrices'> | 'form', string>> & {
  /** By row of the model-prices editor. */
  modelPrices?: Record<number, PriceRowErrors>;
};

export function settingsValues(settings: Settings): SettingsValues {
  const d: TaskDefaults = settings.taskDefaults ?? {};
  return {
    model: d.model ?? '',
    permissionMode: d.permissionMode ?? '',
    maxIterations: d.maxIterations === undefined ? '' : String(d.maxIterations),
    budgetUsd: d.budgetUsd === undefined ? '' : String(d.budgetUsd),
    dailyBudgetUsd: settings.dailyBudgetUsd === null ? '' : String(settings.dailyBudgetUsd),
    maxConcurrentTasks: String(settings.maxConcurrentTasks),
    modelPrices: priceRows(settings.modelPrices),
  };
}

const typedNumber = (text: string): number | undefined => (text.trim() === '' ? undefined : Number(text.trim()));

/**
 * Checks the form and returns what updateSettings takes, or the messages by
 * field. The task defaults are checked with the contract's own schema (the
 * task-spec's rules), the rest as before.
 */
export function validateSettings(
  values: SettingsValues,
): { update: Settings; errors: null } | { update: null; errors: SettingsErrors } {
  const errors: SettingsErrors = {};
  const dailyBudgetUsd = values.dailyBudgetUsd.trim() === '' ? null : Number(values.dailyBudgetUsd);
  if (dailyBudgetUsd !== null && !(Number.isFinite(dailyBudgetUsd) && dailyBudgetUsd > 0)) {
    errors.dailyBudgetUsd = 'The daily budget must be an amount above 0, or empty for none';
  }
  const maxConcurrentTasks = Number(values.maxConcurrentTasks);
  if (!Number.isInteger(maxConcurrentTasks) || maxConcurrentTasks < 1 || maxConcurrentTasks > 64) {
    errors.maxConcurrentTasks = 'Tasks at once must be a whole number from 1 to 64';
  }
  const parsed = taskDefaultsSchema.safeParse({
    model: values.model.trim() === '' ? undefined : values.model,
    permissionMode: values.permissionMode === '' ? undefined : values.permissionMode,
    maxIterations: typedNumber(values.maxIterations),
    budgetUsd: typedNumber(values.budgetUsd),
  });
  if (!parsed.success) {
    for (const issue of inputIssuesOf(parsed.error)) {
      const key = issue.path[0];
      const field = key === 'model' || key === 'permissionMode' || key === 'maxIterations' || key === 'budgetUsd';
      errors[field ? key : 'form'] ??= sentence(issue.message);
    }
  }
  const prices = validatePriceRows(values.modelPrices);
  if (!prices.prices) errors.modelPrices = prices.errors;
  if (!parsed.success || !prices.prices || Object.keys(errors).length > 0) return { update: null, errors };
  // Only the defaults given: an empty field means "no default".
  const taskDefaults = Object.fromEntries(
    Object.entries(parsed.data).filter(([, v]) => v !== undefined),
  ) as TaskDefaults;
  return { update: { taskDefaults, dailyBudgetUsd, maxConcurrentTasks, modelPrices: prices.prices }, errors: null };
}

function FieldError({ message }: { message: string | undefined }) {
  return message ? (
    <p role="alert" className="field-error">
      {message}
    </p>
  ) : null;
}

/**
 * Today's spending and the zone today is a day of; null while unknown or when the service cannot say. Asked
 * again after each save (`saves`), since saved prices change what today's sessions cost.
 */
function useSpending(saves: number): Spending | null {
  const { client } = useServices();
  const spending = useResource(() => client.getSpending({}), 'spending');
  const { reload } = spending;
  useEffect(() => {
    if (saves > 0) reload();
  }, [saves, reload]);
  return spending.data ?? null;
}

/** Today's spending, beside the daily budget. */
function SpentToday({ spending }: { spending: Spending | null }) {
  if (!spending) return null;
  const { spentTodayUsd, unknownCostTokensToday } = spending;
  return (
    <span
      className="muted"
      data-testid="spent-today"
      data-value={spentTodayUsd}
      title={unknownTokensTitle(unknownCostTokensToday)}
    >
      spent today: {spentCostText(spentTodayUsd, unknownCostTokensToday)}
    </span>
  );
}

/** App-wide settings: defaults for new tasks, the daily budget and how many tasks run at once. Checked here and again in main. */
export function SettingsView() {
  const { client, launch } = useServices();
  const settings = useResource(() => client.getSettings({}), 'settings');
  const [values, setValues] = useState<SettingsValues | null>(null);
  const [errors, setErrors] = useState<SettingsErrors>({});
  const [saved, setSaved] = useState(false);
  const [saves, setSaves] = useState(0);
  const spending = useSpending(saves);

  useEffect(() => {
    if (settings.data) setValues(settingsValues(settings.data));
  }, [settings.data]);

  if (settings.status === 'loading') return <Loading label="Loading the settings…" />;
  if (!settings.data) {
    return <ErrorState title="Could not load the settings" message={settings.error ?? ''} onRetry={settings.reload} />;
  }
  const v = values ?? settingsValues(settings.data);
  const set = (field: Exclude<keyof SettingsValues, 'modelPrices'>, value: string) => {
    setSaved(false);
    setValues({ ...v, [field]: value });
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSaved(false);
    const checked = validateSettings(v);
    if (!checked.update) {
      setErrors(checked.errors);
      return;
    }
    setErrors({});
    client.updateSettings(checked.update).then(
      () => {
        setSaved(true);
        setSaves((n) => n + 1);
        settings.reload();
        void launch.getState().loadDefaults();
      },
      (error: unknown) => setErrors({ form: errorMessage(error) }),
    );
  };

  return (
    <div className="view">
      <h2>Settings</h2>
      <form className="settings-form" onSubmit={submit} noValidate>
        <fieldset>
          <legend>Defaults for new tasks</legend>
          <p className="muted">The launch form starts with these; each task can still change them.</p>
          <div className="settings-grid">
            <div className="field">
              <label htmlFor="default-model">Default model</label>
              <input
                id="default-model"
                list="settings-known-models"
                placeholder="the CLI's default"
                autoComplete="off"
                spellCheck={false}
                value={v.model}
                onChange={(e) => set('model', e.target.value)}
              />
              <datalist id="settings-known-models">
                {KNOWN_MODELS.map((m) => (
                  <option key={m} value={m} />
                ))}
              </datalist>
              <FieldError message={errors.model} />
            </div>
            <div className="field">
              <label htmlFor="default-permission-mode">Default permission mode</label>
              <select
                id="default-permission-mode"
                value={v.permissionMode}
                onChange={(e) => set('permissionMode', isPermissionMode(e.target.value) ? e.target.value : '')}
              >
                <option value="">none ({DEFAULT_PERMISSION_MODE})</option>
                {PERMISSION_MODES.map((mode) => (
                  <option key={mode} value={mode}>
                    {mode}: {PERMISSION_MODE_DESCRIPTIONS[mode]}
                  </option>
                ))}
              </select>
              <p className="muted field-hint">A project&apos;s last launch wins over this.</p>
              <FieldError message={errors.permissionMode} />
            </div>
            <div className="field">
              <label htmlFor="default-max-iterations">Default max iterations</label>
              <input
                id="default-max-iterations"
                inputMode="numeric"
                placeholder={String(DEFAULT_MAX_ITERATIONS)}
                value={v.maxIterations}
                onChange={(e) => set('maxIterations', e.target.value)}
              />
              <FieldError message={errors.maxIterations} />
            </div>
            <div className="field">
              <label htmlFor="default-budget">Default budget per task (USD)</label>
              <input
                id="default-budget"
                inputMode="decimal"
                placeholder="no limit"
                value={v.budgetUsd}
                onChange={(e) => set('budgetUsd', e.target.value)}
              />
              <FieldError message={errors.budgetUsd} />
            </div>
          </div>
        </fieldset>

        <fieldset>
          <legend>All tasks</legend>
          <div className="settings-grid">
            <div className="field">
              <label htmlFor="daily-budget">Daily budget (USD)</label>
              <div className="input-row">
                <input
                  id="daily-budget"
                  inputMode="decimal"
                  placeholder="none"
                  value={v.dailyBudgetUsd}
                  onChange={(e) => set('dailyBudgetUsd', e.target.value)}
                />
                <SpentToday spending={spending} />
              </div>
              <FieldError message={errors.dailyBudgetUsd} />
              <p className="muted field-hint">
                No iteration of any task starts once today&apos;s spending reaches it.
                {spending?.timeZone ? (
                  <span data-testid="budget-zone"> Today is the calendar day in {spending.timeZone}.</span>
                ) : null}
              </p>
            </div>
            <div className="field">
              <label htmlFor="max-concurrent">Tasks at once</label>
              <input
                id="max-concurrent"
                inputMode="numeric"
                value={v.maxConcurrentTasks}
                onChange={(e) => set('maxConcurrentTasks', e.target.value)}
              />
              <FieldError message={errors.maxConcurrentTasks} />
              <p className="muted field-hint">
                More launched tasks wait, queued. Applies to tasks launched after saving.
              </p>
            </div>
          </div>
        </fieldset>
        <ModelPricesEditor
          rows={v.modelPrices}
          errors={errors.modelPrices ?? {}}
          onChange={(modelPrices) => {
            setSaved(false);
            setValues({ ...v, modelPrices });
          }}
        />
        {errors.form ? (
          <p role="alert" className="field-error">
            {errors.form}
          </p>
        ) : null}
        <div className="form-actions">
          <button type="submit" className="primary">
            Save
          </button>
          {saved ? (
            <span className="muted" role="status">
              Saved.
            </span>
          ) : null}
        </div>
      </form>
    </div>
  );
}
