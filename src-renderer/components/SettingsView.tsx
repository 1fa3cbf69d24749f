import { type FormEvent, useEffect, useState } from 'react';
import {
  AGENT_KINDS,
  agentTaskDefaultsSchema,
  formatPreciseCost,
  type KnownModel,
  inputIssuesOf,
  type AgentKind,
  type AgentTaskDefaults,
  type Settings,
  type Spending,
  type TaskDefaults,
} from '../contract';
import { useServices } from '../app/services';
import { spentCostText, unknownTokensTitle } from '../cost';
import { errorMessage } from '../errors';
import { useRead } from '../hooks/use-read';
import { readKey } from '../queries/contract-queries';
import { sentence } from '../text';
import { ModelPriceList } from './ModelPriceList';
import {
  ModelPricesEditor,
  priceRows,
  validatePriceRows,
  type PriceRow,
  type PriceRowErrors,
} from './ModelPricesEditor';
import { ErrorState, Loading } from './StateViews';
import {
  FieldError,
  NumberField,
  TaskDefaultsFieldset,
  type AgentDefaultsErrors,
  type AgentDefaultsField,
  type AgentDefaultsValues,
} from './TaskDefaultsFieldset';

/** The settings form's fields, as typed. */
export interface SettingsValues {
  /** Each agent's own: a model, or a budget, fits one agent and not the others. */
  taskDefaults: Record<AgentKind, AgentDefaultsValues>;
  dailyBudgetUsd: string;
  maxConcurrentTasks: string;
  /** The user's own prices, one row per model. */
  modelPrices: PriceRow[];
}

export type SettingsErrors = Partial<Record<'dailyBudgetUsd' | 'maxConcurrentTasks' | 'form', string>> & {
  /** By agent, then field. */
  taskDefaults?: AgentDefaultsErrors;
  /** By row of the model-prices editor. */
  modelPrices?: Record<number, PriceRowErrors>;
};

function agentDefaultsValues(d: AgentTaskDefaults = {}): AgentDefaultsValues {
  return {
    model: d.model ?? '',
    permissionMode: d.permissionMode ?? '',
    maxIterations: d.maxIterations === undefined ? '' : String(d.maxIterations),
    budgetUsd: d.budgetUsd === undefined ? '' : String(d.budgetUsd),
  };
}

export function settingsValues(settings: Settings): SettingsValues {
  const defaults: TaskDefaults = settings.taskDefaults ?? {};
  return {
    taskDefaults: Object.fromEntries(
      AGENT_KINDS.map((agent) => [agent, agentDefaultsValues(defaults[agent])]),
    ) as SettingsValues['taskDefaults'],
    dailyBudgetUsd: settings.dailyBudgetUsd === null ? '' : String(settings.dailyBudgetUsd),
    maxConcurrentTasks: String(settings.maxConcurrentTasks),
    modelPrices: priceRows(settings.modelPrices),
  };
}

const typedNumber = (text: string): number | undefined => (text.trim() === '' ? undefined : Number(text.trim()));
const isDefaultsField = (key: unknown): key is AgentDefaultsField =>
  key === 'model' || key === 'permissionMode' || key === 'maxIterations' || key === 'budgetUsd';

/** One agent's defaults, checked with the contract's own schema (the task spec's rules): only those given. */
function validateAgentDefaults(
  values: AgentDefaultsValues,
):
  | { defaults: AgentTaskDefaults; errors: null }
  | { defaults: null; errors: Partial<Record<AgentDefaultsField, string>> } {
  const parsed = agentTaskDefaultsSchema.safeParse({
    model: values.model.trim() === '' ? undefined : values.model,
    permissionMode: values.permissionMode === '' ? undefined : values.permissionMode,
    maxIterations: typedNumber(values.maxIterations),
    budgetUsd: typedNumber(values.budgetUsd),
  });
  if (parsed.success) {
    // An empty field means "no default".
    const given = Object.entries(parsed.data).filter(([, v]) => v !== undefined);
    return { defaults: Object.fromEntries(given) as AgentTaskDefaults, errors: null };
  }
  const errors: Partial<Record<AgentDefaultsField, string>> = {};
  for (const issue of inputIssuesOf(parsed.error)) {
    const key = issue.path[0];
    if (isDefaultsField(key)) errors[key] ??= sentence(issue.message);
  }
  return { defaults: null, errors };
}

/** Checks the form and returns what updateSettings takes, or the messages by field (and by agent). */
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
  const taskDefaults: TaskDefaults = {};
  for (const agent of AGENT_KINDS) {
    const checked = validateAgentDefaults(values.taskDefaults[agent]);
    if (checked.errors) errors.taskDefaults = { ...errors.taskDefaults, [agent]: checked.errors };
    else if (Object.keys(checked.defaults).length > 0) taskDefaults[agent] = checked.defaults;
  }
  const prices = validatePriceRows(values.modelPrices);
  if (!prices.prices) errors.modelPrices = prices.errors;
  if (!prices.prices || Object.keys(errors).length > 0) return { update: null, errors };
  return { update: { taskDefaults, dailyBudgetUsd, maxConcurrentTasks, modelPrices: prices.prices }, errors: null };
}

/**
 * Today's spending and the zone today is a day of; null while unknown or when the service cannot say. Asked
 * again after a save (settings.changed, or the save itself), since saved prices change what today's sessions cost.
 */
