/** Settings: each agent's defaults for new tasks, one agent's at a time. */
import { AGENT_LABELS, MODELS_BY_AGENT, PERMISSION_MODE_DESCRIPTIONS_BY_AGENT } from '../agents';
import { AGENT_KINDS, DEFAULT_MAX_ITERATIONS, PERMISSION_MODES, type AgentKind } from '../contract';
import { DEFAULT_PERMISSION_MODE, isPermissionMode } from '../stores/launch-values';
import { Segmented } from './Segmented';

/** One agent's defaults for new tasks, as typed. */
export interface AgentDefaultsValues {
  model: string;
  /** '' for no default (new tasks start in acceptEdits). */
  permissionMode: string;
  maxIterations: string;
  budgetUsd: string;
}
export type AgentDefaultsField = keyof AgentDefaultsValues;

/** By agent, then field. */
export type AgentDefaultsErrors = Partial<Record<AgentKind, Partial<Record<AgentDefaultsField, string>>>>;

/** The defaults that are numbers, typed as text. */
const NUMBER_DEFAULTS = [
  {
    field: 'maxIterations',
    id: 'default-max-iterations',
    label: 'Default max iterations',
    inputMode: 'numeric',
    placeholder: String(DEFAULT_MAX_ITERATIONS),
  },
  {
    field: 'budgetUsd',
    id: 'default-budget',
    label: 'Default budget per task (USD)',
    inputMode: 'decimal',
    placeholder: 'no limit',
  },
] as const;

/** A settings field's message, when it has one. */
export function FieldError({ message }: { message: string | undefined }) {
  return message ? (
    <p role="alert" className="field-error">
      {message}
    </p>
  ) : null;
}

/** A number of the settings, kept as typed, with its message and, where given, a line on what it does. */
export function NumberField({
  id,
  label,
  inputMode,
  placeholder,
  value,
  onChange,
  error,
  hint,
}: {
  id: string;
  label: string;
  inputMode: 'numeric' | 'decimal';
  placeholder?: string;
  value: string;
  onChange: (typed: string) => void;
  error: string | undefined;
  hint?: string;
}) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        inputMode={inputMode}
        placeholder={placeholder}
        value={value}
        onChange={(event) => onChange(event.target.value)}
      />
      <FieldError message={error} />
      {hint ? <p className="muted field-hint">{hint}</p> : null}
    </div>
  );
}

/** The agent whose defaults show, chosen above them, and its four fields. */
export function TaskDefaultsFieldset({
  values,
  errors,
  agent,
  onAgent,
  onChange,
}: {
  values: Record<AgentKind, AgentDefaultsValues>;
  errors: AgentDefaultsErrors;
  agent: AgentKind;
  onAgent: (agent: AgentKind) => void;
  onChange: (field: AgentDefaultsField, value: string) => void;
}) {
  const v = values[agent];
  const e = errors[agent] ?? {};
  const descriptions = PERMISSION_MODE_DESCRIPTIONS_BY_AGENT[agent];
  return (
    <fieldset>
      <legend>Defaults for new tasks</legend>
      <p className="muted">
        Each agent has its own: the launch form starts with the chosen agent&apos;s, and each task can still change
        them.
      </p>
      <div className="agent-choice">
        <Segmented
          label="Defaults of"
          showLabel={false}
          value={agent}
          options={AGENT_KINDS.map((kind) => ({ value: kind, label: AGENT_LABELS[kind], invalid: !!errors[kind] }))}
          onChange={onAgent}
        />
      </div>
      <div className="settings-grid" data-testid="agent-defaults" data-agent={agent}>
        <div className="field">
          <label htmlFor="default-model">Default model</label>
          <input
            id="default-model"
            list="settings-known-models"
            placeholder={`${AGENT_LABELS[agent]}'s default`}
            autoComplete="off"
            spellCheck={false}
            value={v.model}
            onChange={(event) => onChange('model', event.target.value)}
          />
          <datalist id="settings-known-models">
            {MODELS_BY_AGENT[agent].map((m) => (
              <option key={m} value={m} />
            ))}
          </datalist>
          <FieldError message={e.model} />
        </div>
        <div className="field field-span2">
          <label htmlFor="default-permission-mode">Default permission mode</label>
          <select
            id="default-permission-mode"
            value={v.permissionMode}
            onChange={(event) =>
              onChange('permissionMode', isPermissionMode(event.target.value) ? event.target.value : '')
            }
          >
            <option value="">Baton’s default: {DEFAULT_PERMISSION_MODE}</option>
            {PERMISSION_MODES.map((mode) => (
              <option key={mode} value={mode}>
                {mode}: {descriptions[mode]}
              </option>
            ))}
          </select>
          <p className="muted field-hint">A project&apos;s last launch wins over this.</p>
          <FieldError message={e.permissionMode} />
        </div>
        {NUMBER_DEFAULTS.map(({ field, id, label, inputMode, placeholder }) => (
          <NumberField
            key={field}
            id={id}
            label={label}
            inputMode={inputMode}
            placeholder={placeholder}
            value={v[field]}
            onChange={(typed) => onChange(field, typed)}
            error={e[field]}
          />
        ))}
      </div>
    </fieldset>
  );
}
