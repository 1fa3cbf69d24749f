/** The pieces each field of the launch form is made of: its label, its input tied to its hint and its error. */
import type { KeyboardEvent, ReactNode } from 'react';
import { useFormContext, useFormState, type FieldErrors } from 'react-hook-form';
import type { TaskSpec } from '../contract';
import type { LaunchField, LaunchValues } from '../stores/launch-values';
import { sentence } from '../text';

export const useLaunchForm = () => useFormContext<LaunchValues, unknown, TaskSpec>();

/** A message's `quoted` parts (a command to run, a variable to set) as code, the rest as text. */
export function withCode(message: string) {
  return message.split('`').map((part, i) => (i % 2 === 1 ? <code key={i}>{part}</code> : part));
}

/** A field's first error, as a sentence; a rule of the allowed tools is refused at its index, so look inside. */
export function fieldMessage(errors: FieldErrors<LaunchValues>, field: LaunchField): string | undefined {
  const error: unknown = errors[field];
  const first: unknown = Array.isArray(error) ? error.find(Boolean) : error;
  const message = (first as { message?: unknown } | undefined)?.message;
  return typeof message === 'string' && message !== '' ? sentence(message) : undefined;
}

/** The field's error message, read where it is shown, so an error re-renders only its own field. */
export function useFieldMessage(field: LaunchField): string | undefined {
  const { control } = useLaunchForm();
  const { errors } = useFormState({ control, name: field });
  return fieldMessage(errors, field);
}

export function FieldError({ field, message }: { field: LaunchField; message: string | undefined }) {
  if (!message) return null;
  return (
    <p className="field-error" id={`launch-${field}-error`} role="alert">
      {withCode(message)}
    </p>
  );
}

/** Props that tie an input to its hint and its error message for assistive technology. */
export function describedBy(field: LaunchField, message: string | undefined, hint = false) {
  const ids = [hint ? `launch-${field}-hint` : null, message ? `launch-${field}-error` : null].filter(Boolean);
  return {
    ...(message ? { 'aria-invalid': true } : {}),
    ...(ids.length > 0 ? { 'aria-describedby': ids.join(' ') } : {}),
  };
}

export function FieldHint({ field, children }: { field: LaunchField; children: ReactNode }) {
  return (
    <p className="field-hint muted" id={`launch-${field}-hint`}>
      {children}
    </p>
  );
}

const SPAN_CLASSES = { 1: 'field', 2: 'field field-span2', all: 'field field-wide' } as const;

type TextFieldName = Exclude<LaunchField, 'agent' | 'context' | 'permissionMode' | 'onQuota' | 'worktree'>;

/**
 * A text field: one line, or several given `rows`. Text, not type="number", for numbers too: a number input
 * reports "abc" as "", which would pass for "use the default".
 */
export function TextField({
  field,
  label,
  id = `launch-${field}`,
  placeholder,
  inputMode,
  spellCheck,
  rows,
  list,
  span = 1,
  hint,
  children,
}: {
  field: TextFieldName;
  label: string;
  id?: string;
  placeholder?: string;
  inputMode?: 'numeric' | 'decimal';
  spellCheck?: boolean;
  /** Lines of a multi-line field. */
  rows?: number;
  /** The id of a datalist of suggestions, given as `children`. */
  list?: string;
  children?: ReactNode;
  /** Grid columns it takes: one, two, or the whole row. */
  span?: keyof typeof SPAN_CLASSES;
  /** One line on what the field does. */
  hint?: string;
}) {
  const { register } = useLaunchForm();
  const message = useFieldMessage(field);
  const props = { id, placeholder, spellCheck, ...register(field), ...describedBy(field, message, hint !== undefined) };
  return (
    <div className={SPAN_CLASSES[span]}>
      <label htmlFor={id}>{label}</label>
      {rows === undefined ? (
        <input type="text" autoComplete="off" inputMode={inputMode} list={list} {...props} />
      ) : (
        <textarea rows={rows} {...props} />
      )}
      {children}
      {hint !== undefined ? <FieldHint field={field}>{hint}</FieldHint> : null}
      <FieldError field={field} message={message} />
    </div>
  );
}

/** A select of the form, with, where given, one line under it on what the chosen value does. */
export function ChoiceField<V extends string>({
  field,
  label,
  choices,
  optionLabel,
  optionDisabled,
  onKeyDown,
  hint,
  span = 2,
}: {
  field: 'agent' | 'context' | 'permissionMode' | 'onQuota';
  label: string;
  choices: readonly V[];
  optionLabel: (choice: V) => string;
  optionDisabled?: (choice: V) => boolean;
  onKeyDown: (e: KeyboardEvent<HTMLSelectElement>) => void;
  hint?: string | null;
  span?: keyof typeof SPAN_CLASSES;
}) {
  const { register } = useLaunchForm();
  const message = useFieldMessage(field);
  const hinted = hint !== undefined && hint !== null;
  return (
    <div className={SPAN_CLASSES[span]}>
      <label htmlFor={`launch-${field}`}>{label}</label>
      <select
        id={`launch-${field}`}
        {...register(field)}
        onKeyDown={onKeyDown}
        {...describedBy(field, message, hinted)}
      >
        {choices.map((choice) => (
          <option key={choice} value={choice} disabled={optionDisabled?.(choice)}>
            {optionLabel(choice)}
          </option>
        ))}
      </select>
      {hinted ? <FieldHint field={field}>{hint}</FieldHint> : null}
      <FieldError field={field} message={message} />
    </div>
  );
}