function useSpending(): Spending | null {
  return useRead('getSpending', {}).data ?? null;
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

/**
 * A daily budget typed at or under what today has already spent: once saved, no iteration starts until tomorrow.
 * Said before the save, since the form cannot know the person meant that, and after it as what now holds.
 */
function BudgetAlreadySpent({
  typed,
  stored,
  spending,
}: {
  typed: string;
  /** The budget saved now. */
  stored: number | null;
  spending: Spending | null;
}) {
  const budget = Number(typed.trim());
  if (!spending || typed.trim() === '' || !Number.isFinite(budget) || budget <= 0) return null;
  if (spending.spentTodayUsd < budget) return null;
  return (
    <p className="notice notice-warning" role="status" data-testid="budget-already-spent">
      Today has already spent {formatPreciseCost(spending.spentTodayUsd)}, which is{' '}
      {budget === spending.spentTodayUsd ? 'this' : 'past this'} budget: {budget === stored ? 'no' : 'once saved, no'}{' '}
      iteration of any task starts until tomorrow.
    </p>
  );
}

/**
 * A row for the prices editor with a listed model's name and, where it has them, its current rates to edit. A
 * 1-hour write at twice the input is left blank, so it follows the input the user types.
 */
function ownPriceRow(model: KnownModel): PriceRow {
  const rate = (value: number | undefined) => (value === undefined ? '' : String(value));
  const rates = model.rates;
  return {
    model: model.model,
    input: rate(rates?.input),
    output: rate(rates?.output),
    cacheWrite: rate(rates?.cacheWrite),
    cacheWrite1h: rates && rates.cacheWrite1h !== rates.input * 2 ? rate(rates.cacheWrite1h) : '',
    cacheRead: rate(rates?.cacheRead),
  };
}

/** App-wide settings: defaults for new tasks, the daily budget and how many tasks run at once. Checked here and again in main. */
export function SettingsView() {
  const { client, launch, queryClient } = useServices();
  const settings = useRead('getSettings', {});
  /** What the user typed; until then (and after a save) the form shows the stored settings as they come. */
  const [values, setValues] = useState<SettingsValues | null>(null);
  const [errors, setErrors] = useState<SettingsErrors>({});
  const [saved, setSaved] = useState(false);
  /** The prices row "Set your own" asked for, whose first price takes the focus (and so comes into view). */
  const [focusRow, setFocusRow] = useState<number | null>(null);
  useEffect(() => {
    if (focusRow === null) return;
    document.getElementById(`model-price-${focusRow}-input`)?.focus();
    setFocusRow(null);
  }, [focusRow]);
  /** Whose defaults show. */
  const [agent, setAgent] = useState<AgentKind>('claude');
  const spending = useSpending();

  if (settings.isPending) return <Loading label="Loading the settings…" />;
  if (!settings.data) {
    return (
      <ErrorState
        title="Could not load the settings"
        message={errorMessage(settings.error)}
        onRetry={() => void settings.refetch()}
      />
    );
  }
  const v = values ?? settingsValues(settings.data);
  const set = (field: 'dailyBudgetUsd' | 'maxConcurrentTasks', value: string) => {
    setSaved(false);
    setValues({ ...v, [field]: value });
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSaved(false);
    const checked = validateSettings(v);
    if (!checked.update) {
      setErrors(checked.errors);
      // The defaults shown are one agent's: show the first agent whose defaults are refused.
      const refused = AGENT_KINDS.find((kind) => checked.errors.taskDefaults?.[kind]);
      if (refused && !checked.errors.taskDefaults?.[agent]) setAgent(refused);
      return;
    }
    setErrors({});
    client.updateSettings(checked.update).then(
      (stored) => {
        setSaved(true);
        // The service's settings.changed says so too; this window need not wait for it.
        queryClient.setQueryData(readKey('getSettings', {}), stored);
        setValues(null);
        void queryClient.invalidateQueries({ queryKey: ['getSpending'] });
        void launch.getState().loadDefaults();
      },
      (error: unknown) => setErrors({ form: errorMessage(error) }),
    );
  };

  return (
    <div className="view">
      <h2>Settings</h2>
      <form className="settings-form" onSubmit={submit} noValidate>
        <TaskDefaultsFieldset
          values={v.taskDefaults}
          errors={errors.taskDefaults ?? {}}
          agent={agent}
          onAgent={setAgent}
          onChange={(field, value) => {
            setSaved(false);
            setValues({
              ...v,
              taskDefaults: { ...v.taskDefaults, [agent]: { ...v.taskDefaults[agent], [field]: value } },
            });
          }}
        />

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
              <BudgetAlreadySpent
                typed={v.dailyBudgetUsd}
                stored={settings.data.dailyBudgetUsd ?? null}
                spending={spending}
              />
              <p className="muted field-hint">
                No iteration of any task starts once today&apos;s spending reaches it.
                {spending?.timeZone ? (
                  <span data-testid="budget-zone"> Today is the calendar day in {spending.timeZone}.</span>
                ) : null}
              </p>
            </div>
            <NumberField
              id="max-concurrent"
              label="Tasks at once"
              inputMode="numeric"
              value={v.maxConcurrentTasks}
              onChange={(typed) => set('maxConcurrentTasks', typed)}
              error={errors.maxConcurrentTasks}
              hint="More launched tasks wait, queued. Applies to tasks launched after saving."
            />
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
      <ModelPriceList
        onSetOwn={(model) => {
          setSaved(false);
          const known = v.modelPrices.findIndex((row) => row.model.trim().toLowerCase() === model.model);
          if (known < 0) setValues({ ...v, modelPrices: [...v.modelPrices, ownPriceRow(model)] });
          setFocusRow(known < 0 ? v.modelPrices.length : known);
        }}
      />
    </div>
  );
}
