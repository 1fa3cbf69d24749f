import { type FormEvent, useEffect, useState } from 'react';
import { useServices } from '../app/services';
import { useResource } from '../hooks/use-resource';
import { ErrorState, Loading } from './StateViews';

/** App-wide settings: the daily budget and how many tasks run at once. Checked here and again in main. */
export function SettingsView() {
  const { client } = useServices();
  const settings = useResource(() => client.getSettings({}), 'settings');
  const [budget, setBudget] = useState('');
  const [concurrency, setConcurrency] = useState('');
  const [errors, setErrors] = useState<{ budget?: string; concurrency?: string; form?: string }>({});
  const [saved, setSaved] = useState(false);

  useEffect(() => {
    if (!settings.data) return;
    setBudget(settings.data.dailyBudgetUsd === null ? '' : String(settings.data.dailyBudgetUsd));
    setConcurrency(String(settings.data.maxConcurrentTasks));
  }, [settings.data]);

  if (settings.status === 'loading') return <Loading label="Loading the settings…" />;
  if (!settings.data) {
    return <ErrorState title="Could not load the settings" message={settings.error ?? ''} onRetry={settings.reload} />;
  }

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSaved(false);
    const next: typeof errors = {};
    const dailyBudgetUsd = budget.trim() === '' ? null : Number(budget);
    if (dailyBudgetUsd !== null && !(Number.isFinite(dailyBudgetUsd) && dailyBudgetUsd > 0)) {
      next.budget = 'The daily budget must be an amount above 0, or empty for none';
    }
    const maxConcurrentTasks = Number(concurrency);
    if (!Number.isInteger(maxConcurrentTasks) || maxConcurrentTasks < 1 || maxConcurrentTasks > 64) {
      next.concurrency = 'Tasks at once must be a whole number from 1 to 64';
    }
    setErrors(next);
    if (next.budget || next.concurrency) return;
    client.updateSettings({ dailyBudgetUsd, maxConcurrentTasks }).then(
      () => {
        setSaved(true);
        settings.reload();
      },
      (error: unknown) => setErrors({ form: error instanceof Error ? error.message : String(error) }),
    );
  };

  return (
    <div className="view">
      <h2>Settings</h2>
      <form className="launch-form" onSubmit={submit} noValidate>
        <div className="field">
          <label htmlFor="daily-budget">Daily budget (USD)</label>
          <input
            id="daily-budget"
            inputMode="decimal"
            placeholder="none"
            value={budget}
            onChange={(e) => setBudget(e.target.value)}
          />
          {errors.budget ? (
            <p role="alert" className="field-error">
              {errors.budget}
            </p>
          ) : null}
          <p className="muted">No iteration of any task starts once today&apos;s spending reaches it.</p>
        </div>
        <div className="field">
          <label htmlFor="max-concurrent">Tasks at once</label>
          <input
            id="max-concurrent"
            inputMode="numeric"
            value={concurrency}
            onChange={(e) => setConcurrency(e.target.value)}
          />
          {errors.concurrency ? (
            <p role="alert" className="field-error">
              {errors.concurrency}
            </p>
          ) : null}
          <p className="muted">More launched tasks wait, queued. Applies to tasks launched after saving.</p>
        </div>
        {errors.form ? (
          <p role="alert" className="field-error">
            {errors.form}
          </p>
        ) : null}
        <button type="submit">Save</button>
        {saved ? <span className="muted"> Saved.</span> : null}
      </form>
    </div>
  );
}
