import { useEffect, useMemo, type KeyboardEvent } from 'react';
import { useStore } from 'zustand';
import { useShallow } from 'zustand/react/shallow';
import { useServices } from '../app/services';
import { CONTEXT_MODES, DEFAULT_MAX_ITERATIONS } from '../contract';
import { suggestedDirs, type LaunchField } from '../stores/launch-store';

function FieldError({ field, message }: { field: LaunchField; message: string | undefined }) {
  if (!message) return null;
  return (
    <p className="field-error" id={`launch-${field}-error`} role="alert">
      {message}
    </p>
  );
}

/** Props that tie an input to its error message for assistive technology. */
function describedBy(field: LaunchField, message: string | undefined) {
  return message ? { 'aria-invalid': true, 'aria-describedby': `launch-${field}-error` } : {};
}

export function LaunchForm({ canPickDirectory }: { canPickDirectory: boolean }) {
  const { launch } = useServices();
  const { values, errors, submitting, lastLaunched, setField, submit, loadProjects, pickDirectory } = useStore(
    launch,
    useShallow((s) => ({
      values: s.values,
      errors: s.errors,
      submitting: s.submitting,
      lastLaunched: s.lastLaunched,
      setField: s.setField,
      submit: s.submit,
      loadProjects: s.loadProjects,
      pickDirectory: s.pickDirectory,
    })),
  );
  const recentDirs = useStore(launch, (s) => s.recentDirs);
  const projects = useStore(launch, (s) => s.projects);
  const suggestions = useMemo(() => suggestedDirs({ recentDirs, projects }), [recentDirs, projects]);

  useEffect(() => {
    void loadProjects();
  }, [loadProjects]);

  const onPromptKey = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    // Enter makes new lines in the prompt; Ctrl/Cmd+Enter launches.
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      void submit();
    }
  };
  const onSelectKey = (e: KeyboardEvent<HTMLSelectElement>) => {
    // A select does not submit its form on Enter by itself.
    if (e.key === 'Enter') {
      e.preventDefault();
      void submit();
    }
  };

  return (
    <form
      className="launch-form"
      aria-label="Launch a task"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <h2>Launch a task</h2>
      <div className="field field-wide">
        <label htmlFor="launch-dir">Project directory</label>
        <div className="input-row">
          <input
            id="launch-dir"
            name="dir"
            type="text"
            list="launch-recent-projects"
            autoComplete="off"
            spellCheck={false}
            placeholder="/path/to/your/project"
            value={values.dir}
            onChange={(e) => setField('dir', e.target.value)}
            {...describedBy('dir', errors.dir)}
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
        <label htmlFor="launch-prompt">Prompt</label>
        <textarea
          id="launch-prompt"
          name="prompt"
          rows={4}
          placeholder="What should the agent do? (Ctrl+Enter to launch)"
          value={values.prompt}
          onChange={(e) => setField('prompt', e.target.value)}
          onKeyDown={onPromptKey}
          {...describedBy('prompt', errors.prompt)}
        />
        <FieldError field="prompt" message={errors.prompt} />
      </div>

      <div className="field">
        <label htmlFor="launch-model">Model</label>
        <input
          id="launch-model"
          name="model"
          type="text"
          placeholder="default"
          autoComplete="off"
          value={values.model}
          onChange={(e) => setField('model', e.target.value)}
          {...describedBy('model', errors.model)}
        />
        <FieldError field="model" message={errors.model} />
      </div>

      <div className="field">
        <label htmlFor="launch-max-iterations">Max iterations</label>
        {/* Text, not type="number": a number input reports "abc" as "", which would pass for "use the default". */}
        <input
          id="launch-max-iterations"
          name="maxIterations"
          type="text"
          inputMode="numeric"
          autoComplete="off"
          placeholder={String(DEFAULT_MAX_ITERATIONS)}
          value={values.maxIterations}
          onChange={(e) => setField('maxIterations', e.target.value)}
          {...describedBy('maxIterations', errors.maxIterations)}
        />
        <FieldError field="maxIterations" message={errors.maxIterations} />
      </div>

      <div className="field">
        <label htmlFor="launch-context">Context</label>
        <select
          id="launch-context"
          name="context"
          value={values.context}
          onChange={(e) => setField('context', CONTEXT_MODES.find((mode) => mode === e.target.value) ?? 'fresh')}
          onKeyDown={onSelectKey}
          {...describedBy('context', errors.context)}
        >
          {CONTEXT_MODES.map((mode) => (
            <option key={mode} value={mode}>
              {mode}
            </option>
          ))}
        </select>
        <FieldError field="context" message={errors.context} />
      </div>

      <div className="field field-wide">
        <label htmlFor="launch-check">Completion check</label>
        <input
          id="launch-check"
          name="check"
          type="text"
          placeholder="optional, e.g. npm test (exit 0 means done)"
          autoComplete="off"
          spellCheck={false}
          value={values.check}
          onChange={(e) => setField('check', e.target.value)}
          {...describedBy('check', errors.check)}
        />
        <FieldError field="check" message={errors.check} />
      </div>

      {errors.form ? (
        <p className="field-error form-error" role="alert">
          {errors.form}
        </p>
      ) : null}

      <div className="form-actions">
        <button type="submit" className="primary" disabled={submitting} aria-busy={submitting}>
          Launch
        </button>
        {lastLaunched ? (
          <span className="muted" role="status">
            Queued “{lastLaunched.title}”
          </span>
        ) : null}
      </div>
    </form>
  );
}
